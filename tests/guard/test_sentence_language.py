"""Capitalised words no list knows are names in English sentences and nouns in German ones: in a
sentence of another language they neither send the sentence to the name model nor back what it
tags; names the lists know are masked in any language."""

from __future__ import annotations

import pytest

from bot.guard import Guard
from bot.guard.ner_gate import sentence_ends
from bot.guard.sentence_language import foreign_sentences


def test_each_token_is_flagged_with_the_language_of_its_sentence() -> None:
    texts = [
        "Write",
        " ",
        "it",
        " ",
        "for",
        " ",
        "the",
        " ",
        "team",
        ".",
        "\n",
        "Fasse",
        " ",
        "das",
        " ",
        "für",
        " ",
        "die",
        " ",
        "Leitung",
        " ",
        "zusammen",
        ".",
    ]

    flags = foreign_sentences(texts, sentence_ends(texts))

    assert flags.decided == [False] * 11 + [True] * 12
    assert flags.read_with_the_prompt == flags.decided


@pytest.mark.parametrize(
    "sentence",
    [
        "Hi",
        "Ask Dan and the team about the rollout.",  # no function word of another language
        "Book a table at Casa de la Abuela in Los Angeles for the team.",  # Spanish names, English sentence
    ],
)
def test_english_sentences_with_foreign_names_are_english(sentence: str) -> None:
    texts = sentence.replace(".", " .").split()

    flags = foreign_sentences(texts, sentence_ends(texts))

    assert not any(flags.decided) and not any(flags.read_with_the_prompt)


@pytest.mark.parametrize(
    "prompt",
    [
        "Fasse das Protokoll der Betriebsversammlung für die Geschäftsführung zusammen.",
        "Die Kernarbeitszeit gilt auch für den Standort am Hafen.",
    ],
)
def test_nouns_of_a_german_sentence_are_not_masked_as_names(guard: Guard, prompt: str) -> None:
    assert guard.mask(prompt).text == prompt


def test_names_the_lists_know_are_masked_in_a_german_sentence(guard: Guard) -> None:
    masked = guard.mask("Bitte schreibe eine Mail an Frau Yilmaz und Herrn Oyelaran wegen der Lieferung.")

    assert "Yilmaz" not in masked.text and "Oyelaran" not in masked.text
    assert masked.text.startswith("Bitte schreibe eine Mail an ")


@pytest.mark.parametrize(
    ("prompt", "kept", "masked"),
    [
        ("Und dann schreib bitte eine kurze Mail an Claire Dubois für den Montag.", "Und dann", "Claire Dubois"),
        ("Para la campaña de verano necesitamos un texto para Lucía Fernández.", "Para la", "Lucía Fernández"),
    ],
)
def test_a_function_word_opening_a_foreign_sentence_is_no_surname(
    guard: Guard, prompt: str, kept: str, masked: str
) -> None:
    text = guard.mask(prompt).text

    assert text.startswith(kept) and masked not in text


def test_a_sentence_too_short_to_tell_takes_the_prompts_language() -> None:
    prompt = "Vamos a ir de Bogotá a Cartagena en carro con los niños por la costa . ¿ Es seguro ?"
    texts = prompt.split()

    flags = foreign_sentences(texts, sentence_ends(texts))

    assert all(flags.read_with_the_prompt)
    assert not all(flags.decided)  # the question alone holds no Spanish function word
    english = "Write a post for the team about the launch . Is it safe ?".split()
    assert not any(foreign_sentences(english, sentence_ends(english)).read_with_the_prompt)


@pytest.mark.parametrize(
    ("prompt", "kept"),
    [
        # Articles, pronouns and auxiliaries that are also names, places or English words.
        ("Hazme un resumen: La fotosíntesis es el proceso por el que las plantas producen azúcar.", "La"),
        ("Kannst du eine Mail an meinen Vermieter schreiben? Er ist seit Wochen nicht erreichbar.", "Er"),
        ("Ho questo errore in Python. Il codice è questo, cosa sbaglio?", "Il"),
        ("Ma belle-mère vient dîner samedi et je ne sais pas quoi cuisiner pour elle.", "Ma"),
        # A day of the week that is also a surname.
        ("Bitte schicken Sie uns die Liste der Mitarbeiter bis Freitag, es ist dringend.", "Freitag"),
    ],
)
def test_everyday_words_of_a_foreign_sentence_are_not_masked(guard: Guard, prompt: str, kept: str) -> None:
    assert kept in guard.mask(prompt).text


@pytest.mark.parametrize(
    ("prompt", "masked"),
    [
        ("La propuesta es para Lucía Fernández y su equipo de ventas en Sevilla.", "Lucía Fernández"),
        ("Schreib eine Mail an Claire Dubois, sie ist für die Planung zuständig.", "Claire Dubois"),
    ],
)
def test_names_in_those_sentences_are_still_masked(guard: Guard, prompt: str, masked: str) -> None:
    assert masked not in guard.mask(prompt).text


@pytest.mark.parametrize(
    ("prompt", "kept", "masked"),
    [
        # A form's field labels and a subject line are no names; the people after them are.
        (
            "Fasse bitte die Mail für das Team zusammen:\n\nBetreff: Anfrage Musterteile\nAnforderungen: Studium\n"
            "Teilnehmende: Anja Roth, Peter Lindner",
            ["Betreff", "Anfrage Musterteile", "Anforderungen", "Teilnehmende"],
            ["Anja Roth", "Peter Lindner"],
        ),
        (
            "Transforme ces notes en compte rendu pour les équipes :\n\nPrésents : Élodie Blanc, Marc Petit\n"
            "Objet : Votre réclamation",
            ["Présents", "Objet", "Votre"],
            ["Élodie Blanc"],
        ),
        # A field's label opening a sentence, a length set in words, a title before a surname.
        (
            "Scrivi un annuncio di lavoro che sia chiaro e non troppo lungo. Requisiti: diploma. "
            "Massimo 60 parole. Referente: Dott. Paolo Ferri.",
            ["Requisiti", "Massimo 60 parole", "Referente"],
            ["Paolo Ferri"],
        ),
        # A job ad with no function word to tell its language by, told by its letters.
        (
            "Ogłoszenie o pracę: Specjalista ds. księgowości, praca hybrydowa.\n"
            "Wymagania: 2 lata doświadczenia\nOferujemy: opiekę medyczną\nKontakt: Joanna Lis",
            ["Wymagania", "Oferujemy"],
            ["Joanna Lis"],
        ),
        # Nouns of a German list no list knows, told by their endings.
        (
            "Schreib bitte einen Produkttext für den Rucksack, er ist wasserabweisend und hat "
            "Rückenbelüftung, Regenhülle und ein Kinderprogramm-Set für Frau Jana Schulte.",
            ["Rückenbelüftung", "Kinderprogramm"],
            ["Jana Schulte"],
        ),
        # Cyrillic labels and a mail's subject line.
        ("Переведи письмо:\n\nОт: Ольга Ветрова\nТема: Поставка для склада", ["Тема", "Поставка"], ["Ольга Ветрова"]),
        # Days and months of other languages, and their sign-offs.
        ("Bitte schreib an das Team, dass das Review am Donnerstag ist.\nFreundliche Grüße", ["Donnerstag"], []),
        # A noun and a count in another language are no address; a street with its number is.
        (
            "Schreib bitte einen Text für die Messe: Standgröße 24 qm, 4 Sterne und 2 Jahre Garantie. "
            "Wir sind in der Lindenstraße 12 in Köln.",
            ["Standgröße 24", "4 Sterne", "2 Jahre Garantie"],
            ["Lindenstraße 12"],
        ),
    ],
)
def test_field_labels_subject_lines_counts_and_dates_of_a_foreign_prompt_are_not_masked(
    guard: Guard, prompt: str, kept: list[str], masked: list[str]
) -> None:
    text = guard.mask(prompt).text

    assert all(word in text for word in kept)
    assert not any(name in text for name in masked)


def test_a_speaker_of_an_english_transcript_is_still_masked(guard: Guard) -> None:
    text = guard.mask("Summarise the call:\nOkafor: we ship on Monday.\nPriya: fine by me.").text

    assert "Okafor" not in text and "Priya" not in text
