from __future__ import annotations

import pytest

from bot.guard import Guard
from bot.guard.addresses import AddressRecognizer


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Ship it to 221B Baker Street, London NW1 6XE by Friday.", "221B Baker Street, London NW1 6XE"),
        (
            "Our office: 18 McPherson Rd Suite 400, Springfield, IL 62704",
            "18 McPherson Rd Suite 400, Springfield, IL 62704",
        ),
        ("Adresse: 12 Rue de la Paix\n75002 Paris\nFrance", "12 Rue de la Paix\n75002 Paris\nFrance"),
        ("Stop at Asselsestraat 7, Apeldoorn please", "Asselsestraat 7, Apeldoorn"),
        ("Send it to ul. Narewska 94\n> Apt. 3\n> Poznań", "ul. Narewska 94\n> Apt. 3\n> Poznań"),
        ("Deliver to Kiannonkatu 98 Apt. 105, Helsinki", "Kiannonkatu 98 Apt. 105, Helsinki"),
        ("Mail: PSC 3294, Box 9168\nAPO AA 61487", "PSC 3294, Box 9168\nAPO AA 61487"),
        ("Write to P.O. Box 287, Tallinn, Estonia today", "P.O. Box 287, Tallinn, Estonia"),
        # House numbers of one digit, of two groups, and right after other numbers on the line.
        ("Meet at 1 Main Street, Springfield tomorrow", "1 Main Street, Springfield"),
        ("Ship to 12 4 Crown Road, Leeds LS1 4AB", "12 4 Crown Road, Leeds LS1 4AB"),
        ("Call +44 20 7946 0958 or visit 7 Rue Cler, Paris", "7 Rue Cler, Paris"),
    ],
)
def test_addresses_of_many_countries_are_one_finding(text: str, address: str) -> None:
    findings = AddressRecognizer().analyze(text, ["ADDRESS"])

    assert [text[f.start : f.end] for f in findings] == [address]


def test_address_block_is_masked_without_a_ner_model(pattern_guard: Guard) -> None:
    text = "Send the samples to 4201 Whittier Blvd\nSuite 5\nLos Angeles, CA 90023\nTo: the lab"

    prompt = pattern_guard.check_prompt(text)

    assert prompt.masked_text == "Send the samples to <ADDRESS_1>\nTo: the lab"


@pytest.mark.parametrize(
    "text",
    [
        "Use markdown bullet points such as:\n* Bullet point 1\n* Bullet point 2",
        "During 2021, interest in AI grew.",
        "Please arrive at the Eurostar station 45-60 minutes before departure.",
        "You've received $2 657.81 via ACH from Stripe.",
        "Lunch near Baker Street?",
        "Top 10 Best Way to learn Rust",
    ],
)
def test_numbered_phrases_are_not_addresses(text: str) -> None:
    assert AddressRecognizer().analyze(text, ["ADDRESS"]) == []
