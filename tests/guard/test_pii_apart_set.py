"""The requests written apart (bench/data/pii-apart/) say what they hold: every listed value is in
its text, every card passes the Luhn check and every IBAN its check digits, and the rows that hold
no personal data list none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from presidio_analyzer.predefined_recognizers import IbanRecognizer

from bot.guard.cards import luhn_valid

APART = Path(__file__).resolve().parents[2] / "bench" / "data" / "pii-apart"
TYPES = {"PERSON", "LOCATION", "ADDRESS", "PHONE", "CARD", "IBAN", "EMAIL", "IP"}


def _rows(name: str) -> list[dict]:
    with (APART / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _iban_checks(iban: str) -> bool:
    return IbanRecognizer().validate_result(iban) is True


@pytest.mark.parametrize("name", ["held-out.jsonl", "design.jsonl"])
def test_each_set_lists_what_its_texts_hold(name: str) -> None:
    rows = _rows(name)

    assert len(rows) == 120 and len({row["id"] for row in rows}) == 120
    assert sum(not row["pii"] for row in rows) == 60
    for row in rows:
        # "-p-" rows hold one to four pieces of personal data, "-b-" rows none.
        assert (1 <= len(row["pii"]) <= 4) if "-p-" in row["id"] else not row["pii"], row["id"]
        for value in row["pii"]:
            assert value["type"] in TYPES
            assert value["value"] in row["text"], row["id"]
            if value["type"] == "CARD":
                assert luhn_valid("".join(c for c in value["value"] if c.isdigit())), row["id"]
            if value["type"] == "IBAN":
                assert _iban_checks(value["value"]), row["id"]


def test_the_check_digit_tests_can_fail() -> None:
    assert luhn_valid("4539148803436467") and not luhn_valid("4539148803436468")
    assert _iban_checks("DE89 3704 0044 0532 0130 00") and not _iban_checks("DE88 3704 0044 0532 0130 00")
