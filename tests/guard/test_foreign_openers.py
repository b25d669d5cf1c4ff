"""Everyday words of other languages opening a line are not names: the list and the gate's use of it."""

from __future__ import annotations

import pytest

from bot.guard import Guard
from bot.guard.foreign_openers import (
    ENGLISH_WORDS_FILE,
    WORDS_FILE,
    english_words,
    everyday_words,
    foreign_everyday_words,
    listed_places,
)
from bot.guard.learned.dataset import PROJECT_SOURCES, load_examples


def test_a_word_written_in_lower_case_often_is_everyday_and_a_name_is_not() -> None:
    texts = [
        "Il tono è leggero. Scrivi con tono caldo, tono breve.",
        "Chiedi a Marta il prezzo. Poi marta... no: Marta decide, con Marta.",
    ]

    words = everyday_words(texts)

    assert "tono" in words
    assert "marta" not in words and "prezzo" not in words  # a name; and a word seen once


def test_a_word_capitalised_only_as_the_first_of_a_listed_place_stays_everyday() -> None:
    texts = ["Son buenos amigos, muy buenos.", "Los precios son buenos.", *["Vivo en Buenos Aires."] * 3]

    assert "buenos" not in everyday_words(texts)
    assert "buenos" in everyday_words(texts, places=["buenos aires"])


def test_the_shipped_lists_are_a_rebuild_from_the_project_sets() -> None:
    project = [e for e in load_examples() if e.source in PROJECT_SOURCES and e.lang is not None]
    texts = [e.text for e in project if e.lang != "en"]
    english = [e.text for e in project if e.lang == "en"]

    assert WORDS_FILE.read_text(encoding="utf-8").split() == sorted(everyday_words(texts, places=listed_places()))
    assert ENGLISH_WORDS_FILE.read_text(encoding="utf-8").split() == sorted(english_words(texts, english))
    assert {"tom", "nota", "groet", "коротко"} <= foreign_everyday_words()


def test_english_prompts_own_words_are_those_they_write_as_often_as_the_other_languages() -> None:
    english = ["pls check the docs", "docs pls", "pls update the docs", "de-risk the launch"]
    texts = ["fai un post pls", "scrivi la bozza", "leggi la nota di Marta", "de la casa de la playa", "la de"]

    words = english_words(texts, english)

    assert {"pls", "docs"} <= words
    assert "de" not in words and "la" not in words  # the other prompts write them more often


def test_an_english_chat_export_in_slang_keeps_its_names_masked(guard: Guard) -> None:
    text = (
        "summarise this thread for the docs pls\n"
        "> Tom 10:02 — bot workspace is down lol\n"
        "> Sam 10:05 — ty, checking the dev org"
    )

    masked = guard.mask(text).text

    assert "Tom" not in masked and "Sam" not in masked


@pytest.mark.parametrize(
    ("prompt", "word"),
    [
        (
            "Escreva um post sobre o nosso café da manhã para o Instagram.\nTom: leve e divertido, com dois emojis.",
            "Tom",
        ),
        ("Schrijf een korte update voor het team over de nieuwe planning.\nGroet,\nSanne", "Groet"),
        ("Scrivi un annuncio per il nostro negozio di Bologna.\nPrezzo: 25 euro, niente emoji.", "Prezzo"),
    ],
)
def test_an_everyday_word_opening_a_line_of_another_language_is_left_as_written(
    guard: Guard, prompt: str, word: str
) -> None:
    assert word in guard.check_prompt(prompt).masked_text


@pytest.mark.parametrize(
    ("prompt", "name"),
    [
        ("Tom will send the deck to the client tomorrow, please remind him.", "Tom"),
        ("Write a note for the team.\nMax: the budget is tight this quarter.", "Max"),
        ("Marta, ¿puedes revisar el informe de ventas antes del viernes?", "Marta"),
        ("Feria del Libro de Sevilla 2025\nPlaza Nueva, del 8 al 18 de mayo, de 11:00 a 14:00.", "Plaza Nueva"),
    ],
)
def test_a_name_opening_an_english_line_or_a_name_no_everyday_word_is_still_masked(
    guard: Guard, prompt: str, name: str
) -> None:
    assert name not in guard.check_prompt(prompt).masked_text
