from __future__ import annotations

import random

import phonenumbers
import pytest

from bot.guard.numbering_plans import DigitGroups, NumberingPlan
from bot.guard.phones import _CANDIDATE, DEFAULT_REGIONS, FormattedPhoneRecognizer
from tests.support.phone_dev_set import negatives, positives

SAMPLE = 600


def _every_region_asked(candidate: str) -> tuple[int, int, str] | None:
    """``FormattedPhoneRecognizer._first_valid`` without the screen: libphonenumber asked in
    every region."""
    best = None
    for region in DEFAULT_REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(candidate, region, leniency=phonenumbers.Leniency.VALID):
            if match.end - match.start == len(candidate):
                return match.start, match.end, match.raw_string
            if best is None or match.end - match.start > best[1] - best[0]:
                best = (match.start, match.end, match.raw_string)
            break
    return best


def _dev_set_candidates() -> list[str]:
    examples = random.Random(3).sample(positives(), SAMPLE) + negatives()
    return sorted({match.group(0) for example in examples for match in _CANDIDATE.finditer(example.text)})


def test_the_screen_changes_nothing_libphonenumber_finds() -> None:
    recognizer = FormattedPhoneRecognizer()

    differing = []
    for candidate in _dev_set_candidates():
        screened = recognizer._first_valid(candidate)
        found = None if screened is None else (screened.start, screened.end, screened.raw_string)
        if found != _every_region_asked(candidate):
            differing.append(candidate)

    assert differing == []


@pytest.mark.parametrize(
    ("region", "candidate"),
    [
        ("US", "441 370 1234"),  # Bermuda shares the US country code
        ("RU", "8 771 000 9998"),  # and Kazakhstan Russia's
        ("BR", "0 21 11 2345 6789"),  # a carrier code before the number
        ("GB", "00 33 1 23 45 67 89"),  # an international call prefix
    ],
)
def test_a_region_whose_plan_could_hold_the_number_is_asked(region: str, candidate: str) -> None:
    assert NumberingPlan(region).could_hold(DigitGroups.of(candidate))


@pytest.mark.parametrize(
    ("region", "candidate"),
    [
        ("US", "1024-000123"),  # ten digits, but no area code starts with 0 or 1
        ("FR", "4412 3456"),  # eight digits: France's numbers have nine after the trunk 0
        ("RU", "123 456"),
    ],
)
def test_a_region_whose_plan_cannot_hold_the_number_is_skipped(region: str, candidate: str) -> None:
    assert not NumberingPlan(region).could_hold(DigitGroups.of(candidate))


def test_international_and_other_script_numbers_are_left_to_libphonenumber() -> None:
    assert DigitGroups.of("+1 441 370 1234") is None
    assert DigitGroups.of("\u0660\u0665\u0660 123 4567") is None
