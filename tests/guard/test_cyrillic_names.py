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


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("Перешли договор Ирине Павловне до пятницы.", ["Ирине", "Павловне"]),
        ("Напиши, что встреча с Дмитрием Соколовым переносится на среду.", ["Дмитрием", "Соколовым"]),
        ("Составь пост о выставке в Новгороде и о гостях из Самары.", ["Новгороде", "Самары"]),
        ("Подготовь ответ для Юрия Сергеевича о сроках поставки.", ["Юрия", "Сергеевича"]),
        ("Подякуй Олегові за звіт і запроси його до Вінниці.", ["Олегові", "Вінниці"]),
        ("Зроби анонс: відкриваємо офіс у Києві, а склад у Харкові.", ["Києві", "Харкові"]),
        ("Допоможи відповісти Оксані Миколаївні щодо рахунку.", ["Оксані", "Миколаївні"]),
    ],
)
def test_a_russian_or_ukrainian_name_or_place_in_an_oblique_case_is_masked(
    guard: Guard, sentence: str, names: list[str]
) -> None:
    checked = guard.check_prompt(sentence)

    for name in names:
        assert name not in checked.masked_text
        assert any(name in value for value in checked.mapping.values())


@pytest.mark.parametrize(
    ("inflected", "name", "person"),
    [
        ("светланы", "светлана", True),  # the genitive of a feminine name
        ("ивану", "иван", True),  # the dative of a masculine name
        ("петровичу", "петрович", True),  # a patronymic, known by the father's name
        ("викторовны", "викторовна", True),
        ("соколовой", "соколова", True),  # a surname in -ов, feminine, oblique
        ("олено", "олена", True),  # the Ukrainian vocative
        ("калуге", "калуга", False),
        ("новосибирска", "новосибирск", False),
        ("харкова", "харків", False),  # the Ukrainian closed syllable's vowel changes
        ("одесі", "одеса", False),
    ],
)
def test_an_inflected_cyrillic_word_is_read_as_the_nominative_the_lists_hold(
    inflected: str, name: str, person: bool
) -> None:
    gazetteer = packaged_gazetteer()

    assert gazetteer.kind(inflected) == KNOWN
    assert gazetteer.is_name(inflected) == gazetteer.is_name(name)
    assert gazetteer.is_place(inflected) == gazetteer.is_place(name)
    assert gazetteer.is_name(inflected) if person else gazetteer.is_place(inflected)


@pytest.mark.parametrize(
    "word",
    [
        "планы",  # "план", plan, in the plural, though "плана" is listed
        "нашей",  # "наш", our, though "нашь" reads as "nash"
        "новой",  # "новая", new: an everyday word among its nominatives
        "маски",  # masks: no vowel drops before к ("масек")
        "компании",  # a Russian word is not read in Ukraine's spelling ("kompany")
    ],
)
def test_an_everyday_word_whose_ending_could_make_a_listed_name_is_nothing(word: str) -> None:
    assert packaged_gazetteer().kind(word) == NOTHING


@pytest.mark.parametrize(
    "sentence",
    [
        "Планы на квартал: запуск рассылки и обновление сайта.",
        "Нашей команде нужен пост о новых функциях.",
        "Маски для лица закончились, напиши объявление для офиса.",
    ],
)
def test_an_everyday_inflected_noun_opening_a_sentence_is_not_masked(guard: Guard, sentence: str) -> None:
    assert guard.check_prompt(sentence).mapping == {}


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("Подякуй Олегові за звіт.", "Олегові"),
        ("Поздравь Ирину Петрову с юбилеем.", "Ирину Петрову"),
        ("Надішліть Оксані рахунок.", "Оксані"),
        ("Напишите Анне Сергеевне письмо.", "Анне Сергеевне"),
    ],
)
def test_an_order_opening_the_sentence_is_no_part_of_the_name_after_it(guard: Guard, sentence: str, name: str) -> None:
    checked = guard.check_prompt(sentence)

    assert list(checked.mapping.values()) == [name]


def test_a_surname_opening_the_sentence_stays_in_the_name(guard: Guard) -> None:
    # Adjective-like surnames end as no order does: "Толстой" is his, not a verb.
    assert list(guard.check_prompt("Толстой Лев Николаевич написал роман.").mapping.values()) == [
        "Толстой Лев Николаевич"
    ]
