"""Polish names and places in their cases, and the genitive "s" of German, Dutch and the Nordic
languages, are read as the nominative the lists hold (latin_declension.py)."""

from __future__ import annotations

import pytest

from bot.guard.latin_declension import genitive_stem, nominatives
from bot.guard.service import Guard


@pytest.mark.parametrize(
    ("declined", "nominative"),
    [
        ("kasi", "kasia"),
        ("piotrowi", "piotr"),
        ("marka", "marek"),
        ("tomka", "tomek"),
        ("nowaka", "nowak"),
        ("kowalskiej", "kowalska"),
        ("wiśniewskiego", "wiśniewski"),
        ("agnieszką", "agnieszka"),
        ("pawłem", "paweł"),
        ("pawle", "paweł"),
        ("piotrze", "piotr"),
        ("magdzie", "magda"),
        ("ewie", "ewa"),
        ("wrocławia", "wrocław"),
        ("krakowie", "kraków"),
        ("rzeszowa", "rzeszów"),
        ("poznaniu", "poznań"),
        ("łodzi", "łódź"),
        ("sopocie", "sopot"),
        ("zakopanego", "zakopane"),
    ],
)
def test_a_polish_case_is_read_back_to_its_nominative(declined: str, nominative: str) -> None:
    assert nominative in nominatives(declined)


def test_a_genitive_s_is_read_back_to_the_name_and_short_words_are_left_alone() -> None:
    assert genitive_stem("annas") == "anna"
    assert genitive_stem("björns") == "björn"
    assert genitive_stem("ans") is None


@pytest.mark.parametrize(
    ("sentence", "values"),
    [
        ("Napisz życzenia urodzinowe dla Kasi z działu marketingu.", ["Kasi"]),
        ("Napisz odpowiedź Piotrowi, że dokumenty Marka Nowaka są gotowe.", ["Piotrowi", "Marka Nowaka"]),
        ("Zrób ogłoszenie: Ola przeprowadza się do Wrocławia w maju.", ["Wrocławia"]),
        ("Spotkanie z Pawłem i Magdą przeniesiemy, bo Tomek jest w Krakowie.", ["Pawłem", "Magdą", "Krakowie"]),
        ("Kannst du einen Glückwunsch zu Annas Beförderung schreiben?", ["Annas"]),
        ("Gör en inbjudan till Björns avtackning på fredag.", ["Björns"]),
    ],
)
def test_names_and_places_in_their_cases_are_masked(guard: Guard, sentence: str, values: list[str]) -> None:
    masked = guard.check_prompt(sentence).masked_text
    for value in values:
        assert value not in masked


@pytest.mark.parametrize(
    "sentence",
    [
        # A sentence opener, a title and a word in capitals are everyday words, whatever name
        # their endings could make.
        "Jakie są najważniejsze zmiany w regulaminie? Napisz krótko.",
        "Pani z recepcji prosi o krótką notatkę o nowych godzinach.",
        "Napisz post o nowej kolekcji MODUS na jesień.",
        # "Nederlands" is a language, not the genitive of a place; "Parks" in English is a plural.
        "Schrijf een korte tekst in het Nederlands over de nieuwe kantine.",
        "Write a post about the city's new Parks and Rec schedule.",
        # A Spanish plural standing alone is no genitive, though "Chico" is a name.
        "Hola equipo, Chicos, el viernes cerramos a las tres. Escribe el aviso por favor.",
    ],
)
def test_everyday_words_are_not_read_as_declined_names(guard: Guard, sentence: str) -> None:
    assert guard.check_prompt(sentence).mapping == {}
