from __future__ import annotations

import pytest

from bot.guard import Guard
from bot.guard.addresses import AddressRecognizer


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Ship it to 221B Baker Street, London NW1 6XE by Friday.", "221B Baker Street, London NW1 6XE"),
        ("At 10:30, 12 Oak Ct, Hartford, CT 06103 please.", "12 Oak Ct, Hartford, CT 06103"),
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
        # Numbered streets, units and floors written first or after the street, postcodes of the world.
        ("Addr: 55 W 39th St Apt 12B, New York, NY 10018.", "55 W 39th St Apt 12B, New York, NY 10018"),
        ("Suite 5.02, 1 Lochrin Square, Edinburgh EH3 9QA", "Suite 5.02, 1 Lochrin Square, Edinburgh EH3 9QA"),
        ("envío a Calle de Alcalá 123, 3º B, 28009 Madrid, gracias", "Calle de Alcalá 123, 3º B, 28009 Madrid"),
        ("a morada Rua Augusta 45, 1100-048 Lisboa e o NIF", "Rua Augusta 45, 1100-048 Lisboa"),
        ("enviado para Rua das Flores, 120, São Paulo.", "Rua das Flores, 120, São Paulo"),
        (
            "Rua Haddock Lobo, 595 - apto 45, São Paulo - SP, 01414-001",
            "Rua Haddock Lobo, 595 - apto 45, São Paulo - SP, 01414-001",
        ),
        ("adresu na ul. Długa 5/12, 00-238 Warszawa.", "ul. Długa 5/12, 00-238 Warszawa"),
        ("Send it to Keizersgracht 123, 1015 CJ Amsterdam please", "Keizersgracht 123, 1015 CJ Amsterdam"),
        ("new card to 17 Summerhill, Cork T12 X2Y3 today", "17 Summerhill, Cork T12 X2Y3"),
        ("ship to 3-12-7 Shibuya, Shibuya-ku, Tokyo 150-0002, attn", "3-12-7 Shibuya, Shibuya-ku, Tokyo 150-0002"),
        # Continental order: a type word after the name, a name with no type before a postcode and town.
        ("Treffen: Schönhauser Allee 112, 10439 Berlin", "Schönhauser Allee 112, 10439 Berlin"),
        ("Send it to Bryggen 15, 5003 Bergen and", "Bryggen 15, 5003 Bergen"),
        ("Kontakt: Masarykova 427/31, 602 00 Brno", "Masarykova 427/31, 602 00 Brno"),
        ("Rendez-vous au 8 quai Saint-Antoine, 69002 Lyon", "8 quai Saint-Antoine, 69002 Lyon"),
        ("chez nous, 27 bis avenue Jean Médecin, 06000 Nice", "27 bis avenue Jean Médecin, 06000 Nice"),
        # A type abbreviated with its stop or a slash starts an address; so does "No:" before the number.
        ("La dirección es Av. Vallarta 3245, Guadalajara.", "Av. Vallarta 3245, Guadalajara"),
        ("Envíalo a C/ Mayor 47, 28013 Madrid.", "C/ Mayor 47, 28013 Madrid"),
        ("Adres: Bağdat Caddesi No: 245, Kadıköy", "Bağdat Caddesi No: 245, Kadıköy"),
        # Houses with a name instead of a number: a unit opens it, or a British postcode ends it.
        (
            "Please send the invitation to The Old Rectory, Church Lane, Ashford, Kent TN25 4AB.",
            "The Old Rectory, Church Lane, Ashford, Kent TN25 4AB",
        ),
        ("The parcel goes to Flat 3, Ashdown House, Park Road, Bristol.", "Flat 3, Ashdown House, Park Road, Bristol"),
        ("Send it to Oak Farm, Station Road, Haddenham HP17 8AA", "Oak Farm, Station Road, Haddenham HP17 8AA"),
        ("The studio is on Abbey Road, London NW8 9AY.", "Abbey Road, London NW8 9AY"),
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
        "See Chapter 12, 1998 Edition for details and Table 3, 2024 Results.",
        "Windows 10, 2000 Users signed up; Figure 2, 1200 Participants.",
        "We have 3 avenue options and 2 boulevard ideas.",
        "Rue de Virton, 38 guests are coming",
        "Encode it as a Base64-String first.",
        "Take Route 66 for 3 days, then Highway 1; meet on the 3rd floor of Building 2.",
        # A street with no number, with neither a unit before it nor a postcode after its town.
        "Write a blog post about walking down Abbey Road, London and Camden.",
        "Write to Flat 2 at Church Lane, Ashford",
        # After a unit, a street type that is an everyday noun and no postcode: a game's level.
        "Level 3, Dragon Hill, Boss Fight",
        # A day and its month before a name and a year, or before a town.
        "Effective 1 May, the Hybrid Working Policy 2025 overrides the Remote Working Policy.",
        "Signed on 1 May 2025, London",
        "The fair runs 12 March, Spring Makers Market 2024 and more",
        "Ab 1 Mai, Neue Richtlinie 2025 gilt für alle.",
        # The minutes of a time before its zone ("CT" is also a court), a decimal before a name.
        "When: Wed Nov 6, 9:00–11:00 AM CT Where: the 3rd floor training room",
        "The webinar runs 2:00-3:00 PM CT on Thursday.",
        "Growth was 3.12 Main Street stores and 4.5 Park Lane ones.",
    ],
)
def test_numbered_phrases_are_not_addresses(text: str) -> None:
    assert AddressRecognizer().analyze(text, ["ADDRESS"]) == []
