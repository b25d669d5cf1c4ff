from __future__ import annotations

import pytest

from bot.guard import Guard


@pytest.mark.parametrize(
    ("entity", "value", "sentence"),
    [
        ("EMAIL_ADDRESS", "jane.doe@example.com", "Send the draft to {} by Friday."),
        ("PHONE_NUMBER", "+1 (415) 555-0132", "Call the venue on {} to confirm."),
        ("PHONE_NUMBER", "+44 20 7946 0958", "Our London desk is {}."),
        ("CREDIT_CARD", "4111 1111 1111 1111", "Charge the booking to card {} please."),
        ("IBAN_CODE", "DE89 3704 0044 0532 0130 00", "Pay the invoice to IBAN {}."),
        ("IP_ADDRESS", "192.168.10.4", "The staging server at {} is down."),
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


def test_names_are_left_alone_without_a_ner_model(guard: Guard) -> None:
    prompt = guard.check_prompt("Congratulate Priya Sharma on five years.")

    assert not guard.names_enabled
    assert prompt.masked_text == "Congratulate Priya Sharma on five years."


def test_long_lists_of_numbers_are_still_masked(guard: Guard) -> None:
    numbers = [f"+1 415 555 {1000 + i:04d}" for i in range(60)]

    prompt = guard.check_prompt("Call list: " + ", ".join(numbers))

    assert not any(number in prompt.masked_text for number in numbers)
    assert len(prompt.mapping) == 60
