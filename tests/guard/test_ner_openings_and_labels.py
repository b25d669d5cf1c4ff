"""The everyday words of another language that open a sentence are no part of the name after them,
and a dictionary word before a colon and a figure labels a field; the names beside them stay masked."""

from __future__ import annotations

import pytest

from bot.guard import Guard


@pytest.mark.parametrize(
    ("text", "kept", "masked"),
    [
        ("Czy Anna Nowak przyjdzie jutro na spotkanie?", "Czy", "Anna Nowak"),
        ("Bitte Anna Schmidt morgen wegen des Angebots anrufen.", "Bitte", "Anna Schmidt"),
        ("¿Conoces a Marta García, la nueva directora?", "Conoces", "Marta García"),
    ],
)
def test_a_foreign_opening_word_is_left_out_of_the_name(guard: Guard, text: str, kept: str, masked: str) -> None:
    masked_text = guard.check_prompt(text).masked_text
    assert kept in masked_text
    assert masked not in masked_text


@pytest.mark.parametrize(
    ("text", "thing"),
    [
        ("Czy Skoda Octavia 2018 z silnikiem 1.5 TSI to dobry wybór?", "Skoda Octavia"),
        ("ZUSAMMENFASSUNG\nDas Projekt Phoenix wurde um drei Wochen verschoben.", "Phoenix"),
        ("Made in Portugal. Price: €149.00. Model NT-220.", "Price"),
        ("Listing for the blog:\nRating: 4.5/5\nShipping: 4.99 EUR", "Rating"),
    ],
)
def test_things_behind_an_opening_or_before_a_figure_are_not_masked(guard: Guard, text: str, thing: str) -> None:
    assert thing in guard.check_prompt(text).masked_text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # A name opening an English sentence keeps its first word.
        ("Rosa Parks refused to give up her seat in 1955.", "Rosa Parks"),
        # A speaker in a chat log says something; a field of words keeps its value masked.
        ("Grace: running 10 minutes late, sorry", "Grace"),
        ("Grace: 5 min away, order me a latte", "Grace"),
        ("Hunter: 12 people confirmed so far", "Hunter"),
        ("Name: Lucie Bernard\nRole: designer", "Lucie Bernard"),
        # A name in capitals after a colon fills a form's field.
        ("Surname: KOWALSKI\nCity: Gdańsk", "KOWALSKI"),
    ],
)
def test_names_beside_those_rules_stay_masked(guard: Guard, text: str, name: str) -> None:
    assert name not in guard.check_prompt(text).masked_text
