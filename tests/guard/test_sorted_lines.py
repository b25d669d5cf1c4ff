"""The sorted word lists answer membership the same whether a look-up bisects the whole blob
(a mapped file) or only the lines sharing the word's first bytes (a blob held in memory)."""

from __future__ import annotations

import random

from bot.guard.gazetteer import SortedLines


def _lines(words: list[str]) -> bytes:
    return "".join(f"{word}\n" for word in sorted(set(words))).encode("utf-8")


def _unindexed(blob: bytes) -> SortedLines:
    lines = SortedLines(blob)
    lines._ranges = None  # as a mapped file is searched
    return lines


def test_indexed_lines_answer_like_the_whole_blob() -> None:
    letters = "abcéиαł-"
    rng = random.Random(7)
    words = ["a", "ab", "abc", "abcd", "abd", "b", "émile", "éa", "и", "иван", "zoë", "zoe-ann"]
    words += ["".join(rng.choice(letters) for _ in range(rng.randint(1, 7))) for _ in range(2000)]
    blob = _lines(words)
    indexed, whole = SortedLines(blob), _unindexed(blob)
    probes = [*words, "", "abcde", "é", "\u0438", "zo", "zzz", "ab\n"]
    probes += ["".join(rng.choice(letters) for _ in range(rng.randint(1, 7))) for _ in range(4000)]

    for probe in probes:
        word = probe.encode("utf-8")
        assert (word in indexed) is (word in whole) is (probe in words and "\n" not in probe)


def test_a_blob_without_a_final_line_break_still_holds_its_last_word() -> None:
    blob = b"anna\nbob\nzoe"

    assert b"zoe" in SortedLines(blob)
    assert b"zo" not in SortedLines(blob)
    assert b"bob" in SortedLines(blob)
