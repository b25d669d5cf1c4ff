"""The world phone set of bench/pii_eval.py is whole, and the bench counts numbers found and
other numbers taken for phones as its README says."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.guard import Guard

ROOT = Path(__file__).resolve().parents[2]
SET = ROOT / "bench" / "data" / "phones-world"


def _rows(name: str) -> list[dict]:
    with (SET / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def test_the_set_lists_only_strings_its_texts_hold() -> None:
    phones, others = _rows("phones.jsonl"), _rows("not_phones.jsonl")

    assert len({row["id"] for row in phones + others}) == len(phones) + len(others) == 418 + 225
    assert len({row["country"] for row in phones}) == 68
    assert all(number in row["text"] for row in phones for number in row["phones"])
    assert all(other in row["text"] for row in others for other in row["not_phones"])


def test_the_bench_counts_numbers_found_and_false_phones(guard: Guard) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from pii_eval import measure_world_phones
    finally:
        sys.path.remove(str(ROOT / "bench"))
    # The mobile is found; two digits are too few for any plan.
    phones = [{"text": "Mobile: +44 7700 900461, desk 12", "phones": ["+44 7700 900461", "12"]}]
    # An order number is no phone; an IBAN is masked, but as an IBAN, not a phone.
    others = [
        {
            "text": "Order 5521 and IBAN GB82 WEST 1234 5698 7654 32",
            "not_phones": ["5521", "GB82 WEST 1234 5698 7654 32"],
        }
    ]

    assert measure_world_phones(guard, phones, others) == (1, 2, 0, 2)
