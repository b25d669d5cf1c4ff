"""Greek names and places are found in any case; everyday Greek words are not."""

from __future__ import annotations

import pytest

from bot.guard.gazetteer import KNOWN, NOTHING
from bot.guard.greek_words import latin_spellings, nominatives, unaccented
from bot.guard.ner_gate import packaged_gazetteer
from bot.guard.service import Guard


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("Γράψε ένα email στον Γιώργο Παπαδόπουλο για τη συνάντηση.", ["Γιώργο Παπαδόπουλο"]),
        ("Κύριε Παπαδόπουλε, σας ευχαριστούμε για τη συνεργασία.", ["Παπαδόπουλε"]),
        ("Ενημέρωσε τον Κώστα ότι το πακέτο του Νίκου έφτασε.", ["Κώστα", "Νίκου"]),
        ("Η παρουσίαση της Μαρίας ήταν εξαιρετική, γράψε ένα ευχαριστώ.", ["Μαρίας"]),
        ("Ανοίγουμε γραφείο στη Θεσσαλονίκη και αποθήκη στο Ηράκλειο.", ["Θεσσαλονίκη", "Ηράκλειο"]),
        ("Η ομάδα από την Αθήνα θα επισκεφθεί το κατάστημα της Λευκωσίας.", ["Αθήνα", "Λευκωσίας"]),
        ("Φίλε Κωνσταντίνε, στείλε μου τα στοιχεία του Αλέξη.", ["Κωνσταντίνε", "Αλέξη"]),
    ],
)
def test_a_greek_name_or_place_in_any_case_is_masked(guard: Guard, sentence: str, names: list[str]) -> None:
    checked = guard.check_prompt(sentence)

    for name in names:
        assert name not in checked.masked_text
        assert name in checked.mapping.values()


def test_a_greek_city_is_masked_as_a_place_though_a_woman_bears_its_name_unaccented(guard: Guard) -> None:
    # "Αθήνα" is the city, "Αθηνά" a woman: the accents tell them apart.
    checked = guard.check_prompt("Η ομάδα της Αθήνας θα συναντήσει τον Στέφανο.")

    assert checked.mapping.get("<LOCATION_1>") == "Αθήνας"
    assert checked.mapping.get("<PERSON_1>") == "Στέφανο"


def test_names_and_places_the_model_calls_an_address_are_masked_each_without_the_words_between(
    guard: Guard,
) -> None:
    checked = guard.check_prompt("Η Γεωργία Καραγιάννη από το Λονδίνο θα έρθει στην Αθήνα.")

    assert "από το" in checked.masked_text
    assert set(checked.mapping.values()) == {"Γεωργία Καραγιάννη", "Λονδίνο", "Αθήνα"}


@pytest.mark.parametrize(
    "sentence",
    [
        "Μέσα στην εβδομάδα θα στείλουμε τα νέα προϊόντα.",
        "Αλλά η προσφορά λήγει σύντομα, γράψε μια υπενθύμιση.",
        "Νέα συνεργασία με μεγάλο πελάτη, γράψε ένα δελτίο τύπου.",
        "Περίληψη: η προθεσμία λήγει την Παρασκευή.",
        "Η ομάδα θα επισκεφθεί το εργοστάσιο τον Μάρτιο και ξανά τον Ιούνιο.",
        "Αγαπητέ κύριε, σας ενημερώνουμε ότι η παραγγελία σας στάλθηκε.",
        "Το γραφείο θα είναι κλειστό από 24 Δεκεμβρίου έως 2 Ιανουαρίου.",
    ],
)
def test_everyday_greek_words_opening_or_inside_a_sentence_are_not_masked(guard: Guard, sentence: str) -> None:
    assert guard.check_prompt(sentence).mapping == {}


@pytest.mark.parametrize(
    ("inflected", "nominative"),
    [
        ("γιώργο", "γιώργος"),  # the accusative of a masculine in -ος
        ("παπαδόπουλε", "παπαδόπουλος"),  # its vocative
        ("νίκου", "νίκος"),  # its genitive
        ("κώστα", "κώστας"),  # a masculine in -ας
        ("δημήτρη", "δημήτρης"),  # a masculine in -ης
        ("μαρίας", "μαρία"),  # the genitive of a feminine ("Μαρία")
        ("ελένης", "ελένη"),  # of one in -η
        ("θεσσαλονίκης", "θεσσαλονίκη"),
        ("χανίων", "χανιά"),  # the genitive of a place named in the plural
    ],
)
def test_an_inflected_greek_word_is_read_as_the_nominative_the_lists_hold(inflected: str, nominative: str) -> None:
    gazetteer = packaged_gazetteer()

    assert gazetteer.kind(inflected) == KNOWN
    assert gazetteer.is_name(inflected) == gazetteer.is_name(nominative)
    assert gazetteer.is_place(inflected) == gazetteer.is_place(nominative)


def test_a_greek_word_is_read_without_its_accents_and_in_latin_letters() -> None:
    gazetteer = packaged_gazetteer()

    assert gazetteer.kind("γιωργος") == KNOWN  # typed without accents
    assert gazetteer.kind("λευκωσίας") == KNOWN  # listed only as "lefkosia"
    assert gazetteer.is_place("λευκωσίας")


@pytest.mark.parametrize(
    "word",
    [
        "μαρτίου",  # "μάρτιος", March, in the genitive
        "παρασκευή",  # Friday, a name too
        "αγαπητέ",  # the vocative of "dear"
        "νέα",  # new, the first word of many places ("Νέα Σμύρνη")
        "μέσα",  # inside, a word of a longer place
        "αλλά",  # but, "alla" in Latin letters
        "της",  # an article: too short to be read at all
    ],
)
def test_an_everyday_greek_word_is_nothing_whatever_its_case(word: str) -> None:
    assert packaged_gazetteer().kind(word) == NOTHING


def test_greek_letters_are_spelt_as_elot_743_and_the_common_spelling_of_a_first_letter() -> None:
    assert latin_spellings("γιωργος") == ("giorgos",)
    assert latin_spellings("ευαγγελια") == ("evangelia",)
    assert latin_spellings("λευκωσια") == ("lefkosia",)
    assert latin_spellings("μπαμπης") == ("mpampis", "bampis")


def test_a_case_ending_gives_the_nominatives_it_may_stand_for_keeping_the_stems_accents() -> None:
    assert list(nominatives("γιώργο")) == ["γιώργος"]
    assert "αθήνα" in nominatives("αθήνας")
    assert list(nominatives("της")) == []  # no stem left to read
    assert unaccented("Ηράκλειο".lower()) == "ηρακλειο"
