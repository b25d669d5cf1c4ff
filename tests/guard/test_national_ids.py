"""National identity numbers: masked when their check digits pass, left alone otherwise.

Every number here was made up and given its check digits by the published algorithm of its
country; none belongs to anyone.
"""

from __future__ import annotations

import pytest

from bot.guard import Guard, apply_restore_policy, restore_placeholders
from bot.guard.hinted import HintedRecognizer
from bot.guard.national_ids import NATIONAL_ID_ENTITIES, national_id_recognizers
from bot.guard.output import OutputProblem, inspect_output

# (entity, number, a sentence it is typed in)
VALID = [
    ("KR_RRN", "900101-1234568", "My resident registration number is {}."),
    ("KR_RRN", "8503152345678", "Fill in {} as the applicant's number."),
    ("IN_AADHAAR", "2345 6789 0124", "Aadhaar: {} for the KYC form."),
    ("IN_PAN", "ABCPE1234F", "Quote PAN {} on the invoice."),
    ("ES_NIF", "12345678Z", "Mi DNI es {}."),
    ("ES_NIE", "X1234567L", "NIE {} para el contrato."),
    ("IT_FISCAL_CODE", "RSSMRA85T10A562S", "Il mio codice fiscale è {}."),
    ("PL_PESEL", "90010112349", "Numer PESEL: {}."),
    ("UK_NINO", "AB 12 34 56 C", "My NI number is {}."),
    ("UK_NHS", "943 476 5919", "NHS number {} for the referral."),
    ("TR_NATIONAL_ID", "98765432150", "TC kimlik no {} olarak yazıldı."),
    ("TR_NATIONAL_ID", "12345678950", "Add {} to the letter."),
    ("FI_PERSONAL_IDENTITY_CODE", "131052-308T", "Henkilötunnus {} lomakkeeseen."),
    ("TH_TNIN", "1-1037-00123-45-8", "Her ID card reads {}."),
    ("CN_RESIDENT_ID", "440304198506123412", "Resident ID {} on the visa form."),
    ("CN_RESIDENT_ID", "11010519491231002X", "身份证号码：{}"),
    ("JP_MY_NUMBER", "1234 5678 9018", "マイナンバーは {} です。"),
    ("BR_CPF", "123.456.789-09", "Meu CPF é {}."),
    ("BR_CPF", "52998224725", "Write {} in the payer field."),
]


def _wrong_check(number: str) -> str:
    """``number`` with its last character, the check digit or letter, changed."""
    last = number[-1]
    changed = str((int(last) + 1) % 10) if last.isdigit() else chr((ord(last.upper()) - ord("A") + 1) % 26 + ord("A"))
    return number[:-1] + changed


@pytest.mark.parametrize(("entity", "number", "sentence"), VALID)
def test_a_valid_national_id_is_masked(pattern_guard: Guard, entity: str, number: str, sentence: str) -> None:
    prompt = pattern_guard.check_prompt(sentence.format(number))

    assert number not in prompt.masked_text
    assert f"<{entity}_1>" in prompt.masked_text
    assert prompt.mapping[f"<{entity}_1>"] == number


# PAN and the National Insurance number have no check digit: their layout is all there is.
_CHECKED = [case for case in VALID if case[0] not in {"IN_PAN", "UK_NINO"}]


@pytest.mark.parametrize(("entity", "number", "sentence"), _CHECKED)
def test_the_same_number_with_a_wrong_check_digit_is_not_an_id(
    pattern_guard: Guard, entity: str, number: str, sentence: str
) -> None:
    text = sentence.format(_wrong_check(number))

    assert not [f for f in pattern_guard.analyze(text) if f.entity_type in NATIONAL_ID_ENTITIES]


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("주민등록번호900101-1234568입니다", "KR_RRN"),
        ("주민등록번호는 ９００１０１－１２３４５６８ 입니다", "KR_RRN"),
        ("身份证号码11010519491231002X", "CN_RESIDENT_ID"),
        ("身份证号码：１１０１０５１９４９１２３１００２Ｘ", "CN_RESIDENT_ID"),
        ("マイナンバー123456789018を入力", "JP_MY_NUMBER"),
    ],
)
def test_numbers_written_against_cjk_and_hangul_words_are_masked(pattern_guard: Guard, text: str, entity: str) -> None:
    masked = pattern_guard.check_prompt(text).masked_text

    assert f"<{entity}_1>" in masked
    assert not any(char.isdigit() for char in masked.replace(f"<{entity}_1>", ""))


@pytest.mark.parametrize(
    "text",
    [
        "The reference 2345 6789 0124 is on the parcel.",  # valid Aadhaar, no word says so
        "Ticket 1234 5678 9018 was closed.",  # valid My Number, no word says so
        "Batch 90010112349 left the warehouse.",  # valid PESEL, no word says so
        "Barcode 1103700123458 on the box.",  # valid Thai ID in one run, no word says so
    ],
)
def test_a_number_with_one_weak_check_digit_needs_a_context_word(pattern_guard: Guard, text: str) -> None:
    assert not [f for f in pattern_guard.analyze(text) if f.entity_type in NATIONAL_ID_ENTITIES]


@pytest.mark.parametrize(
    "text",
    [
        "Order 2024-000123 ships on 2024-03-15, invoice INV-90010112 for $1,234,567.89.",
        "Order #1234567890123 and #12345678901234567 are delayed.",
        "Call me on +1 415 555 0134 or +44 20 7946 0958, office 020 7946 0958.",
        "我的电话是13812345678，订单号20240315123456。",
        "Version 12.345.678-90 of the build, part number 123-456-789-10.",
        "Tracking 1Z999AA10123456784, SKU ABCDE1234F, room AB 12 34 56 Z.",
        "Order 12345678950 and ticket no. 123.456.789-09 shipped; customer ID 900101-1234568.",
        "Prices: 1.234.567,89 EUR and 98 765 432,10 PLN; 2024/03/15 at 10:30.",
    ],
)
def test_order_numbers_phones_dates_and_prices_are_not_ids(pattern_guard: Guard, text: str) -> None:
    assert not [f for f in pattern_guard.analyze(text) if f.entity_type in NATIONAL_ID_ENTITIES]


def test_a_phone_keeps_its_placeholder_where_an_id_check_also_passes(pattern_guard: Guard) -> None:
    # 943 476 5919 passes the NHS check and is laid out as an American phone.
    assert pattern_guard.check_prompt("Call 943 476 5919 after six.").masked_text == "Call <PHONE_NUMBER_1> after six."


def test_the_same_id_twice_is_one_placeholder_and_restore_gives_it_back(guard: Guard) -> None:
    text = "RRN 900101-1234568, again 900101-1234568; CPF 123.456.789-09."
    prompt = guard.check_prompt(text)

    assert prompt.masked_text == "RRN <KR_RRN_1>, again <KR_RRN_1>; CPF <BR_CPF_1>."
    assert restore_placeholders(prompt.masked_text, prompt.mapping) == text
    assert apply_restore_policy(prompt.masked_text, prompt.mapping, restore=False) == prompt.masked_text


def test_the_users_own_id_may_come_back_but_a_new_one_is_rejected(guard: Guard) -> None:
    prompt = guard.check_prompt("Draft a letter quoting my codice fiscale RSSMRA85T10A562S.")

    own = inspect_output("Codice fiscale: RSSMRA85T10A562S.", input_mapping=prompt.mapping, canary="", guard=guard)
    invented = inspect_output(
        "Codice fiscale: 440304198506123412.", input_mapping=prompt.mapping, canary="", guard=guard
    )

    assert own.ok
    assert invented.problems == (OutputProblem.NEW_PII,)
    assert invented.entity_types == ("CN_RESIDENT_ID",)


_HINT_TEXTS = [
    *(sentence.format(number) for _, number, sentence in VALID),
    *(sentence.format(_wrong_check(number)) for _, number, sentence in VALID),
    "Order 2024-000123, SKU ABCDE1234F, room AB 12 34 56 Z, call 090ー1234ー5678.",
]


@pytest.mark.parametrize("recognizer", national_id_recognizers(), ids=lambda recognizer: recognizer.name)
def test_a_hint_skips_only_text_the_patterns_find_nothing_in(recognizer: HintedRecognizer) -> None:
    entities = recognizer.supported_entities
    for text in _HINT_TEXTS:
        found = recognizer.analyze_hinted(text, entities, None, None)
        assert recognizer.analyze(text, entities) == found
        assert recognizer.has_hint(text) or not found
