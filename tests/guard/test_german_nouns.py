"""German nouns after an article, pronoun, count, preposition or opening adjective, or known by their
ending, are not names; names and places still are."""

from __future__ import annotations

import pytest

from bot.guard import Guard
from bot.guard.german_nouns import in_german_sentence, is_a_german_noun
from bot.guard.ner_gate import NER_WORD_LISTS, gazetteer_from


@pytest.fixture(scope="module")
def gazetteer():
    return gazetteer_from(NER_WORD_LISTS)


def _words(text: str) -> list[str]:
    return text.replace(",", " ,").replace(".", " .").split()


def test_a_sentence_is_german_by_its_own_function_words_or_by_the_prompt() -> None:
    texts = _words(
        "Bitte bleib in der Rolle und antworte kurz mit einem Satz . Rolle ? Write the summary for the team ."
    )

    flags = [in_german_sentence(texts, index) for index in range(len(texts))]

    assert flags[texts.index("bleib")] and flags[texts.index("?")]  # too short to tell: the prompt's
    assert not flags[texts.index("summary")]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Bitte bleib in der Rolle und antworte kurz .", "Rolle"),
        ("Die Aufbewahrung wird auf 30 Tage erhöht , sobald das Archiv läuft .", "Tage"),
        ("Wir haben eine neue Ware im Lager und sie ist gut .", "Ware"),
        ("Wir fahren mit dem Rad zur Arbeit und nicht mit dem Auto .", "Rad"),
    ],
)
def test_a_capitalised_word_after_a_determiner_in_german_is_a_noun(gazetteer, text: str, word: str) -> None:
    texts = _words(text)
    index = texts.index(word)

    assert is_a_german_noun(texts, index, index + 1, gazetteer)


def test_the_determiners_a_span_opens_with_are_part_of_the_noun(gazetteer) -> None:
    texts = _words("Das Meeting ist auf Donnerstag verschoben . Viele Grüße , Marta")
    start = texts.index("Viele")

    assert is_a_german_noun(texts, start, start + 2, gazetteer)
    assert not is_a_german_noun(texts, texts.index("Marta"), texts.index("Marta") + 1, gazetteer)


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Bei Fragen meldet euch bitte bis Freitag bei mir .", "Bei Fragen"),  # a preposition, a plural
        ("Das Büro bleibt wegen Bauarbeiten bis Montag geschlossen .", "Bauarbeiten"),
        (
            "Liebe Mitglieder , das Vereinsheim ist am Samstag nicht geöffnet und wir bitten um Geduld .",
            "Liebe Mitglieder",
        ),
        (
            "Neue Bankverbindung ab sofort , bitte ändert die Daueraufträge und schickt uns eine Zeile .",
            "Neue Bankverbindung",
        ),
        (
            "Erkläre mir bitte , wie die Mehrwertsteuer auf einer Rechnung steht .",
            "Mehrwertsteuer",
        ),  # a compound's head
        ("Ohne Anmeldung ist keine Teilnahme möglich , das ist wichtig .", "Ohne Anmeldung"),  # a suffix
        ("Der Urlaub geht vom 3 . bis 14 . Juli und ich bin nicht erreichbar .", "Juli"),  # a month after a day
    ],
)
def test_a_noun_known_by_a_preposition_an_opening_adjective_or_its_ending(gazetteer, text: str, span: str) -> None:
    texts = _words(text)
    pieces = span.split()
    start = texts.index(pieces[0])

    assert is_a_german_noun(texts, start, start + len(pieces), gazetteer)


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Ohne Gennaro wäre das Projekt nicht fertig , bitte bedanke dich bei ihm .", "Gennaro"),  # no plural ending
        (
            "Liebe Anna , vielen Dank für die Hilfe bei der Messe und auch für den Kuchen .",
            "Liebe Anna",
        ),  # a listed name
        ("Bitte schicke das für Dennis an die Buchhaltung und nicht an mich .", "Dennis"),
        ("Morgen übernimmt Herr Hartung die Vertretung für das Team .", "Hartung"),  # listed, though "-ung" ends it
        ("STYLEGUIDE Haferwerk : bitte schreibe die Texte mit dem neuen Ton .", "Haferwerk"),  # capitals: no adjective
        ("Wir lesen im Kurs ein Buch von Juli Zeh und sprechen darüber .", "Juli Zeh"),  # a month, a name
    ],
)
def test_names_after_a_preposition_or_an_opening_word_keep_their_mask(gazetteer, text: str, span: str) -> None:
    texts = _words(text)
    pieces = span.split()
    start = texts.index(pieces[0])

    assert not is_a_german_noun(texts, start, start + len(pieces), gazetteer)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Im Sommer fahren wir in die Schweiz und an die Elbe .", "Schweiz"),  # places that take an article
        ("Im Sommer fahren wir in die Schweiz und an die Elbe .", "Elbe"),
        ("Wir besuchen die schöne Halle und das alte Zentrum .", "Halle"),  # a listed town, with an adjective
        ("Kundenservice , Am Sande 1 , 21335 Lüneburg , ist für Sie da .", "Sande"),  # a house number follows
        ("Bitte schicke die Unterlagen an Oevelgönne 60 , 22605 Hamburg , und nicht mit der Post .", "Hamburg"),
        ("Der Handel in der Goethestraße fürchtet den Wegfall der Parkplätze .", "Goethestraße"),
        ("I met the Keller family at the office and they were kind .", "Keller"),  # not German
        ("Bis zu drei Tage pro Woche können wir arbeiten , sagt Herr Kraft .", "Kraft"),
    ],
)
def test_places_streets_names_and_other_languages_are_no_german_noun(gazetteer, text: str, word: str) -> None:
    texts = _words(text)
    index = texts.index(word)

    assert not is_a_german_noun(texts, index, index + 1, gazetteer)


def test_the_pieces_of_a_hyphenated_street_are_read_together(gazetteer) -> None:
    texts = ["Der", "Handel", "in", "der", "Karl", "-", "Liebknecht", "-", "Straße", "fürchtet", "den", "Wegfall", "."]

    assert not is_a_german_noun(texts, 4, 5, gazetteer)


@pytest.mark.parametrize(
    ("prompt", "nouns"),
    [
        ("Bleib bitte in der Rolle, bis ich etwas anderes sage, und antworte immer freundlich.", ["Rolle"]),
        ("Das Meeting ist auf Donnerstag verschoben. Viele Grüße, Marta", ["Viele Grüße"]),
        ("Die Aufbewahrung wird auf 30 Tage erhöht, sobald das neue Archiv läuft.", ["Tage"]),
        ("Bitte senden Sie die Ware mit dem beigefügten Etikett an uns zurück.", ["Ware"]),
        (
            "Schreib eine Mail an das Team: Bei Fragen zu den neuen Öffnungszeiten meldet euch bitte bei mir.",
            ["Bei Fragen", "Öffnungszeiten"],
        ),
        ("Formuliere höflicher: Ohne Anmeldung ist keine Teilnahme an der Schulung möglich.", ["Anmeldung"]),
    ],
)
def test_german_nouns_are_left_as_written(guard: Guard, prompt: str, nouns: list[str]) -> None:
    masked = guard.check_prompt(prompt).masked_text

    assert all(noun in masked for noun in nouns)


@pytest.mark.parametrize(
    ("prompt", "names"),
    [
        ("Das Meeting ist auf Donnerstag verschoben. Viele Grüße, Marta", ["Marta"]),
        ("Bis zu drei Tage pro Woche können wir mobil arbeiten, sagt Herr Kraft.", ["Kraft"]),
        ("Im Sommer fahren wir mit Jonas Becker aus Leipzig in die Schweiz.", ["Jonas Becker", "Leipzig", "Schweiz"]),
        ("Kundenservice, Am Sande 1, 21335 Lüneburg, ist bis Freitag für Sie erreichbar.", ["Sande 1", "Lüneburg"]),
        ("Bitte schicke die Unterlagen an Oevelgönne 60, 22605 Hamburg, nicht an die alte.", ["Hamburg"]),
        ("Write a note: the Keller family moves in on Monday and Sturm brings the keys.", ["Keller", "Sturm"]),
        ("Schreibe eine Nachricht: Ohne Gennaro wäre das Projekt nicht fertig geworden, danke!", ["Gennaro"]),
        ("Liebe Anna, vielen Dank für deine Hilfe bei der Messe in Leipzig.", ["Anna", "Leipzig"]),
    ],
)
def test_names_places_and_addresses_around_german_nouns_are_still_masked(
    guard: Guard, prompt: str, names: list[str]
) -> None:
    masked = guard.check_prompt(prompt).masked_text

    assert not any(name in masked for name in names)
