"""Laws, theorems and illnesses named after someone in other languages are not masked; a person's
own test, number, prize, right or illness keeps the person masked."""

from __future__ import annotations

import pytest

from bot.guard import Guard
from bot.guard.ner_foreign_eponyms import names_a_discoverers_result


@pytest.mark.parametrize(
    ("text", "discoverer"),
    [
        ("Peux-tu m'expliquer la loi de Murphy et d'où vient l'expression ?", "Murphy"),
        ("Qu'est-ce que la constante d'Avogadro ?", "Avogadro"),
        ("Explique a Lei de Newton da gravitação universal para uma criança.", "Newton"),
        ("Quais são os sintomas da doença de Parkinson no início?", "Parkinson"),
        ("¿Qué es la enfermedad de Chagas y cómo se transmite?", "Chagas"),
        ("Spiegami il teorema di Pitagora con un esempio.", "Pitagora"),
        ("Erklär mir den Satz des Pythagoras und das Gesetz von Murphy.", "Pythagoras"),
        ("Leg de wet van Ohm uit voor een leerling.", "Ohm"),
        ("Wyjaśnij twierdzenie Pitagorasa i chorobę Parkinsona prostymi słowami.", "Parkinsona"),
        ("Объясни закон Ома и что такое болезнь Альцгеймера.", "Альцгеймера"),
    ],
)
def test_a_discoverers_result_is_not_masked(guard: Guard, text: str, discoverer: str) -> None:
    assert discoverer in guard.check_prompt(text).masked_text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # An illness after a name no physician gave it is someone's health.
        ("Mi madre tiene la enfermedad de Marta, dice el médico.", "Marta"),
        ("La maladie de Marie Dupont la fatigue beaucoup.", "Marie Dupont"),
        # Prizes, rights, tests and numbers belong to people.
        ("El premio de Juan Pérez fue entregado ayer.", "Juan Pérez"),
        ("Prawo Jana Kowalskiego do urlopu wygasa w maju.", "Jana Kowalskiego"),
        ("¿Me pasas el número de Lucía Fernández?", "Lucía Fernández"),
    ],
)
def test_a_persons_own_things_keep_the_person_masked(guard: Guard, text: str, name: str) -> None:
    assert name not in guard.check_prompt(text).masked_text


@pytest.mark.parametrize(
    ("words", "before", "expected"),
    [
        (["Murphy"], ["de", "loi", "la"], True),
        (["Lei", " ", "de", " ", "Newton"], ["a", "Explique"], True),  # the noun tagged with the name
        (["Avogadro"], ["'", "d", "constante"], True),  # "d'" cut in two by the tokenizer
        (["d'Avogadro"], ["constante"], True),  # and glued to the name
        (["Ома"], ["закон"], True),
        (["Marta"], ["de", "enfermedad"], False),
        (["Parkinson"], ["de", "enfermedad"], True),
        (["Marta"], ["de", "casa"], False),
        (["Murphy"], [], False),
        (["de"], ["loi"], False),  # nothing but the particle
    ],
)
def test_what_stands_before_the_name_decides(words: list[str], before: list[str], expected: bool) -> None:
    assert names_a_discoverers_result(words, before) is expected
