"""Dates of birth and personal numbers found by the label before them (labelled_ids.py), and email
addresses spelt out (spelt_emails.py)."""

from __future__ import annotations

import pytest

from bot.guard import Guard
from bot.guard.labelled_ids import labelled_ids
from bot.guard.output import inspect_output
from bot.guard.spelt_emails import spelt_emails


def _found(text: str) -> list[tuple[str, str]]:
    return [(kind, text[start:end]) for kind, start, end in labelled_ids(text)]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("Letter for Sarah, DOB 03/11/1986, explaining the delay.", "DATE_OF_BIRTH", "03/11/1986"),
        ("summarize: Jessica Nguyen, DOB Jan 5 1992, Austin", "DATE_OF_BIRTH", "Jan 5 1992"),
        ("your date of birth (July 8, 1988) has been verified", "DATE_OF_BIRTH", "July 8, 1988"),
        ("a joke about him, he was born 1990-12-01", "DATE_OF_BIRTH", "1990-12-01"),
        ("turning 90, born 4 july 1935 lol", "DATE_OF_BIRTH", "4 july 1935"),
        ("elle est née le 12/04/1975", "DATE_OF_BIRTH", "12/04/1975"),
        ("ihr Geburtsdatum 07.08.1983 geschickt", "DATE_OF_BIRTH", "07.08.1983"),
        ("mi sobrina, nació el 12 de mayo de 2015", "DATE_OF_BIRTH", "12 de mayo de 2015"),
        ("urodzona 5 marca 1990 w Krakowie", "DATE_OF_BIRTH", "5 marca 1990"),
        ("remind him his passport P4827193 expires", "PASSPORT", "P4827193"),
        ("bring passport no. X7294013 and the letter", "PASSPORT", "X7294013"),
        ("a scan of his passport 72 1234567 and", "PASSPORT", "72 1234567"),
        ("Maryam Hosseini, passport P-4471920, date of", "PASSPORT", "P-4471920"),
        ("su pasaporte AAB123456 y su licencia", "PASSPORT", "AAB123456"),
        ("driver license D123-4567-8901 for Jessica", "DRIVER_LICENSE", "D123-4567-8901"),
        ("licencia de conducir C0493821 ya", "DRIVER_LICENSE", "C0493821"),
        ("NI number QQ 12 34 56 C, please", "ID_NUMBER", "QQ 12 34 56 C"),
        ("we still need your SIN 046 454 286 and", "ID_NUMBER", "046 454 286"),
        ("her personnummer 850709-9805 not matching", "ID_NUMBER", "850709-9805"),
        ("su DNI es 48293715K y su teléfono", "ID_NUMBER", "48293715K"),
        ("codice fiscale RMNGLI90A41H501X e", "ID_NUMBER", "RMNGLI90A41H501X"),
        ("Steuer-ID 12 345 678 903 und", "ID_NUMBER", "12 345 678 903"),
        ("his PAN BQRPP4821K for the invoice", "ID_NUMBER", "BQRPP4821K"),
        ("his wire to account number 4471093825 at Chase", "BANK_ACCOUNT", "4471093825"),
        ("Caller Brian, acct 88341290, says", "BANK_ACCOUNT", "88341290"),
        ("close account 12-3456-7890123-00 held by", "BANK_ACCOUNT", "12-3456-7890123-00"),
        ("a la cuenta ES76 2100 0418 4502 0005 1332.", "BANK_ACCOUNT", "ES76 2100 0418 4502 0005 1332"),
        ("his debit card 4929 8812 3345 0917 was stolen", "CREDIT_CARD", "4929 8812 3345 0917"),
        ("refund went to IBAN GB47 BARC 2004 1578 3319 06", "IBAN_CODE", "GB47 BARC 2004 1578 3319 06"),
    ],
)
def test_a_value_right_after_its_label_is_found_whatever_its_check_digits(text: str, kind: str, value: str) -> None:
    assert (kind, value) in _found(text)


@pytest.mark.parametrize(
    "text",
    [
        "send me ur passport no. and DOB so i can book flights",
        "he was born in 1990 and moved in 2004",
        "upload a passport photo 35x45 mm",
        "our account manager 2024 plan",
        "SKU RG-4410-M, now $39.99",
        "MIT license 2.0 applies",
        "sin 12345678 problemas",
        "the card game for 2 to 6 players",
        "birthday party on 12/04 at 5pm",
        "a la cuenta",
        # The words of an employee's number with no number after them, or a count.
        "ask staff no. later about the party",
        "our employee number rose to 1200 this year",
    ],
)
def test_a_label_with_no_value_of_its_kind_masks_nothing(text: str) -> None:
    assert _found(text) == []


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("u can reach me at kev dot brennan at gmail dot com or", "kev dot brennan at gmail dot com"),
        ("contractor raj at raj.patel[at]gmail[.]com asking", "raj.patel[at]gmail[.]com"),
        ("write to anna (at) firma (dot) de today", "anna (at) firma (dot) de"),
        ("write to jane.doe at outlook.com please", "jane.doe at outlook.com"),
    ],
)
def test_an_email_address_spelt_out_is_found(text: str, address: str) -> None:
    assert [text[start:end] for start, end in spelt_emails(text)] == [address]


@pytest.mark.parametrize(
    "text",
    ["look at example dot com", "mail jane@example.com now", "meet at 5 at the office dot com", "reply at once [see]"],
)
def test_words_at_and_dot_in_a_sentence_are_no_email(text: str) -> None:
    assert spelt_emails(text) == []


def test_the_guard_masks_labelled_values_and_spelt_emails(guard: Guard) -> None:
    text = "Letter for Kwame: DOB 1994.02.17, TFN 123 456 782, bank acct 4471 2298, mail kwame at gmail dot com"
    masked = guard.mask(text)
    for value in ("1994.02.17", "123 456 782", "4471 2298", "kwame at gmail dot com"):
        assert value not in masked.text
        assert value in masked.mapping.values()


def test_a_date_of_birth_the_model_writes_is_not_withheld_as_new_personal_data(guard: Guard) -> None:
    verdict = inspect_output(
        "Form draft: Date of birth: 01/01/1990, passport no. X0000000.", input_mapping={}, canary="", guard=guard
    )
    assert verdict.ok


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("il est né le 03/04/1970 à Lyon", "03/04/1970"),
        ("numer konta 12 1140 2004 0000 3102 7788 9900", "12 1140 2004 0000 3102 7788 9900"),
        ("Kreditkarte 4929 8812 3345 0917", "4929 8812 3345 0917"),
        ("Führerscheinnummer B072RRE2I55", "B072RRE2I55"),
        ("numéro de sécurité sociale 1 85 05 75 116 084", "1 85 05 75 116 084"),
        # Identity numbers of Turkey, Indonesia, the Gulf, China, Japan and Korea.
        ("Personel: Elif Aydın, TC Kimlik No 28461937052, izin talebi.", "28461937052"),
        ("Data karyawan: NIK 3171046203880004, pindah ke Jakarta.", "3171046203880004"),
        ("الموظف خالد، رقم الهوية 784-1987-4412093-2، يطلب إجازة", "784-1987-4412093-2"),
        ("员工王芳，身份证号 440305198807153326，入职材料。", "440305198807153326"),
        # A person's employee number, in the words of HR notes of many languages.
        ("HR note: Emp ID EMP-30418, asked for a schedule change.", "EMP-30418"),
        ("my employee number is 00386120 if payroll needs it", "00386120"),
        ("staff no. 4471-2093 for the badge request", "4471-2093"),
        ("Mitarbeiterin Jana Vogel, Personalnummer 318842, Elternzeit.", "318842"),
        ("Jan Bakker, personeelsnummer 55102, verlof aangevraagd.", "55102"),
        ("Mitt personnummer är 790312-4471 om ni behöver det.", "790312-4471"),
        ("整理人事备注：员工李强，工号 HR-7730。", "HR-7730"),
        ("人事メモ：社員番号 B-41277、異動の連絡。", "B-41277"),
    ],
)
def test_labels_of_other_languages_are_read(text: str, value: str) -> None:
    assert value in [found for _, found in _found(text)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("IBAN gb82 west 1234 5698 7654 32 is mine", "gb82 west 1234 5698 7654 32"),
        ("my iban is gb82west12345698765432 ok", "gb82west12345698765432"),
        ("IBAN: MT84 MALT 0110 0001 2345 MTLC AST0 01S", "MT84 MALT 0110 0001 2345 MTLC AST0 01S"),
    ],
)
def test_words_after_a_labelled_iban_are_not_part_of_it(text: str, value: str) -> None:
    assert _found(text) == [("IBAN_CODE", value)]
