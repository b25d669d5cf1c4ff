"""Personal numbers and dates the text itself names: "DOB 03/11/1986", "passport no. X7294013",
"licencia de conducir C0493821", "BSN 204613879", "account number 4471093825".

The checked recognizers (national_ids.py, cards.py, Presidio's IBAN) find a number by its shape
and check digits, which is how to find one nobody labelled. A number written right after the name
of the document it comes from is that document's number whatever its digits: people mistype them,
and a passport, a driver's licence or a bank account has no check digit anyone can test. So a
label (in English and the project's European languages) followed by a value of the label's kind,
with at most a "no.", "number", "is", ":" or "(" between them, is masked:

- a date of birth: a full date (day, month and year, in digits or with the month's name) after
  "DOB", "date of birth", "born", "née le", "Geburtsdatum", "fecha de nacimiento"...;
- a card number: 12 to 19 digits in groups, after "card", "tarjeta", "Kreditkarte"...;
- an IBAN: two letters, two digits and up to eight groups, after "IBAN";
- a passport, driver's licence, identity, social security or tax number, or a bank account: a code of 5 to 34 letters and digits holding at least four digits, its groups joined by
  single spaces, hyphens, dots or slashes (a group after a space must hold a digit, or be the one
  capital that ends a British National Insurance number), so "passport photo" or "account
  manager" name no value.

A year alone ("born in 1990"), a label with no value ("send me your passport number") and a
number the label does not touch are left as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from bot.guard.findings import TextRecognizer, finding

DATE_OF_BIRTH = "DATE_OF_BIRTH"
PASSPORT = "PASSPORT"
DRIVER_LICENSE = "DRIVER_LICENSE"
ID_NUMBER = "ID_NUMBER"
BANK_ACCOUNT = "BANK_ACCOUNT"
# The entity types of this module's own; a labelled card number or IBAN is reported as the checked
# recognizers report theirs.
LABELLED_ID_ENTITIES: tuple[str, ...] = (DATE_OF_BIRTH, PASSPORT, DRIVER_LICENSE, ID_NUMBER, BANK_ACCOUNT)
CREDIT_CARD = "CREDIT_CARD"
IBAN_CODE = "IBAN_CODE"
SCORE = 0.85

_LABELS: dict[str, str] = {
    DATE_OF_BIRTH: (
        r"d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|birthdate|born(?:\s+on)?|fecha\s+de\s+nacimiento"
        r"|(?:nacid[oa]|naci[óo])\s+el|date\s+de\s+naissance|n[ée]e?\s+le|geburtsdatum|geb\.|geboren\s+(?:am|op)"
        r"|data\s+de\s+nascimento|(?:nascid[oa]|nasceu)\s+(?:em|a)|data\s+di\s+nascita|nat[oa]\s+il|geboortedatum"
        r"|data\s+urodzenia|urodzon[ya]|urodzi[łl]a?\s+si[ęe]"
    ),
    PASSPORT: r"passport|pasaporte|passeport|reisepass|passaporto|passaporte|paspoort|paszport[u]?",
    DRIVER_LICENSE: (
        r"driver'?s?\s+licen[cs]e|driving\s+licen[cs]e|licen[cs]e|(?-i:DL)|licencia\s+de\s+conduc(?:ir|ción)"
        r"|permis\s+de\s+conduire|f[üu]hrerschein(?:nummer)?|patente(?:\s+di\s+guida)?|rijbewijs(?:nummer)?"
        r"|prawo\s+jazdy|carteira\s+de\s+(?:motorista|habilita[çc][ãa]o)|cnh"
    ),
    ID_NUMBER: (
        r"ssn|social\s+security|social\s+insurance|nino|national\s+insurance|national\s+id|tfn"
        r"|tax\s+(?:id|file|identification)|itin|nif|nie|dni|curp|rfc|cpf|bsn|pesel"
        r"|personnummer|f[øo]dselsnummer|henkil[öo]tunnus|steuer-?id|steueridentifikationsnummer"
        r"|personalausweis(?:nummer)?|codice\s+fiscale|carta\s+d'identit[àa]|id\s+card|identity\s+card"
        r"|identification\s+number|num[ée]ro\s+de\s+s[ée]curit[ée]\s+sociale|aadhaar"
        # Abbreviations that are also words in some language ("sin", "pan", "ni") only in capitals.
        r"|(?-i:SIN|NI|TIN|RG|NIP|NIR|CNI|PAN)"
        r"|carte\s+d'identit[ée]|c[ée]dula|documento\s+de\s+identidad|dowod\s+osobisty|dow[óo]d\s+osobisty"
        # Turkish, Indonesian, Arabic, Chinese, Japanese and Korean identity numbers.
        r"|(?:tc\s+)?kimlik(?:\s+numaras\w)?|(?-i:NIK|NPWP)|رقم\s+الهوية|الهوية\s+الوطنية"
        r"|身份[证證](?:号码|號碼|号|號)?|マイナンバー|주민등록번호"
        # An employee's number is the person's as much as a passport's: "Emp ID", "staff no.",
        # "Personalnummer", "matricule", "legajo", "工号", "社員番号", "사번".
        r"|(?:employee|emp|staff|personnel|payroll)\s*(?:id|no\.?|nr\.?|number|#)"
        r"|personalnummer|mitarbeiternummer|personeelsnummer|matricule|num[ée]ro\s+d'employ[ée]"
        r"|n[úu]mero\s+de\s+(?:empleado|funcion[áa]rio)|legajo|matricola|numer\s+pracownika|sicil\s+no"
        r"|табельный\s+номер|工号|工號|员工编号|員工編號|社員番号|従業員番号|사번|직원\s*번호"
    ),
    BANK_ACCOUNT: (
        r"(?:bank\s+|checking\s+|savings\s+|deposit\s+)?account|acct\.?|a/c|sort\s+code|routing"
        r"|kontonummer|konto|numer\s+konta|n[úu]mero\s+de\s+cuenta|cuenta"
        r"|num[ée]ro\s+de\s+compte|compte|conta|conto|rekening(?:nummer)?"
    ),
    CREDIT_CARD: r"(?:credit|debit|bank)?\s*card|tarjeta|carte(?:\s+bancaire)?|kreditkarte|karta|cart[ãa]o|carta",
    IBAN_CODE: r"iban",
}
# What may stand between a label and its value: "no.", "number", "#", "is", ":", "(", a quote.
# Words only as whole words: the "es" of "cuenta ES76 ..." opens the IBAN.
_BETWEEN = (
    r"(?:\s*(?:(?:no|n[ºo°]|nr|number|num[ée]ro|numero|n[úu]mero|nummer|numer|is|was|es|est|ist|é|è|of|är|er)\.?(?![\w])"
    r"|[#:=(\"']))*\s*"
)
_CODE_GROUP = r"[A-Za-z0-9]+"
# A code opens with a group holding a digit, or with up to three capitals before a group of digits
# ("QQ 12 34 56 C", "P-4471920"); a word ("manager 2024") opens none. A group after a space holds a digit, or
# is the one capital that closes a National Insurance number.
_CODE = (
    rf"(?:(?=[A-Za-z]*\d){_CODE_GROUP}|(?-i:[A-Z]{{1,3}})(?=[ -]\d))(?:[-./]{_CODE_GROUP})*"
    rf"(?: (?=[A-Za-z]*\d){_CODE_GROUP}(?:[-./]{_CODE_GROUP})*|(?-i: [A-Z])(?![\w]))*"
)
_MONTHS = (
    r"jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|jun(?:e|\.)?|jul(?:y|\.)?|aug(?:ust|\.)?"
    r"|sep(?:t(?:ember)?|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?"
    r"|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"
    r"|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre"
    r"|januar|februar|m[äa]rz|juni|juli|oktober|dezember"
    r"|janeiro|fevereiro|mar[çc]o|maio|junho|julho|setembro|outubro|novembro|dezembro"
    r"|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre"
    r"|januari|februari|maart|mei|augustus"
    r"|stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|wrze[śs]nia|pa[źz]dziernika|listopada|grudnia"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th|\.|º)?"
_DATE = (
    r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:\d{4}|\d{2})"
    rf"|{_DAY}\s+(?:of\s+|de\s+)?(?:{_MONTHS})(?:\s+de)?,?\s+\d{{4}}"
    rf"|(?:{_MONTHS})\s+{_DAY},?\s+\d{{4}}"
)
_MIN_DIGITS = 4
_MIN_CHARACTERS = 5
_MAX_CHARACTERS = 34


# An IBAN's groups: its bank code is often four letters, which a code's groups after a space may not be.
_IBAN = r"[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{1,4}){2,8}"
_CARD = r"\d{4}(?:[ -]?\d{2,6}){2,4}"
_VALUES = {
    DATE_OF_BIRTH: _DATE,
    PASSPORT: _CODE,
    DRIVER_LICENSE: _CODE,
    ID_NUMBER: _CODE,
    BANK_ACCOUNT: _CODE,
    CREDIT_CARD: _CARD,
    IBAN_CODE: _IBAN,
}
_GROUP_OF_KIND = {kind: f"kind{index}" for index, kind in enumerate(_LABELS)}
_KIND_OF_GROUP = {group: kind for kind, group in _GROUP_OF_KIND.items()}
# Every label in one pattern, a group a kind, so a prompt is read once for labels and a value is
# looked for only right after one (seven patterns, each label and value, read it seven times).
# Not a label inside a code ("SKU RG-4410-M"): a label stands apart from what is before it.
_LABEL = re.compile(
    r"(?<![\w'/-])(?:"
    + "|".join(f"(?P<{_GROUP_OF_KIND[kind]}>{pattern})" for kind, pattern in _LABELS.items())
    + r")(?![\w'/-])",
    re.IGNORECASE,
)
_VALUE_AFTER = {
    kind: re.compile(rf"{_BETWEEN}(?P<value>{value})(?![\w])", re.IGNORECASE) for kind, value in _VALUES.items()
}


# A piece of every label, in lower case, and the abbreviations counted only in capitals: a prompt
# holding none of them (most) is not read for labels at all, which costs as much as the rest.
_LABEL_PIECES = (
    "dob", "d.o.b", "birth", "born", "naci", "naissance", "née", "nee le", "né le", "ne le", "geb", "nasc",
    "nato il", "nata il", "urodz", "passport", "pasaporte", "passeport", "reisepass", "passaport", "paspoort",
    "paszport", "licen", "conduc", "permis", "führer", "fuhrer", "patente", "rijbewijs", "prawo jazdy",
    "motorista", "habilita", "cnh", "ssn", "social", "nino", "insurance", "national", "tfn", "tax", "itin",
    "nif", "nie", "dni", "curp", "rfc", "cpf", "bsn", "pesel", "personnummer", "dselsnummer", "henkil",
    "steuer", "personalausweis", "fiscale", "identit", "id card", "identification", "curit", "aadhaar", "dula",
    "documento", "dowod", "dowód", "account", "acct", "a/c", "sort code", "routing", "konto", "konta", "karte",
    "cuenta", "compte", "conta", "conto", "rekening", "card", "tarjeta", "carte", "karta", "cartão", "cartao",
    "carta", "iban", "kimlik", "الهوية", "身份", "マイナンバー", "주민등록번호", "emp", "staff", "personnel",
    "payroll", "personalnummer", "mitarbeiternummer", "personeelsnummer", "matricul", "legajo", "matricola",
    "pracownika", "sicil", "табельный", "工号", "工號", "员工编号", "員工編號", "社員番号", "従業員番号", "사번", "직원",
)  # fmt: skip
_CAPITAL_LABEL_PIECES = ("SIN", "NI", "TIN", "RG", "NIP", "NIR", "CNI", "PAN", "DL", "NIK", "NPWP")


def _may_hold_a_label(text: str) -> bool:
    lower = text.lower()
    return any(piece in lower for piece in _LABEL_PIECES) or any(piece in text for piece in _CAPITAL_LABEL_PIECES)


# An IBAN's pattern ignores case, so short words after one ("IBAN gb82 west 1234 5698 7654 32 is
# mine") read as more groups; an IBAN's last group holds a digit (the account number's end).
_WORDS_AFTER_AN_IBAN = re.compile(r"(?:[ -][^\W\d_]+)+$")


def _is_code(value: str) -> bool:
    characters = sum(c.isalnum() for c in value)
    return sum(c.isdigit() for c in value) >= _MIN_DIGITS and _MIN_CHARACTERS <= characters <= _MAX_CHARACTERS


def labelled_ids(text: str) -> Iterator[tuple[str, int, int]]:
    """(kind, start, end) of each labelled date of birth or personal number in ``text``."""
    if not any(c.isdigit() for c in text) or not _may_hold_a_label(text):
        return
    for label in _LABEL.finditer(text):
        kind = _KIND_OF_GROUP[str(label.lastgroup)]
        match = _VALUE_AFTER[kind].match(text, label.end())
        if match is None:
            continue
        value = match.group("value")
        if kind == IBAN_CODE:
            value = _WORDS_AFTER_AN_IBAN.sub("", value)
        if kind != DATE_OF_BIRTH:
            value = value.rstrip(".-/")
            if not _is_code(value):
                continue
        yield kind, match.start("value"), match.start("value") + len(value)


RECOGNIZER_NAME = "LabelledIdRecognizer"


def checked_findings_first(results: list[RecognizerResult]) -> list[RecognizerResult]:
    """``results`` without the labelled findings that a checked recognizer's finding covers: "SSN
    536-22-1234" is a US SSN, "Numer PESEL: 90010112349" a PESEL, named as such in its placeholder.
    A labelled finding that another covers only in part stays, so no part of the value is left."""
    checked = [
        r for r in results if r.recognition_metadata.get(RecognizerResult.RECOGNIZER_NAME_KEY) != RECOGNIZER_NAME
    ]
    if len(checked) == len(results):
        return results
    return [
        r
        for r in results
        if r.recognition_metadata.get(RecognizerResult.RECOGNIZER_NAME_KEY) != RECOGNIZER_NAME
        or not any(other.start <= r.start and other.end >= r.end for other in checked)
    ]


class LabelledIdRecognizer(TextRecognizer):
    """Dates of birth and passport, licence, identity, tax and account numbers after their label."""

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(
            supported_entities=[*LABELLED_ID_ENTITIES, CREDIT_CARD, IBAN_CODE],
            supported_language=supported_language,
            name=RECOGNIZER_NAME,
        )

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        return [
            finding(self, kind, start, end, SCORE, f"A value written right after the name of a {kind.lower()}")
            for kind, start, end in labelled_ids(text)
            if kind in entities
        ]
