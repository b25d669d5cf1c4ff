"""Phone numbers spelt in words or keypad letters, and the words and codes that are not one."""

from __future__ import annotations

import pytest

from bot.guard import Guard


@pytest.mark.parametrize(
    ("text", "number"),
    [
        (
            "My number is four one five, five five five, oh one three two.",
            "four one five, five five five, oh one three two",
        ),
        (
            "Text me on double five five, one two three nine eight seven",
            "double five five, one two three nine eight seven",
        ),
        ("Call 1-800-FLOWERS today.", "1-800-FLOWERS"),
        ("Ring (888) GOT-JUNK for a pickup.", "(888) GOT-JUNK"),
    ],
)
def test_phones_spelt_in_words_or_letters_are_masked(pattern_guard: Guard, text: str, number: str) -> None:
    prompt = pattern_guard.check_prompt(text)

    assert list(prompt.mapping.values()) == [number]
    assert number not in prompt.masked_text


@pytest.mark.parametrize(
    "text",
    [
        "Count one two three four five six seven eight with the kids.",
        "I have one or two ideas, three at most.",
        "Room 101 MEETING starts at noon.",
        "Meet at 800 HQ.",
        "Buy 100 USB-C cables.",
    ],
)
def test_counting_and_codes_in_capitals_are_not_phones(pattern_guard: Guard, text: str) -> None:
    assert pattern_guard.check_prompt(text).masked_text == text
