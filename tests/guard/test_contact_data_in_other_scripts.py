"""Phone and card numbers written in the digits of other scripts, in full-width forms, and in text
that puts no space between a word and a number; emails glued to Chinese, Japanese or Korean words;
and the ids those languages label as numbers, which are no phones."""

from __future__ import annotations

import unicodedata

import pytest

from bot.guard import Guard
from bot.guard.script_ranges import NATIVE_ZEROS


def test_each_native_zero_opens_ten_digits_in_order() -> None:
    for zero in NATIVE_ZEROS:
        assert [unicodedata.decimal(chr(zero + value)) for value in range(10)] == list(range(10))


@pytest.mark.parametrize(
    ("sentence", "phone"),
    [
        # Chinese, Japanese and Korean: the number glued to the words around it.
        ("我的电话是13812345678，请晚上联系。", "13812345678"),
        ("有问题请打我手机139-1234-5678。", "139-1234-5678"),
        ("お問い合わせは03-1234-5678へお電話ください。", "03-1234-5678"),
        ("연락처: 010-9876-5432로 문자 주세요.", "010-9876-5432"),
        ("客户的手机是+86 138 1234 5678，他在上海。", "+86 138 1234 5678"),
        # Full-width digits and dashes, and a long-vowel mark typed for a dash.
        ("携帯：０９０－１２３４－５６７８までご連絡ください。", "０９０－１２３４－５６７８"),
        ("電話は090ー1234ー5678です。", "090ー1234ー5678"),
        # Arabic-Indic, Persian, Devanagari and Bengali digits.
        ("اتصل بي على ٠٥٠١٢٣٤٥٦٧ غدا", "٠٥٠١٢٣٤٥٦٧"),
        ("شماره موبایل من ۰۹۱۲۳۴۵۶۷۸۹ است", "۰۹۱۲۳۴۵۶۷۸۹"),
        ("मेरा मोबाइल नंबर ९८७६५४३२१० है, कल फोन करना।", "९८७६५४३२१०"),
        ("আমার ফোন নম্বর ০১৭১২৩৪৫৬৭৮", "০১৭১২৩৪৫৬৭৮"),
        # A bare national number lifted by the word for "call" or "phone" of the sentence's language.
        ("कृपया 98765 43210 पर कॉल करें।", "98765 43210"),
        ("Мой телефон 916 123 45 67, звоните после шести.", "916 123 45 67"),
        # Parentheses around the whole number are not part of it.
        ("弊社代表番号（03-5555-0101）へお電話ください。", "03-5555-0101"),
    ],
)
def test_phones_in_other_scripts_are_masked(pattern_guard: Guard, sentence: str, phone: str) -> None:
    assert pattern_guard.check_prompt(sentence).mapping == {"<PHONE_NUMBER_1>": phone}


@pytest.mark.parametrize(
    "sentence",
    [
        # Order, tracking, waybill and registration numbers, labelled as such.
        "订单号13812345678已经发货。",
        "快递单号4401-2231-9981，预计明天送达。",
        "追跡番号 4407-2291-8836 の荷物は明日届きます。",
        "사업자등록번호 214-87-03519로 세금계산서를 발행해 주세요.",
        "운송장번호 6521-0093-4418 확인 부탁드립니다.",
        # Dates, years, prices and addresses, in other digits or in parentheses.
        "الاجتماع يوم ٢٠٢٤/٠٣/١٥ في المكتب، اتصل بي إذا تأخرت.",
        "Проект длился долго (2019–2023), звоните, если нужны детали.",
        "The router (192.168.0.1) is down, call IT.",
    ],
)
def test_ids_dates_and_addresses_of_other_scripts_are_not_phones(pattern_guard: Guard, sentence: str) -> None:
    assert "PHONE_NUMBER" not in {finding.entity_type for finding in pattern_guard.analyze(sentence)}


@pytest.mark.parametrize(
    ("sentence", "card"),
    [
        ("カード番号：４１１１－１１１１－１１１１－１１１１", "４１１１－１１１１－１１１１－１１１１"),
        ("信用卡号4111111111111111，有效期12/27", "4111111111111111"),
        ("카드번호 4111-1111-1111-1111로 결제해 주세요.", "4111-1111-1111-1111"),
        ("رقم البطاقة ٤١١١ ١١١١ ١١١١ ١١١١", "٤١١١ ١١١١ ١١١١ ١١١١"),
    ],
)
def test_cards_in_other_scripts_are_masked(pattern_guard: Guard, sentence: str, card: str) -> None:
    assert pattern_guard.check_prompt(sentence).mapping == {"<CREDIT_CARD_1>": card}


def test_a_card_number_inside_an_id_is_not_masked(pattern_guard: Guard) -> None:
    assert pattern_guard.analyze("Look up id_4111111111111111 in the logs.") == []


@pytest.mark.parametrize(
    ("sentence", "email"),
    [
        ("邮箱zhang.wei@example.cn，电话见下。", "zhang.wei@example.cn"),
        ("メールはtanaka@example.co.jpまでお願いします。", "tanaka@example.co.jp"),
        ("이메일: kim@example.kr로 보내 주세요.", "kim@example.kr"),
    ],
)
def test_an_email_glued_to_chinese_japanese_or_korean_words_is_masked_alone(
    pattern_guard: Guard, sentence: str, email: str
) -> None:
    assert pattern_guard.check_prompt(sentence).mapping == {"<EMAIL_ADDRESS_1>": email}
