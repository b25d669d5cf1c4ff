"""Brands, eponyms and titles of works are written like names but are not masked; names beside them are."""

from __future__ import annotations

import pytest

from bot.guard import Guard


@pytest.mark.parametrize(
    "text",
    [
        "How can I build a castle in Minecraft?",
        "Which is the better brand for sneakers: Prada or Adidas?",
        "Describe how to prove the Cauchy–Schwarz inequality.",
        "Explain the Michelson-Morley experiment to a child.",
        "Why does Alzheimer's disease affect memory?",
        "Summarise Bayes’ theorem in two lines.",
        "Write a review of the film we saw, The Dark Knight, in a paragraph.",
        "I had the Pulled Pork Benedict and the Hangtown Fry.",
        "Cook Beef Wellington and Chicken Kiev for the party.",
        "Write a blog post about Ripley's Aquarium.",
        "Convert the request body to a string in Golang.",
    ],
)
def test_things_named_like_people_are_not_masked(guard: Guard, text: str) -> None:
    assert guard.check_prompt(text).masked_text == text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Explain the Doppler effect to Priya Sharma.", "Priya Sharma"),
        ("Maria Lopez's test results came back today.", "Maria Lopez"),
        ("Book a flight to Lisbon for Tomasz Nowak after the Minecraft event.", "Tomasz Nowak"),
        ("Make a Caesar salad for Anna Kowalski.", "Anna Kowalski"),
        ("Thank Maria Lopez's team for the launch.", "Maria Lopez"),
    ],
)
def test_names_beside_things_are_still_masked(guard: Guard, text: str, name: str) -> None:
    prompt = guard.check_prompt(text)

    assert name not in prompt.masked_text
    assert name in prompt.mapping.values()
