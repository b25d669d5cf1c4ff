"""The nominative forms a Russian or Ukrainian word may have, read off its case ending.

Both languages decline names and places: "письмо Светланы Викторовны", "Ивану Петровичу",
"в Калуге", "из Новосибирска", "у Одесі", "з Харкова", "Шановна Олено". The lists hold the
nominative ("Svetlana", "Kaluga", "Kharkiv"), so a word not listed as written is looked up again
as each nominative its ending allows (``nominatives``): the endings of the noun declensions (a
consonant, -а/-я, -ь, -о), of the adjectival surnames and places (-ский, -ая, "Нижний"), a
patronymic's father ("Викторовна", "Сергійович"), the Ukrainian і of a closed last syllable
("Харків", "Київ", "Львів": "Харкова", "Києві") and the Russian vowel that drops before an
ending ("Павел": "Павла", "Лев": "Льва").

The rules know no words: the gazetteer accepts the first candidate its lists hold, and stops at
one that is an everyday word ("Новой" is "нова", new).
"""

# Cyrillic letters on purpose.
# ruff: noqa: RUF001, RUF002, RUF003

from __future__ import annotations

from collections.abc import Iterator

# A case ending and the nominative endings it may stand for, the likelier first. Longer endings
# are read first ("ому" before "у"); the vocative is Ukrainian ("Олено", "Іване", "Маріє").
_CASE_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Adjectival: surnames in -ский/-ская/-ой, places like "Нижний".
    ("ого", ("ий", "ый", "ой")),
    ("его", ("ий",)),
    ("ому", ("ий", "ый", "ой")),
    ("ему", ("ий",)),
    ("ую", ("ая",)),
    ("юю", ("яя",)),
    ("ої", ("а",)),
    # A masculine noun in the Ukrainian dative or locative ("Тарасові", "Харкові", "Сергієві").
    ("ові", ("", "о")),
    ("еві", ("ь", "й", "")),
    ("єві", ("й",)),
    # Instrumental: "Иваном", "Игорем", "Сергієм", "Анной", "Оленою", "Марией", "Марією", "Пермью";
    # of a surname in -ов/-ин, "Петровым", "Петровой".
    ("ом", ("", "о")),
    ("ем", ("ь", "й", "")),
    ("ём", ("ь", "й")),
    ("єм", ("й",)),
    ("ым", ("", "ый")),
    ("им", ("", "ий")),
    ("ой", ("а", "", "ая", "ой")),
    ("ою", ("а", "ая")),
    ("ей", ("я", "ь", "яя")),
    ("ею", ("я", "ь")),
    ("єю", ("я",)),
    ("ью", ("ь",)),
    # The plural of a family: "у Петровых".
    ("ых", ("", "ый")),
    ("их", ("", "ий")),
    # Genitive, dative, accusative, locative, vocative.
    ("а", ("", "о")),
    ("я", ("ь", "й")),
    ("у", ("", "а", "о")),
    ("ю", ("ь", "й", "я")),
    ("е", ("", "а", "я", "ь", "й", "о")),
    ("є", ("я",)),
    # -ы and -и are also the plural of a masculine noun ("Планы", "Итоги"), read first: an everyday
    # noun's stem then stops the look-up before a name its genitive resembles ("плана").
    ("ы", ("", "а")),
    ("и", ("", "а", "я", "ь", "й")),
    ("і", ("", "а", "я", "ь", "о", "й")),
    ("ї", ("я",)),
    ("о", ("а",)),
)
# Patronymics and the father's name they end with ("Викторовна" is Виктор's daughter,
# "Сергеевич" Сергей's son, "Олександрівна", "Сергіївна", "Никитична").
_PATRONYMIC_ENDINGS = ("ьевич", "ьевна", "ович", "евич", "овна", "евна", "івна", "ївна", "ична")
_CONSONANTS = frozenset("бвгґджзйклмнпрстфхцчшщ")
_VOWELS = frozenset("аеёиоуыэюяіїє")
# The shortest stem a case ending is taken off ("Льва" is "Лев", "Юле" is "Юля"): shorter ones
# are pronouns and particles.
_MIN_STEM = 2


def nominatives(lower: str) -> Iterator[str]:
    """The nominative forms ``lower`` (a Cyrillic word in lower case) may be a case of, the
    likelier first: its case endings taken off, then the fathers of the patronymics among those
    and the forms with the vowel of the last syllable a case takes away or changes."""
    direct = list(_case_nominatives(lower))
    yield from direct
    for nominative in (lower, *direct):
        yield from _fathers(nominative)
        yield from _with_last_vowel(nominative)


def stems(lower: str) -> Iterator[str]:
    """``lower`` less each case ending it may have: an everyday word among them ("план" of
    "Планы", "наш" of "Нашей") makes the word an everyday one too, whatever name its endings
    could also make ("Плана", "Нашь")."""
    for ending, _ in _CASE_ENDINGS:
        stem = lower[: -len(ending)]
        if lower.endswith(ending) and len(stem) >= _MIN_STEM:
            yield stem


def _case_nominatives(lower: str) -> Iterator[str]:
    return case_nominatives(lower, _CASE_ENDINGS, _MIN_STEM)


def case_nominatives(lower: str, endings: tuple[tuple[str, tuple[str, ...]], ...], min_stem: int) -> Iterator[str]:
    """``lower`` with each case ending of ``endings`` it has (longer ones first) taken off a stem
    of at least ``min_stem`` letters and each nominative ending that case may stand for put back."""
    for ending, replacements in endings:
        stem = lower[: -len(ending)]
        if lower.endswith(ending) and len(stem) >= min_stem:
            for replacement in replacements:
                yield stem + replacement


def _fathers(nominative: str) -> Iterator[str]:
    """The father's name of a patronymic in the nominative: "Викторович" -> "Виктор",
    "Николаевич" -> "Николай", "Юрьевич" -> "Юрий", "Сергіївна" -> "Сергій", "Петрович" ->
    "Петр", "Петро", "Миколаївна" -> "Микола", "Никитична" -> "Никита"."""
    for ending in _PATRONYMIC_ENDINGS:
        if not nominative.endswith(ending):
            continue
        stem = nominative[: -len(ending)]
        if len(stem) < _MIN_STEM:
            return
        if ending == "ична":
            yield stem + "а"
        elif stem[-1] in _VOWELS:
            yield stem + "й"
            yield stem
        elif ending.startswith("ь"):
            yield stem + "ий"
        else:
            yield stem
            yield stem + "о"
        return


def _with_last_vowel(nominative: str) -> Iterator[str]:
    """A masculine nominative with the vowel a case took from its last syllable: the Ukrainian і
    of a closed syllable ("Харков" -> "Харків", "Києв" -> "Київ") and the Russian fleeting е or
    о before л ("Павл" -> "Павел", "Орл" -> "Орел") or after ь ("Льв" -> "Лев"); elsewhere it
    made names of everyday plurals ("Маски" as "Масек")."""
    if len(nominative) < _MIN_STEM + 1 or nominative[-1] not in _CONSONANTS:
        return
    before = nominative[-2]
    if before in "ое":
        yield nominative[:-2] + "і" + nominative[-1]
    elif before == "є":
        yield nominative[:-2] + "ї" + nominative[-1]
    elif before == "ь":
        yield nominative[:-2] + "е" + nominative[-1]
    elif before in _CONSONANTS and nominative[-1] == "л":
        yield nominative[:-1] + "е" + nominative[-1]
        yield nominative[:-1] + "о" + nominative[-1]
