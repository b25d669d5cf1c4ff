"""The packaged NER model: what a default installation masks, and how the model is built.

The sentences here were written for these tests; none is a training template.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Span

from bot.guard import Guard, apply_restore_policy
from bot.guard.gazetteer import KNOWN, NOTHING, POSSIBLE
from bot.guard.ner import GATED_NER
from bot.guard.ner_corpus import generate
from bot.guard.ner_gate import (
    WINDOW_TOKENS,
    is_plausible,
    lexicon_spans,
    packaged_gazetteer,
    sentences_to_tag,
    windows_around_hints,
)
from bot.guard.ner_training import train
from bot.guard.pii import PACKAGED_NER_MODEL
from bot.guard.tokenizer import WordPunctTokenizer


@cache
def blank_english() -> Language:
    """One blank English pipeline for the module's tokenizing: building one takes longer than the
    checks it serves, and tokenizing a text leaves the pipeline as it was."""
    return spacy.blank("en")


def test_default_guard_loads_the_packaged_model(guard: Guard) -> None:
    assert (PACKAGED_NER_MODEL / "meta.json").exists()
    assert guard.names_enabled
    assert {"PERSON", "LOCATION", "ADDRESS"} <= set(guard.analyzer.entities)


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("Could you put together a retirement speech for Margaret Okonkwo, she leaves in June?", "Margaret Okonkwo"),
        ("Yesterday Henrik Lindqvist demoed the new dashboard to the board.", "Henrik Lindqvist"),
        ("Remind Lucía Fernández that the slides are due.", "Lucía Fernández"),
        # The 1.1 model misses this one; the gazetteer's run of capitalised words with a known
        # first name finds it.
        ("Put a kudos in #general for Rajesh Iyer, he stayed late to fix billing.", "Rajesh Iyer"),
    ],
)
def test_default_guard_masks_person_names(guard: Guard, sentence: str, name: str) -> None:
    prompt = guard.check_prompt(sentence)

    assert name not in prompt.masked_text
    assert "PERSON" in prompt.entities


@pytest.mark.parametrize(
    ("sentence", "place"),
    [
        ("Draft a teaser for our roadshow stop in Rotterdam next spring.", "Rotterdam"),
        ("This year we open offices in Kraków and Nairobi.", "Kraków"),
        ("Write an Instagram caption about the sunrise over Lisbon.", "Lisbon"),
        # Listed whole, every word an everyday one.
        ("We moved the team to Salt Lake City last year.", "Salt Lake City"),
        ("Book the hotel in Little Rock for the roadshow.", "Little Rock"),
    ],
)
def test_default_guard_masks_places(guard: Guard, sentence: str, place: str) -> None:
    prompt = guard.check_prompt(sentence)

    assert place not in prompt.masked_text
    assert prompt.entities


@pytest.mark.parametrize(
    ("sentence", "street"),
    [
        ("The pop-up store opens at 47 Harbour Lane, Brighton on Saturday; write a flyer.", "47 Harbour Lane"),
        ("Return the samples to 1290 Maple Avenue, Springfield please.", "1290 Maple Avenue"),
        ("Courier pickup is from Kastanienallee 12, Berlin at noon.", "Kastanienallee 12"),
    ],
)
def test_default_guard_masks_street_addresses(guard: Guard, sentence: str, street: str) -> None:
    prompt = guard.check_prompt(sentence)

    assert street not in prompt.masked_text
    assert set(prompt.entities) & {"ADDRESS", "LOCATION"}


@pytest.mark.parametrize(
    "sentence",
    [
        "Write a LinkedIn post about why code review matters.",
        "Give me five ideas for a Friday team lunch.",
        "Summarise this paragraph in two sentences and keep the tone friendly.",
    ],
)
def test_default_guard_leaves_plain_requests_alone(guard: Guard, sentence: str) -> None:
    assert guard.check_prompt(sentence).masked_text == sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "Write a product description with dry British wit for our spring sale.",
        "Summarise how the Croatian and Serbian press covered the Baptist conference.",
        "Draft release notes for version 2.14.3 of the Backend Service, shipped on 2024-06-01.",
        "Order 2024-000123 and invoice INV-88213 were refunded on 03/04/2025 for $1,249.99.",
        "Rate this email as Worried, Optimistic or Assertive and explain why.",
        "Explain when to reach for Redux Toolkit instead of plain hooks.",
        "Compare the Pixel Buds Pro with the Galaxy Buds in a short table.",
        # Names and places inside an organisation's or a product's name, a term that opens a
        # sentence, a thing called something, common words that are towns too.
        "Summarise the study by Harvard University and the University of Texas on wind power.",
        "Write an unboxing script for the Galaxy Z Fold 6 and the iPhone 15 Pro Max.",
        "Explain how to page results with the Django API and cache them.",
        "Kotlin is a language; explain coroutines to a beginner.",
        "Pitch a new app called Lisbon that plans weekend hikes, and a bakery named Priya.",
        "Rewrite the intro, then Split the outline into two parts.",
        "Plan a Halloween party and a trip to see Saturn through a telescope.",
        "Write a Julia function that sorts a list, then port this Ruby script to Go.",
    ],
)
def test_everyday_requests_with_nationalities_products_dates_and_ids_are_not_masked(
    guard: Guard, sentence: str
) -> None:
    assert guard.check_prompt(sentence).masked_text == sentence


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("Our British Columbia team meets in Vancouver on Friday.", "Vancouver"),
        ("Write a welcome note for Ngozi Adeyemi, who joins the Lagos office.", "Ngozi Adeyemi"),
        ("Ship the samples to 221 Harbour Lane before the Danish launch.", "221 Harbour Lane"),
        ("Ask Julia to review the code before Friday.", "Julia"),
        ("Summarise the visit to Cambridge for the newsletter.", "Cambridge"),
    ],
)
def test_names_and_places_beside_everyday_capitalised_words_are_still_masked(
    guard: Guard, sentence: str, value: str
) -> None:
    assert value not in guard.check_prompt(sentence).masked_text


def test_restore_policy_puts_names_and_places_back(guard: Guard) -> None:
    prompt = guard.check_prompt("Write a thank-you note to Margaret Okonkwo for the visit to Rotterdam.")
    person = next(p for p, value in prompt.mapping.items() if value == "Margaret Okonkwo")
    place = next(p for p, value in prompt.mapping.items() if value == "Rotterdam")
    model_output = f"Dear {person}, thank you for the wonderful days in {place}!"

    assert apply_restore_policy(model_output, prompt.mapping, restore=True) == (
        "Dear Margaret Okonkwo, thank you for the wonderful days in Rotterdam!"
    )
    assert apply_restore_policy(model_output, prompt.mapping, restore=False) == model_output


def test_only_sentences_with_a_capitalised_uncommon_word_reach_the_model() -> None:
    nlp = blank_english()
    doc = nlp("Write a short post. Please keep it brief!\nThank Jonas for the demo. what about tomorrow?")

    assert [span.text for span in sentences_to_tag(doc)] == ["Thank Jonas for the demo."]


@pytest.mark.training
def test_generated_corpus_is_reproducible() -> None:
    first = list(generate(40, seed=7))

    assert first == list(generate(40, seed=7))
    assert first != list(generate(40, seed=8))
    assert any(sentence.entities for sentence in first)
    assert any(not sentence.entities for sentence in first)
    for sentence in first:
        for start, end, label in sentence.entities:
            assert label in {"PERSON", "LOCATION", "ADDRESS"}
            assert sentence.text[start:end].strip() == sentence.text[start:end]


@pytest.mark.training
def test_training_with_the_same_seed_gives_the_same_weights(tmp_path: Path) -> None:
    train(tmp_path / "first", sentences=60, epochs=1, log=False)
    train(tmp_path / "second", sentences=60, epochs=1, log=False)

    assert (tmp_path / "first/ner/model").read_bytes() == (tmp_path / "second/ner/model").read_bytes()


@pytest.mark.training
def test_training_script_produces_a_model_the_guard_loads(tmp_path: Path) -> None:
    out = tmp_path / "ner"

    train(out, sentences=150, epochs=1, log=False)
    guard = Guard(spacy_model=str(out))

    assert (out / "meta.json").exists()
    assert spacy.load(out).meta["name"] == "guard_ner"
    assert guard.names_enabled
    guard.check_prompt("Thank Jonas Weber for the demo in Hamburg.")  # runs end to end


@pytest.mark.parametrize(
    ("text", "label", "kept"),
    [
        ("Margaret Okonkwo", "PERSON", True),
        ("Ludwig van Beethoven", "PERSON", True),
        ("Margaret Okonkwo", "ADDRESS", True),
        ("47 Harbour Lane", "ADDRESS", True),
        ("kill his wife", "PERSON", False),
        ('"', "PERSON", False),
        ("Please", "LOCATION", False),
        ("22 feb", "ADDRESS", False),
        ("Ludwig van", "PERSON", True),
        ("WebPilot", "PERSON", False),
        ("Continuously", "PERSON", False),
        ("Rules", "LOCATION", False),
        ("Dr. Long", "PERSON", True),
        ("KNIVSTA", "LOCATION", True),
        ("Thirumurthi", "PERSON", True),
        ("Zorblaxian style", "LOCATION", False),
        ("British", "LOCATION", False),
        ("Worried", "LOCATION", False),
        ("COMMAND", "LOCATION", False),
        ("Backend Service", "PERSON", False),
        ("Zorblax Service", "PERSON", False),
        ("British Columbia", "LOCATION", True),
        ("Liquid Filled Heat Conductive Handle", "LOCATION", False),
        ("Fall Fashion Trends", "PERSON", False),
        ("Queen Elizabeth", "PERSON", True),
        ("Oh", "LOCATION", False),
    ],
)
def test_only_spans_that_read_like_a_name_place_or_address_are_kept(text: str, label: str, kept: bool) -> None:
    doc = blank_english()(text)
    assert is_plausible(Span(doc, 0, len(doc), label=label)) is kept


def test_names_in_sentences_far_apart_are_masked_where_they_stand(guard: Guard) -> None:
    text = (
        "Could you put together a retirement speech for Margaret Okonkwo, she leaves in June?\n"
        "Keep it short and warm.\nmention the cake.\n"
        "Yesterday Henrik Lindqvist demoed the new dashboard to the board."
    )

    prompt = guard.check_prompt(text)

    assert "Margaret Okonkwo" not in prompt.masked_text
    assert "Henrik Lindqvist" not in prompt.masked_text
    assert "Keep it short and warm.\nmention the cake.\nYesterday " in prompt.masked_text
    assert apply_restore_policy(prompt.masked_text, prompt.mapping, restore=True) == text


def test_a_heading_of_everyday_words_is_not_sent_to_the_model() -> None:
    nlp = blank_english()
    doc = nlp("Total paid\nBusiness News\nThank Jonas for the demo.")

    assert [span.text for span in sentences_to_tag(doc)] == ["Thank Jonas for the demo."]


def test_a_town_in_capitals_is_sent_to_the_model_and_an_acronym_is_not() -> None:
    nlp = blank_english()
    doc = nlp("Reply in JSON and HTML.\nPlace of birth: GÖTEBORG\n")

    assert [span.text for span in sentences_to_tag(doc)] == ["Place of birth: GÖTEBORG\n"]


def test_a_sentence_typed_in_lower_case_is_sent_to_the_model() -> None:
    nlp = blank_english()
    doc = nlp("see you tomorrow. my name is priya raman\nReply in JSON.")

    assert [span.text for span in sentences_to_tag(doc)] == ["my name is priya raman\n"]


def test_code_in_lower_case_is_not_sent_to_the_model() -> None:
    nlp = blank_english()
    doc = nlp("result = quick_sort(items[1:])\nfor item in reversed(result): print(item)\n")

    assert list(sentences_to_tag(doc)) == []


def test_a_lower_case_request_without_a_name_is_not_sent_to_the_model() -> None:
    nlp = blank_english()
    doc = nlp("write a haiku about green tea, number 7. keep it calm")

    assert list(sentences_to_tag(doc)) == []


def test_a_lower_case_name_after_a_word_that_introduces_one_is_sent_to_the_model() -> None:
    nlp = blank_english()
    doc = nlp("write a haiku about green tea. then ask priya about the rhyme")

    assert [span.text for span in sentences_to_tag(doc)] == ["then ask priya about the rhyme"]


def test_a_name_that_is_also_an_everyday_word_counts_only_beside_another_name() -> None:
    gazetteer = packaged_gazetteer()

    assert gazetteer.kind("priya") == KNOWN
    assert gazetteer.kind("lisbon") == KNOWN
    assert gazetteer.kind("mark") == POSSIBLE
    assert gazetteer.kind("python") == NOTHING
    assert gazetteer.kind("reginaville") == KNOWN  # a name and a town ending, as Faker makes towns
    assert gazetteer.kind("reginaville", capitalised=False) == NOTHING


def test_a_capitalised_run_with_a_known_first_name_is_a_name_even_where_the_model_saw_none() -> None:
    doc = WordPunctTokenizer(blank_english().vocab)("Did Henrik Oyelaran sign the Release Notes?")
    texts = [token.text for token in doc]

    spans = [(" ".join(texts[start:end]), label) for start, end, label in lexicon_spans(texts, packaged_gazetteer())]

    assert spans == [("Henrik Oyelaran", "PERSON")]


def test_a_dictionary_word_is_told_from_a_word_no_dictionary_lists() -> None:
    gazetteer = packaged_gazetteer()

    assert gazetteer.is_dictionary_word("worried")
    assert gazetteer.is_dictionary_word("legends")  # a regular form of a listed word
    assert gazetteer.is_dictionary_word("takeaways")  # a modern word, from today's spelling list
    assert not gazetteer.is_dictionary_word("thirumurthi")


def test_a_name_or_place_that_today_writes_only_in_lower_case_counts_only_beside_another_name() -> None:
    gazetteer = packaged_gazetteer()

    assert gazetteer.kind("split") == POSSIBLE  # a Croatian town, and a verb
    assert gazetteer.kind("hacker") == POSSIBLE
    assert gazetteer.kind("john") == KNOWN  # the spelling list writes it capitalised too
    assert gazetteer.kind("florence") == KNOWN


@pytest.mark.training
def test_the_word_lists_are_written_the_same_way_twice(tmp_path: Path) -> None:
    from bot.guard.ner_word_lists import write_word_lists

    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    counts = write_word_lists(tmp_path / "first")
    write_word_lists(tmp_path / "second")

    for name in counts:
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()
        assert (tmp_path / "first" / name).read_bytes() == (PACKAGED_NER_MODEL / name).read_bytes()


def test_a_segment_seen_before_is_not_tagged_again_and_its_words_are_not_kept(guard: Guard) -> None:
    gated = guard.analyzer.pipeline.get_pipe(GATED_NER)
    calls: list[int] = []
    model = gated.ner
    gated.ner = lambda doc: calls.append(len(doc)) or model(doc)
    sentence = "Send the deck to Henrik Oyelaran before the review."
    try:
        first = guard.check_prompt(f"{sentence}\nKeep it short.\n{sentence}")
        second = guard.check_prompt(sentence)
    finally:
        gated.ner = model

    assert len(calls) <= 1
    assert "Henrik Oyelaran" not in first.masked_text
    assert "Henrik Oyelaran" not in second.masked_text
    assert all(isinstance(key, bytes) and "Henrik" not in repr(value) for key, value in gated._tagged._entries.items())


def test_a_long_sentence_is_tagged_only_around_its_names() -> None:
    tokens = ["ref"] * 40 + ["Henrik", " ", "Oyelaran"] + ["ref"] * 40
    windows = list(windows_around_hints(tokens, [(0, len(tokens), False)], packaged_gazetteer()))

    assert windows == [(40 - WINDOW_TOKENS, 43 + WINDOW_TOKENS, False)]


def test_sorted_words_answer_like_a_set() -> None:
    from bot.guard.gazetteer import SortedWords

    words = ["anna", "émile", "łukasz", "zoë", "zoe-ann", "b", "ba", "bab"]
    sorted_words = SortedWords(words)

    for word in [*words, "", "a", "bb", "zo", "zoë ", "łuk", "zzz"]:
        assert (word in sorted_words) is (word in words)


@pytest.mark.parametrize(
    "first, second",
    [
        ("Saygılarımla, Marta", "Yine alırdım."),
        ("Merhaba ekip, üçüncü çeyrek tedarikçi raporu ekte.", "Saygılarımla, Marta"),
    ],
)
def test_a_sentence_gets_the_same_entities_whatever_was_tagged_before_it(first: str, second: str) -> None:
    # The model reads a few words either side: tagged beside the other sentence, "Marta" once
    # read as a place, and taken from the cache after being tagged alone, as a person.
    def entities(guard: Guard, text: str) -> list[tuple[str, str]]:
        return sorted((found.entity_type, text[found.start : found.end]) for found in guard.analyze(text))

    text = f"{first}\n\n{second}"
    together_first = Guard()
    alone_first = Guard()
    for sentence in (first, second):
        entities(alone_first, sentence)

    assert entities(together_first, text) == entities(alone_first, text)
    assert entities(together_first, text) == entities(together_first, text)


def test_names_and_places_of_the_world_are_known_as_typed_on_an_english_keyboard() -> None:
    gazetteer = packaged_gazetteer()

    for place in ("kumasi", "sylhet", "gdansk", "lodz", "sao"):
        assert gazetteer.kind(place) == KNOWN, place
    for name in ("oluwaseun", "chukwuemeka", "nguyen", "mehta"):
        assert gazetteer.kind(name) == KNOWN, name
    assert gazetteer.kind("suzuki") == NOTHING  # a vehicle brand before a surname in content requests


def test_an_entry_written_with_accents_is_listed_without_them_too() -> None:
    from bot.guard.ner_word_lists import with_ascii_spellings

    assert with_ascii_spellings({"łódź", "são paulo", "zürich", "lagos"}) == {
        "łódź",
        "lodz",
        "são paulo",
        "sao paulo",
        "zürich",
        "zurich",
        "lagos",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "Angeles" and "Kong" are given or family names somewhere; the places are listed whole.
        ("We fly from Los Angeles to Hong Kong.", [("Los Angeles", "LOCATION"), ("Hong Kong", "LOCATION")]),
        ("Ask David Kowalski about it.", [("David Kowalski", "PERSON")]),
        ("Ask David about it.", [("David", "PERSON")]),  # David is a town in Panama too
    ],
)
def test_a_run_listed_whole_as_a_place_is_a_place_though_its_words_are_names(
    text: str, expected: list[tuple[str, str]]
) -> None:
    texts = [token.text for token in WordPunctTokenizer(blank_english().vocab)(text)]

    spans = [(" ".join(texts[start:end]), label) for start, end, label in lexicon_spans(texts, packaged_gazetteer())]

    assert spans == expected


def test_unknown_words_opening_sentences_do_not_run_the_model_and_names_beside_them_still_do(guard: Guard) -> None:
    gated = guard.analyzer.pipeline.get_pipe(GATED_NER)
    tagged: list[list[tuple[int, int, bool]]] = []
    tag = gated._tag
    gated._tag = lambda doc, texts, spaced, segments: tagged.append(segments) or tag(doc, texts, spaced, segments)
    try:
        openers_only = guard.analyze("Сделай короткий анонс акции.\nНапиши письмо клиенту о доставке.")
        with_a_name = guard.check_prompt("Сделай короткий анонс акции.\nAsk Oyelaran Adebayo about the draft.")
    finally:
        del gated._tag

    assert openers_only == []
    assert tagged[0] == []
    assert "Oyelaran Adebayo" not in with_a_name.masked_text


@pytest.mark.parametrize(
    "sentence",
    ["Say hi to our Kraków Dr. Anna Nowak today.", "The Berlin Geschäftsführer Dr. Martin Schröder spoke."],
)
def test_a_title_between_a_place_and_a_name_belongs_to_the_name_alone(guard: Guard, sentence: str) -> None:
    # Both runs once took the title, and spaCy's refusal of overlapping entities refused the prompt.
    prompt = guard.check_prompt(sentence)

    assert "Dr." not in prompt.masked_text
    assert "Nowak" not in prompt.masked_text and "Schröder" not in prompt.masked_text


CALENDAR_ENTRY = (
    "Turn this into a friendly reminder:\nBEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20250314T090000Z\n"
    "SUMMARY:Quarterly planning\nRRULE:FREQ=WEEKLY;BYDAY=FR\nEND:VEVENT\nEND:VCALENDAR"
)


def test_the_keys_and_values_of_machine_syntax_are_not_names_or_places(guard: Guard) -> None:
    # The model took "VCALENDAR" and "VEVENT" for places and "DTSTART" for a person.
    assert guard.check_prompt(CALENDAR_ENTRY).masked_text == CALENDAR_ENTRY


@pytest.mark.parametrize(
    ("prompt", "name"),
    [
        ("ORGANIZER;CN=Henrik Oyelaran:mailto:team@example.org", "Oyelaran"),
        ("Chat log:\nHENRIK OYELARAN: see you at 5", "OYELARAN"),
        ("Lucie: Oui, je veux une baguette.\nDo Lin and Lucie have bread?", "Lucie"),
    ],
)
def test_a_name_beside_a_colon_or_inside_a_calendar_line_is_still_masked(guard: Guard, prompt: str, name: str) -> None:
    assert name not in guard.check_prompt(prompt).masked_text
