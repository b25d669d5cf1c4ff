"""Fold a prompt into the one spelling the injection rules are written against.

Attackers dodge keyword rules with look-alike spellings: full-width or mathematical letters,
invisible characters between letters, Cyrillic or Greek letters that look Latin, digits for
letters, odd spacing. Every such variant should read the same to the rules, so the rules only
ever see ``normalize(text)``. The result is for matching only; it is never stored or shown.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache

# Invisible characters that survive NFKC: zero-width space/joiners, word joiner, BOM,
# soft hyphen, Mongolian vowel separator, bidi embeddings/overrides/isolates, and the
# Unicode "tag" block used to smuggle hidden ASCII. Category Cf covers most of them.
_INVISIBLE_EXTRA = frozenset({"\u180e", "\u115f", "\u1160", "\u3164", "\uffa0"})

# Lower-case Cyrillic, Greek and IPA letters that render like Latin ones (after casefold),
# and typographic quotes: "ignore" spelt with a Cyrillic i, o and e reads as "ignore".
_HOMOGLYPH_SOURCES = "авсԁеёһніїјкӏмпорԛгѕтуүхԝѡьзαβϲδεϵηιίκνοόρϱτυύχωγμςσɡɑɩʟ\u2018\u2019\u201c\u201d"
_HOMOGLYPHS = str.maketrans(_HOMOGLYPH_SOURCES, "abcdeehhiijklmnopqrstyyxwwb3abcdeeniikvoopptuuxwyusogail''\"\"")
# Most non-ASCII prompts (accented Latin, CJK) hold none of them; translating costs a table
# look-up per character, searching for one a C scan.
_HAS_HOMOGLYPH = re.compile("[" + re.escape(_HOMOGLYPH_SOURCES) + "]")

# Digits and symbols standing in for letters inside a word ("1gn0re", "pr3v!ous").
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s", "!": "i"}
)
# Only words holding a digit or symbol are candidates; "!" counts only between word
# characters, so "now!!!" keeps its punctuation.
_LEET_WORD = re.compile(
    r"(?<![a-z0-9@$])(?:[a-z0-9@$]*[0-9@$][a-z0-9@$]*(?:![a-z0-9@$]+)*|[a-z0-9@$]+(?:![a-z0-9@$]+)+)"
)
# Names with a number suffix ("base64", "rot13", "covid19") are real words, not disguises.
_NUMBER_SUFFIXED = re.compile(r"[a-z]+[0-9]{2,}")
# Runs of horizontal whitespace that are not already one plain space: rewriting each single space
# as itself was most of the cost of collapsing.
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]{2,}|[^\S \n]")
_VERTICAL_SPACE = re.compile(r"\s*\n\s*")
_LAST_BMP = 0xFFFF
_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")


@cache
def _strip_table() -> dict[int, None]:
    """Every combining mark and invisible format character, mapped to nothing.

    Built once, on the first prompt that is not plain ASCII (a walk over all code points).
    """
    table: dict[int, None] = {}
    for code_point in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code_point)) in {"Cf", "Mn"}:
            table[code_point] = None
    table.update(dict.fromkeys(map(ord, _INVISIBLE_EXTRA)))
    return table


@cache
def _strip_bmp_pattern() -> re.Pattern[str]:
    """The table's characters of the Basic Multilingual Plane as one character class, which the
    regex engine tests with a bitmap: deleting them costs a third of ``str.translate``, which
    looks up every character. (Past U+FFFF the engine walks the class range by range, so text
    holding such characters, emoji mostly, keeps ``str.translate``.)"""
    ranges: list[tuple[int, int]] = []
    for code in sorted(code for code in _strip_table() if code <= _LAST_BMP):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return re.compile("[" + "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in ranges) + "]")


def _strip_marks(text: str) -> str:
    """Drop combining accents ("ïgnörë" -> "ignore") and invisible characters."""
    decomposed = unicodedata.normalize("NFD", text)
    if _BEYOND_BMP.search(decomposed):
        stripped = decomposed.translate(_strip_table())
    else:
        stripped = _strip_bmp_pattern().sub("", decomposed)
    return unicodedata.normalize("NFC", stripped)


def _fold_leet_word(match: re.Match[str]) -> str:
    word = match.group(0)
    letters = sum(c.isalpha() for c in word)
    if letters < 2 or letters == len(word) or _NUMBER_SUFFIXED.fullmatch(word):
        return word
    return word.translate(_LEET)


def fold_leetspeak(text: str) -> str:
    return _LEET_WORD.sub(_fold_leet_word, text)


def collapse_whitespace(text: str) -> str:
    """Runs of spaces become one space, runs of blank lines one newline (rules may anchor on lines)."""
    return _VERTICAL_SPACE.sub("\n", _HORIZONTAL_SPACE.sub(" ", text)).strip()


def normalize(text: str) -> str:
    """NFKC, invisible and bidi characters removed, case, look-alikes and leetspeak folded."""
    if text.isascii():
        # ASCII has nothing to decompose, strip or fold; most prompts take this path.
        text = text.lower()
    else:
        text = _strip_marks(unicodedata.normalize("NFKC", text)).casefold()
        if _HAS_HOMOGLYPH.search(text):
            text = text.translate(_HOMOGLYPHS)
    text = fold_leetspeak(text)
    return collapse_whitespace(text)
