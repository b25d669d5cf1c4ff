"""The multilingual name set of bench/pii_eval.py is whole, and the bench counts names found and
false masks on it as its README says."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.guard import Guard

ROOT = Path(__file__).resolve().parents[2]
SET = ROOT / "bench" / "data" / "pii-multilingual"
LANGUAGES = {"es", "fr", "de", "it", "pt", "nl", "pl", "ru", "uk", "tr", "ja", "ko", "zh", "ar", "hi"}


def _rows(part: str) -> list[dict]:
    with (SET / f"{part}.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


@pytest.mark.parametrize(("part", "prefixes"), [("design", ("a-", "b-")), ("held-out", ("c-",))])
def test_each_set_holds_sixteen_requests_a_language_and_names_that_occur_in_them(
    part: str, prefixes: tuple[str, ...]
) -> None:
    rows = _rows(part)

    assert len({row["id"] for row in rows}) == len(rows) == 240 * len(prefixes)
    for prefix in prefixes:
        own = [row for row in rows if row["id"].startswith(prefix)]
        assert Counter(row["lang"] for row in own) == {language: 16 for language in LANGUAGES}
    assert all(row["id"].startswith(prefixes) for row in rows)
    assert all(name and name in row["text"] for row in rows for name in row["names"])


def test_the_bench_counts_names_found_and_false_masks(guard: Guard) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from pii_eval import measure_multilingual
    finally:
        sys.path.remove(str(ROOT / "bench"))
    rows = [
        # The speaker found; a listed name the text does not hold cannot be.
        {"lang": "ko", "text": "[10:02] 민수: 내일 봐요\n[10:03] 민수: 지은 씨도요", "names": ["민수", "은하"]},
        # A greeting's name found; the shop left alone.
        {"lang": "es", "text": "Hola Lucía, ¿te llegó el pedido de Zapatería Norte?", "names": ["Lucía"]},
    ]

    tallies = measure_multilingual(guard, rows)

    assert tallies["ko"][:3] == (1, 1, 2)
    assert tallies["es"][:3] == (1, 1, 1)
    # A false mask is a finding over no listed name, counted here the other way round.
    assert sum(false for *_, false in tallies.values()) == sum(
        1
        for row in rows
        for finding in guard.analyze(row["text"])
        if finding.entity_type in {"PERSON", "LOCATION", "ADDRESS"}
        and not any(name in row["text"][finding.start : finding.end] for name in row["names"])
    )
