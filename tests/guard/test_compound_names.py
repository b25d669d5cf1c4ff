"""Names written with hyphens, apostrophes and particles are masked whole (compound_names.py,
romanized_given_names.py)."""

from __future__ import annotations

import pytest
from presidio_analyzer import RecognizerResult

from bot.guard import Guard
from bot.guard.compound_names import whole_compound_names
from bot.guard.romanized_given_names import romanized_given_names

NAME_TYPES = {"PERSON", "LOCATION"}


def _masked(guard: Guard, text: str) -> list[str]:
    return [text[f.start : f.end] for f in guard.analyze(text) if f.entity_type in NAME_TYPES]


def _result(entity_type: str, text: str, part: str, score: float = 0.85) -> RecognizerResult:
    start = text.index(part)
    return RecognizerResult(entity_type, start, start + len(part), score)


@pytest.mark.parametrize(
    ("text", "found", "whole"),
    [
        ("Invite Omar Al-Farsi to the board.", ["Omar Al"], "Omar Al-Farsi"),
        ("Congratulate Kim Min-jun today.", ["Kim Min"], "Kim Min-jun"),
        ("Ask Jae-won to book the room.", ["Jae-"], "Jae-won"),
        ("A card for Hans-Peter Müller.", ["Hans", "Peter Müller"], "Hans-Peter Müller"),
        ("Letter for Mary-Kate Olsen-Smith.", ["Mary", "Kate Olsen", "Smith"], "Mary-Kate Olsen-Smith"),
        ("A weekend in Stratford-upon-Avon.", ["Stratford"], "Stratford-upon-Avon"),
        ("A weekend in Aix-en-Provence.", ["Provence"], "Aix-en-Provence"),
        ("Notes from Conor O'Brien.", ["Conor", "Brien"], "Conor O'Brien"),
        ("Notes from Giulia D\u2019Angelo.", ["Giulia", "Angelo"], "Giulia D\u2019Angelo"),
        ("Toast for Hannah van der Berg.", ["Hannah", "Berg"], "Hannah van der Berg"),
        ("Thanks to Carlos de la Cruz.", ["Carlos", "Cruz"], "Carlos de la Cruz"),
        ("Write to Mohamed al-Sayed.", ["Sayed"], "al-Sayed"),
        ("Write to Omar al-Farsi.", ["Omar"], "Omar al-Farsi"),
    ],
)
def test_a_name_found_in_pieces_is_one_finding_over_the_whole_name(text: str, found: list[str], whole: str) -> None:
    results = whole_compound_names(text, [_result("PERSON", text, part) for part in found])
    assert [text[r.start : r.end] for r in results] == [whole]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Our Paris-based team", "Paris"),
        ("the Tokyo-born founder", "Tokyo"),
        ("Smith-led investors", "Smith"),
        ("la maison d'Hugo", "Hugo"),
        ("Omar an hour before", "Omar"),
    ],
)
def test_what_a_hyphen_or_an_apostrophe_adds_in_ordinary_words_stays_out(text: str, found: str) -> None:
    results = whole_compound_names(text, [_result("PERSON", text, found)])
    assert [text[r.start : r.end] for r in results] == [found]


def test_two_people_with_a_word_or_a_comma_between_them_stay_two() -> None:
    text = "Thank Ana, Luis and Wei; then Ana y Luis García."
    parts = ["Ana", "Luis", "Wei", "Ana y", "Luis García"]
    results = [_result("PERSON", text, "Ana"), _result("PERSON", text, "Luis"), _result("PERSON", text, "Wei")]
    second = text.index("Ana y")
    results += [RecognizerResult("PERSON", second, second + 3, 0.85), _result("PERSON", text, "Luis García")]
    assert len(whole_compound_names(text, results)) == len(parts)


def test_a_person_and_a_place_grown_into_each_other_become_one_finding_of_the_first_type() -> None:
    text = "Call with Chiara Dell'Orto today."
    results = whole_compound_names(text, [_result("PERSON", text, "Chiara Dell"), _result("LOCATION", text, "Orto")])
    assert [(r.entity_type, text[r.start : r.end]) for r in results] == [("PERSON", "Chiara Dell'Orto")]


def test_findings_of_other_types_are_left_as_they_are() -> None:
    text = "Mail jean-pierre@example.com or call +33 6 12 34 56 78."
    email = _result("EMAIL_ADDRESS", text, "jean-pierre@example.com", 1.0)
    assert whole_compound_names(text, [email]) == [email]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Congratulate Ji-woo Park on the bar exam.", "Ji-woo Park"),
        ("Send the agenda to Seo-yeon Lee.", "Seo-yeon Lee"),
        ("Ban Ki-moon spoke first.", "Ban Ki-moon"),
        ("Email Hyun-woo about the budget.", "Hyun-woo"),
        ("Mei-ling Chen joins in March.", "Mei-ling Chen"),
    ],
)
def test_romanised_korean_and_taiwanese_given_names_are_names(text: str, name: str) -> None:
    assert [text[start:end] for start, end in romanized_given_names(text)] == [name]


@pytest.mark.parametrize(
    "text",
    [
        "Set-up the Co-op Wi-Fi, then Log-in.",
        "Ha-ha, the Pop-up was a Hip-hop night.",
        "Re-run the Tie-in and the Check-in.",
        "A-ha and Yo-yo",
    ],
)
def test_english_words_of_two_short_parts_are_not_given_names(text: str) -> None:
    assert romanized_given_names(text) == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Write a farewell card for Hans-Peter Müller from finance.", ["Hans-Peter Müller"]),
        ("Invite Omar Al-Farsi to the board meeting.", ["Omar Al-Farsi"]),
        ("Send the agenda to Seo-yeon Lee and Do-hyun Choi.", ["Seo-yeon Lee", "Do-hyun Choi"]),
        ("Draft notes from the call with Brendan O'Malley.", ["Brendan O'Malley"]),
    ],
)
def test_the_guard_masks_such_names_whole(guard: Guard, text: str, names: list[str]) -> None:
    assert _masked(guard, text) == names


def test_the_placeholder_stands_for_the_whole_name(guard: Guard) -> None:
    masked = guard.mask("Write a bio for Jean-Luc Moreau, our new head of sales.")
    assert "Jean" not in masked.text and "Luc" not in masked.text and "Moreau" not in masked.text
    assert list(masked.mapping.values()) == ["Jean-Luc Moreau"]


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("Please call me back tomorrow. - Keisha Brown", "Keisha Brown"),
        ("Send the onboarding pack to Priya White before Monday.", "Priya White"),
    ],
)
def test_a_family_name_that_is_an_everyday_word_stays_with_the_name_before_it(
    guard: Guard, sentence: str, name: str
) -> None:
    assert name in guard.check_prompt(sentence).mapping.values()
