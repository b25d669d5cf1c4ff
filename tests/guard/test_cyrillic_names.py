"""Russian and Ukrainian names and places are read by their Latin spelling in the lists."""

from __future__ import annotations

import pytest

from bot.guard.gazetteer import KNOWN, NOTHING
from bot.guard.ner_gate import packaged_gazetteer
from bot.guard.service import Guard


@pytest.mark.parametrize(
    ("sentence", "name", "placeholder"),
    [
        ("Помоги ответить клиенту: Игорь Семенов жалуется на задержку доставки.", "Игорь Семенов", "<PERSON_1>"),
        ("Ганна Петренко виступить на конференції, зроби анонс.", "Ганна Петренко", "<PERSON_1>"),
        ("Составь пост о том, как команда съездила в Ярославль.", "Ярославль", "<LOCATION_1>"),
    ],
)
def test_a_cyrillic_name_or_place_the_lists_hold_in_latin_letters_is_masked(
    guard: Guard, sentence: str, name: str, placeholder: str
) -> None:
    checked = guard.check_prompt(sentence)

    assert checked.mapping.get(placeholder) == name
    assert name not in checked.masked_text


@pytest.mark.parametrize(
    "sentence",
    [
        "Наш новый продукт — облачное хранилище, опиши его преимущества.",
        "Моя задача — подготовить презентацию к понедельнику.",
        "Наші клієнти часто питають про доставку, напиши відповідь.",
    ],
)
def test_pronouns_opening_a_russian_or_ukrainian_sentence_are_not_masked(guard: Guard, sentence: str) -> None:
    assert guard.check_prompt(sentence).mapping == {}


def test_a_russian_sentence_the_model_tags_whole_round_a_name_is_masked_only_where_the_name_is(guard: Guard) -> None:
    checked = guard.check_prompt("Протокол.\nСмирнов А. В. сообщил о сокращении бюджета на 8 %.")

    assert "Смирнов" not in checked.masked_text
    assert "сообщил о сокращении бюджета на 8 %." in checked.masked_text


def test_a_cyrillic_word_is_known_by_its_latin_spelling_unless_short_or_a_pronoun() -> None:
    gazetteer = packaged_gazetteer()

    assert gazetteer.kind("анна") == KNOWN
    assert gazetteer.is_name("анна")
    assert gazetteer.kind("наш") == NOTHING
    assert gazetteer.kind("дом") == NOTHING
