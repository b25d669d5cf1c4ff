from __future__ import annotations

import pytest
from phonenumbers import PhoneNumberMatch
from presidio_analyzer import PatternRecognizer
from presidio_analyzer.predefined_recognizers import EmailRecognizer, IbanRecognizer, UsSsnRecognizer

from bot.guard import Guard
from bot.guard.credentials import CREDENTIAL_KINDS, credential_recognizers
from bot.guard.hinted import HintedEmailRecognizer, HintedIbanRecognizer, HintedSsnRecognizer
from bot.guard.phones import FormattedPhoneRecognizer
from bot.guard.pii import IBAN_REGEX_FLAGS


@pytest.mark.parametrize(
    ("entity", "value", "sentence"),
    [
        ("EMAIL_ADDRESS", "jane.doe@example.com", "Send the draft to {} by Friday."),
        ("PHONE_NUMBER", "+1 (415) 555-0132", "Call the venue on {} to confirm."),
        ("PHONE_NUMBER", "+44 20 7946 0958", "Our London desk is {}."),
        ("CREDIT_CARD", "4111 1111 1111 1111", "Charge the booking to card {} please."),
        ("IBAN_CODE", "DE89 3704 0044 0532 0130 00", "Pay the invoice to IBAN {}."),
        ("IP_ADDRESS", "192.168.10.4", "The staging server at {} is down."),
        ("IP_ADDRESS", "192.168.10.4", "Note: the staging server at {} is down."),
        ("IP_ADDRESS", "fe80::1ff:fe23:4567:890a", "The staging server at {} is down."),
        ("IP_ADDRESS", "::ffff:192.168.10.4", "The staging server at {} is down."),
        ("US_SSN", "536-22-1234", "His SSN is {} for the payroll form."),
    ],
)
def test_pii_is_masked(guard: Guard, entity: str, value: str, sentence: str) -> None:
    prompt = guard.check_prompt(sentence.format(value))

    assert value not in prompt.masked_text
    assert f"<{entity}_1>" in prompt.masked_text
    assert prompt.mapping[f"<{entity}_1>"] == value
    assert entity in prompt.entities


@pytest.mark.parametrize(
    "text",
    [
        "Write a status update for order 123-45-6789X, which shipped today.",
        "Draft a reply to ticket 2024-000123 saying the fix is live.",
        "Order number 123456789 was delayed; write an apology.",
        "Announce release v3.8.1, shipped on 2024-06-01 to 1,234,567 users.",
        "Our booth is 4155 at the expo, hall 12, stand 301.",
    ],
)
def test_order_and_ticket_numbers_are_not_masked(guard: Guard, text: str) -> None:
    prompt = guard.check_prompt(text)

    assert prompt.masked_text == text
    assert prompt.mapping == {}


def test_context_word_lifts_a_bare_number_over_the_threshold(guard: Guard) -> None:
    assert guard.check_prompt("Order 536221234 shipped.").mapping == {}
    assert "<US_SSN_1>" in guard.check_prompt("My SSN is 536221234.").masked_text
    assert "<PHONE_NUMBER_1>" in guard.check_prompt("My mobile phone is 4155550132.").masked_text


def test_names_are_left_alone_when_ner_is_switched_off(pattern_guard: Guard) -> None:
    prompt = pattern_guard.check_prompt("Congratulate Priya Sharma on five years.")

    assert not pattern_guard.names_enabled
    assert prompt.masked_text == "Congratulate Priya Sharma on five years."


@pytest.mark.parametrize(
    ("network", "number"),
    [
        ("19-digit Visa", "4917 6123 4567 8901 232"),
        ("12-digit Maestro", "5038 1234 5679"),
        ("JCB 2131", "2131-1234-5678-9013"),
        ("JCB 1800", "1800123456789015"),
        ("Mastercard 2-series, top of range", "2720 1234 5678 9010"),
        ("Mastercard 2-series, bottom of range", "2221 0012 3456 7896"),
        ("UnionPay, 18 digits", "622123 456789 012348"),
        ("Discover 644-649", "6401 1234 5678 9017"),
        ("Mir", "2201 1234 5678 9018"),
        ("Diners Club, 14 digits", "3056 930902 5904"),
        # Typed four by four, a 13- or 17-digit number ends in a lone digit.
        ("13-digit Visa in fours", "4222 2222 2222 2"),
        ("13-digit Visa in fours, dashed", "4824-6281-9482-0"),
    ],
)
def test_cards_of_every_network_and_length_are_masked(pattern_guard: Guard, network: str, number: str) -> None:
    prompt = pattern_guard.check_prompt(f"Refund the order to {number} today.")

    assert prompt.mapping == {"<CREDIT_CARD_1>": number}, network


def test_a_figure_after_a_card_in_fours_is_not_part_of_it(pattern_guard: Guard) -> None:
    prompt = pattern_guard.check_prompt("Book on card 4111 1111 1111 1111 2 tickets for Friday.")

    assert prompt.mapping == {"<CREDIT_CARD_1>": "4111 1111 1111 1111"}
    assert prompt.masked_text == "Book on card <CREDIT_CARD_1> 2 tickets for Friday."


def test_card_number_of_no_known_network_needs_a_context_word(pattern_guard: Guard) -> None:
    number = "9876 5432 1098 7654 38"  # passes Luhn, no network issues 98...

    assert pattern_guard.check_prompt(f"Reference {number} is attached.").mapping == {}
    assert pattern_guard.check_prompt(f"My card number is {number}.").mapping == {"<CREDIT_CARD_1>": number}


def test_number_failing_luhn_is_not_a_card_unless_a_word_calls_it_one(pattern_guard: Guard) -> None:
    assert pattern_guard.check_prompt("Charge 4917 6123 4567 8901 233 please.").mapping == {}
    # Mistyped, it is still the user's card number (labelled_ids.py).
    assert "<CREDIT_CARD_1>" in pattern_guard.check_prompt("Charge card 4917 6123 4567 8901 233 please.").masked_text


@pytest.mark.parametrize(
    "sentence",
    [
        "Mobile: 0612 34 56 78",
        "You can call me on 030 1234 5678 after six.",
        "Ring the Sydney office on (02) 9374 4000.",
        "Phone: 612.555.0199 x204",
        "Reach the front desk at 0161 496 0000 or by email.",
        "Our Munich line is +49 (0)89 1234 5678.",
        "Dial 001-312-555-0147 ext. 88 for the warehouse.",
        "WhatsApp me: 9472 1234",
        "Tel 07700 900461",
        # Russia's trunk prefix 8; a lone trunk 0 before the groups (Georgia); a country code
        # and three groups whose length is off today's plan.
        "Call me on 8 925 634 1685 after lunch.",
        "My mobile is 0 346 907 366.",
        "Reach our Córdoba office on +54 9 3131 7066.",
        # A country code before a number only part of which some region knows; a trunk zero
        # and three groups, which no count is written with.
        "Call me on +358 11 0843646 tomorrow.",
        "Write to Marta at 047 877 893 tomorrow.",
        # An area code in parentheses after the trunk prefix (Russia); a trunk zero and groups
        # ending in pairs (Turkey, Sweden); a dashed 3-2-2 local number; E.164 in one run.
        "Reach Oleg on 8 (495) 170-34-23 today.",
        "Her line is 0319 487 57 49.",
        "Ask reception, 011-47 10 49, for the key.",
        "The shop's number is 913-90-99.",
        "Send it to +38970123456 on Signal.",
        # Six-digit local numbers and other languages' labels, beside a context word.
        "Phone: 23 30 82",
        "Tlf 645-791",
        "Handy: 0171 2345678",
        # Digits after "00" that no country code starts, beside a context word; dashes and
        # spaces that word processors put between groups.
        "Phone: 00 2685 9952",
        # A valid national number typed without spaces after its trunk prefix.
        "Her number is 07700900461.",
        "Écrivez-lui au 0430830401.",
        # A person's number, which "number" alone (an order number) is not.
        "My number is 6114980364.",
        "Her work number: 7986 8307",
        # Spain's mobile layout and a trunk prefix before two groups, with no context word.
        "Send it to Anna, 612 34 56 78, by Friday.",
        "Send it to Anna, 0664 1234567, by Friday.",
        "Call me on 555\u2013123\u20134567 tonight.",
        # A trunk or country digit and an area code in parentheses, whatever libphonenumber
        # knows of the number itself (an area code not in service, an exchange starting 0).
        "Reach the depot on 8 (246) 281-9482 before noon.",
        "The Halifax desk is 1 (926) 018-1590.",
        "Our desk: +44\u00a020\u00a07946\u00a00958",
    ],
)
def test_phone_numbers_in_national_and_international_formats_are_masked(pattern_guard: Guard, sentence: str) -> None:
    prompt = pattern_guard.check_prompt(sentence)

    assert list(prompt.mapping) == ["<PHONE_NUMBER_1>"]
    assert not any(char.isdigit() for char in prompt.masked_text.replace("<PHONE_NUMBER_1>", ""))


def test_a_phone_number_seen_before_is_not_validated_again_and_its_digits_are_not_kept(pattern_guard: Guard) -> None:
    recognizer = next(
        r for r in pattern_guard.analyzer._engine.registry.recognizers if isinstance(r, FormattedPhoneRecognizer)
    )
    validations: list[str] = []
    validate = recognizer._first_valid

    def counted(candidate: str) -> PhoneNumberMatch | None:
        validations.append(candidate)
        return validate(candidate)

    recognizer._first_valid = counted
    sentence = "Call Marta on +1 415 555 0176 or on +1 415 555 0176 (office)."
    try:
        first = pattern_guard.check_prompt(sentence)
        second = pattern_guard.check_prompt(sentence)
    finally:
        recognizer._first_valid = validate

    assert validations == ["+1 415 555 0176"]
    assert first == second
    assert list(first.mapping.values()) == ["+1 415 555 0176"]
    assert all(
        isinstance(key, bytes) and "0176" not in repr(value) for key, value in recognizer._validations._entries.items()
    )


def test_bare_eight_digits_are_a_phone_only_next_to_a_context_word(pattern_guard: Guard) -> None:
    assert pattern_guard.check_prompt("Batch 9472 1234 passed QA.").mapping == {}
    assert pattern_guard.check_prompt("Call me on 9472 1234.").mapping == {"<PHONE_NUMBER_1>": "9472 1234"}


@pytest.mark.parametrize(
    "text",
    [
        "Write a reminder that invoice INV-2024-00917 for $1,299.00 is due on 15/07/2025.",
        "Post that release 4.12.0 (build 20240611) ships on 2025-03-14 at 09:30.",
        "Order #40012388 left the warehouse on 03.11.2024; apologise for the wait.",
        "Announce that the price drops from 1 499,00 EUR to 1 199,00 EUR on 1 May.",
        "Tracking number 1Z 999 AA1 01 2345 6784 shows it arrived.",
        "Summarise Q3: revenue 12,450,000, churn 2.4 %, NPS 61, tickets 18 422.",
        "Our PO 4500012345 and SKU 880-1234-55 need a product blurb.",
        "Compare iOS 17.5.1 and Android 14 in a short post.",
    ],
)
def test_everyday_numbers_are_not_masked(guard: Guard, text: str) -> None:
    """Order and invoice ids, dates, prices and versions stay as written, with the default NER too."""
    prompt = guard.check_prompt(text)

    assert prompt.masked_text == text


def test_long_lists_of_numbers_are_still_masked(guard: Guard) -> None:
    numbers = [f"+1 415 555 {1000 + i:04d}" for i in range(60)]

    prompt = guard.check_prompt("Call list: " + ", ".join(numbers))

    assert not any(number in prompt.masked_text for number in numbers)
    assert len(prompt.mapping) == 60


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Ask the courier, 555-014-7788, about the delay.", True),  # 3-3-4, no valid area code
        ("Article 880-1234-55 is back in stock.", False),
        ("We reached 1 234 567 890 views.", False),
        ("Scores were 12 14 16 18 this week.", False),
        ("Order 645-791 shipped.", False),
        ("Rooms 101 22 33 are booked.", False),
        ("The launch is on 2024 06 01.", False),
        ("Born 01 06 1990 in a small town.", False),
        ("Ref 00 2685 9952 is closed.", False),
        ("Order 00012345 shipped.", False),
        ("Invoice 0012345678 is paid.", False),
        ("Order 4500012345 is late.", False),
        ("Your order number is 4500012345.", False),
        ("Your ticket number: 88123456", False),
        ("Our number of users is 1234567 today.", False),
        ("ZIP codes 94103 94105 are in San Francisco.", False),
        ("Read pages 12\u201318 of the 2019\u20132024 report.", False),
    ],
)
def test_unvalidated_numbers_are_phones_only_when_laid_out_like_one(
    pattern_guard: Guard, text: str, masked: bool
) -> None:
    assert bool(pattern_guard.check_prompt(text).mapping) is masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Mobile: 612 345 678", True),
        ("Reach the front desk on 41 234 567 any time.", True),
        ("Raised 612 345 678 dollars this year.", False),
        ("The archive holds 41 234 567 records.", False),
    ],
)
def test_numbers_grouped_like_thousands_are_phones_only_beside_a_context_word(
    pattern_guard: Guard, text: str, masked: bool
) -> None:
    assert bool(pattern_guard.check_prompt(text).mapping) is masked


@pytest.mark.parametrize(
    "text",
    [
        "0161 496 0000 (office)",
        "Numbers: 20-64-66-98 office, 555 0134 fax",
    ],
)
def test_a_label_after_the_number_is_context_too(pattern_guard: Guard, text: str) -> None:
    prompt = pattern_guard.check_prompt(text)

    assert "PHONE_NUMBER" in prompt.entities
    assert not any(char.isdigit() for char in prompt.masked_text.replace("_1>", "").replace("_2>", ""))


@pytest.mark.parametrize(
    "text",
    [
        "Tell Katharina the bonus will be paid to AT03 2011 1829 3847 5620 this week.",
        "Refund to DE89 3704 0044 0532 0130 00 also, then close the ticket.",
        "Wire it to GB82WEST12345698765432 when done.",
    ],
)
def test_an_iban_in_capitals_before_a_word_of_four_letters_is_masked(pattern_guard: Guard, text: str) -> None:
    prompt = pattern_guard.check_prompt(text)

    assert prompt.entities == ("IBAN_CODE",)
    (iban,) = prompt.mapping.values()
    assert iban.replace(" ", "")[:4] in {"AT03", "DE89", "GB82"}
    assert not any(character.isdigit() for character in prompt.masked_text.replace("_1>", ""))


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Write a post: build 10.4.221.7 ships to all tenants on Monday.", False),
        ("Release notes for firmware 4.18.203.7 of the thermostat.", False),
        ("Announce version: 2.14.3.1 in the changelog.", False),
        ("The staging server at 10.4.221.7 is down, tell the team.", True),
        ("Block 10.4.221.7, it sends the spam.", True),
    ],
)
def test_four_dotted_numbers_the_text_calls_a_version_are_not_an_address(
    pattern_guard: Guard, text: str, masked: bool
) -> None:
    assert ("IP_ADDRESS" in {finding.entity_type for finding in pattern_guard.analyze(text)}) is masked


def test_iban_typed_in_lower_case_is_masked(pattern_guard: Guard) -> None:
    prompt = pattern_guard.check_prompt("my iban is gb82west12345698765432, thanks")

    assert "gb82west12345698765432" not in prompt.masked_text
    assert "IBAN_CODE" in prompt.entities


# Texts with and without what each hinted recognizer's hint looks for; Presidio's own recognizer
# must find exactly the same in every one (the hint only skips text it could find nothing in).
_HINT_TEXTS = [
    "My SSN is 078-05-1120, or 078 05 1120, or 078051120; ticket 12345-6789 and 123-456789.",
    "Wire it to GB82 WEST 1234 5698 7654 32 or de89370400440532013000 (lower case), DE89-3704-0044.",
    "Nothing numeric here, only words: Monday at 9, price 12.50, year 2024, v1.2.3, route 66.",
    "Key AKIAIOSFODNN7EXAMPLE, xoxb-123456789012-abcdefghijkl, eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl",
    "sk-proj-abc123def456ghi789jkl0 and AIzaSyA1234567890abcdefghijklmnopqrstu and -----BEGIN RSA PRIVATE KEY-----",
    "Mail\tjane.doe@example.com,\xa0or\n(bob+tag@mail.example.co.uk); not@ an @address, a@b or x@y.z.",
    "ops@example.org",
    "«cc»:léa.müller@exämple.de;ann@ex-ample.com... and @mentions",
]


@pytest.mark.parametrize("text", _HINT_TEXTS)
def test_hinted_recognizers_find_what_presidios_own_find(text: str) -> None:
    def spans(recognizer: PatternRecognizer) -> list[tuple[str, int, int, float]]:
        found = recognizer.analyze(text, recognizer.supported_entities)
        return sorted((f.entity_type, f.start, f.end, f.score) for f in found)

    plain: list[PatternRecognizer] = [
        UsSsnRecognizer(),
        IbanRecognizer(regex_flags=IBAN_REGEX_FLAGS),
        EmailRecognizer(),
    ]
    plain += [
        PatternRecognizer(supported_entity=hinted.supported_entities[0], patterns=hinted.patterns,
                          global_regex_flags=hinted.global_regex_flags)
        for hinted in credential_recognizers()
    ]  # fmt: skip
    hinted = [
        HintedSsnRecognizer(),
        HintedIbanRecognizer(regex_flags=IBAN_REGEX_FLAGS),
        HintedEmailRecognizer(),
        *credential_recognizers(),
    ]

    assert len(hinted) == 3 + len(CREDENTIAL_KINDS)
    assert [spans(recognizer) for recognizer in hinted] == [spans(recognizer) for recognizer in plain]


def test_credential_hints_are_the_literals_of_their_patterns() -> None:
    hints = {recognizer.supported_entities[0]: recognizer.hints for recognizer in credential_recognizers()}

    assert hints["SLACK_TOKEN"] == {"xox", "xapp-", "https://hooks.slack.com/"}
    assert hints["PRIVATE_KEY"] == {"-----BEGIN "}
    assert hints["PASSWORD"] is None  # its key words ignore case: it always runs


@pytest.mark.parametrize(
    "sentence",
    [
        "Please ship order 123-45-67 today.",
        "SKU 415-555-0132 is sold out.",
        "Order ID: 07700900461 was refunded.",
        "Invoice no. 880-1234-55 is overdue.",
        "Ref #913-90-99 is closed.",
        "Customer number 913-90-99 asked for a refund.",
        "Item 0319 487 57 49 is back in stock.",
        "Parcel 030 2345 6789 left the depot.",
        "Shipment 020 7946 0958 arrives on Monday.",
    ],
)
def test_a_number_the_text_labels_as_an_identifier_is_not_a_phone(pattern_guard: Guard, sentence: str) -> None:
    assert pattern_guard.check_prompt(sentence).mapping == {}


@pytest.mark.parametrize(
    ("sentence", "phone"),
    [
        ("Call me at 913-90-99 after lunch.", "913-90-99"),
        ("My WhatsApp ID 415 555 0132 is new.", "415 555 0132"),
        ("Reference: +44 20 7946 0958 is our desk.", "+44 20 7946 0958"),
        ("In case of trouble call 0319 487 57 49.", "0319 487 57 49"),
    ],
)
def test_an_identifier_label_does_not_hide_a_phone_it_does_not_name(
    pattern_guard: Guard, sentence: str, phone: str
) -> None:
    assert pattern_guard.check_prompt(sentence).mapping == {"<PHONE_NUMBER_1>": phone}
