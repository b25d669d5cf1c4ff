"""Names a greeting, a role word or a cue in lower-case text gives away (cued_names.py)."""

from __future__ import annotations

import pytest

from bot.guard import Guard
from bot.guard.cued_names import cued_names
from bot.guard.ner_gate import packaged_gazetteer


def _names(text: str) -> list[str]:
    return [text[start:end] for start, end in cued_names(text, packaged_gazetteer())]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hi Summer, your profile is in Workday.", "Summer"),
        ("Dear Hope. Thanks for the flowers.", "Hope"),
        ("coach Dale will pick up the kids at 4pm", "Dale"),
        ("congratulating her husband Jun on the birth of", "Jun"),
        ("a card for my son Tobi after the match", "Tobi"),
        ("hey can you draft a welcome email for priya sharma, she starts monday", "priya sharma"),
        ("pls write reminder to ahmed that his passport expires", "ahmed"),
        ("reply nicely: hi its kevin, still waiting on my refund", "kevin"),
    ],
)
def test_a_phrase_that_gives_a_name_away_is_enough(text: str, name: str) -> None:
    assert _names(text) == [name]


@pytest.mark.parametrize(
    "text",
    [
        "Hi team, thanks for the release!",
        "Dear customer, your order shipped.",
        "Hello World, our first post.",
        "we had green tea for tom and a bill for the rose garden",
        "the customer Support page is down",
        "«Model 0.1» adlı, hiçbir şey",
        "Send it to Priya Sharma for review",  # capitalised: the name model's, not this
    ],
)
def test_vocatives_words_and_cased_text_give_no_name_away(text: str) -> None:
    assert _names(text) == []


def test_the_guard_masks_such_names(guard: Guard) -> None:
    masked = guard.mask("Hi Summer, coach Dale asked for it.\nsend it to priya sharma today")
    assert {"Summer", "Dale", "priya sharma"} <= set(masked.mapping.values())


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("write a bday card for Rose from accounting, she turns 40", "Rose"),
        ("draft a note to dr. okafor thanking him", "okafor"),
        ("Write an apology email to Mr & Mrs Abernathy for the delay", "Abernathy"),
    ],
)
def test_a_team_after_a_name_or_a_title_before_it_gives_it_away(text: str, name: str) -> None:
    assert _names(text) == [name]


@pytest.mark.parametrize(
    "text", ["We sell Dr. Pepper and dr. strange comics.", "the Rose in marketing copy is too long"]
)
def test_titled_words_and_things_in_a_team_are_no_names(text: str) -> None:
    assert _names(text) == []


def test_a_greeting_inside_quotes_gives_a_name_away() -> None:
    assert _names("Can you polish this: 'Hi Summer, your profile is ready'") == ["Summer"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # Other languages' titles in any case, and a listed name signing a message.
        ("„hi frau nowak, die ware ist raus. lg tobias“", ["nowak", "tobias"]),
        ("«buongiorno sig. russo, la merce è partita. saluti, max»", ["russo", "max"]),
        ("hoi meneer bos, de bestelling is verstuurd. groet, mark", ["bos", "mark"]),
        ("Der Kundenservice (danke an Frau Schulte!) hat sofort Ersatz geschickt.", ["Schulte"]),
    ],
)
def test_titles_and_sign_offs_of_other_languages_give_names_away(text: str, names: list[str]) -> None:
    found = _names(text)

    assert all(name in found for name in names)


@pytest.mark.parametrize(
    "text",
    [
        "Bitte an HR entro il 30 aprile schicken.",  # "HR" is no "Hr." without its stop
        "El pan llegó un poco frío.",  # "pan" is bread
        "Uprzejmie informujemy, że Pani zamówienie zostało wysłane.",  # "Pani" is "your" here
        "Please send the best, mark the date on the calendar.",  # no signature at a message's end
    ],
)
def test_words_shaped_like_those_cues_give_nothing_away(text: str) -> None:
    assert list(cued_names(text, packaged_gazetteer())) == []
