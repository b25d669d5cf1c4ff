"""National identity numbers, masked when their check digits say they are one.

Presidio's recognizers of these numbers are the checks: each one kept here validates a check digit
(Korea's RRN, India's Aadhaar, Spain's DNI and NIE, Italy's codice fiscale, Poland's PESEL, the
NHS number, Turkey's T.C. Kimlik No, Finland's henkilötunnus, Thailand's ID) or a layout no
everyday number has (India's PAN, the UK National Insurance number). Presidio has none for
China's resident identity number, Japan's My Number or Brazil's CPF: those are written below,
checked the same way. Their patterns are replaced: a number is never part of a longer one, a
decimal, a phone's "+" or a word, and Presidio's PESEL and fiscal code patterns match inside
longer runs.

A number whose check is strong (two check digits, a date and a check digit, a check letter) is
masked on its own; where one check digit in ten is all there is and the layout is shared with
phones and order numbers (Aadhaar, My Number, PESEL, NHS, a Thai number written in one run), it
scores under the analyzer's threshold and only a context word ("aadhaar", "pesel", "マイナンバー")
lifts it over. A number the text calls an order, ticket or customer number is none ("Order
12345678950"). Whatever its check, an identity number scores under a formatted phone and a card, so the
digits those recognizers already mask keep their placeholder.

Each recognizer reads the text with digits of every script in ASCII and Han, kana and Hangul as
spaces, one character for one, so a number written against a Korean or Chinese word is found
("주민등록번호900101-1234568"), and a cheap hint skips text with no run of digits long enough.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import (
    EsNieRecognizer,
    EsNifRecognizer,
    FiPersonalIdentityCodeRecognizer,
    InAadhaarRecognizer,
    InPanRecognizer,
    ItFiscalCodeRecognizer,
    KrRrnRecognizer,
    NhsRecognizer,
    PlPeselRecognizer,
    ThTninRecognizer,
    TrNationalIdRecognizer,
    UkNinoRecognizer,
)

from bot.guard.hinted import HintedRecognizer
from bot.guard.phones import labelled_an_identifier
from bot.guard.script_ranges import as_ascii_digits, unspaced_letters_as_spaces

# Under a formatted phone (0.6) and a card of a known network (0.8): where those recognizers
# mask the same digits, their placeholder is kept.
ID_SCORE = 0.5
# Under the analyzer threshold on purpose: only a context word lifts it over.
CONTEXT_ONLY_SCORE = 0.3
# Not part of a longer number, a decimal, a date, a phone's "+" or a word.
_START = r"(?<![\w+.,\-/])"
_END = r"(?![\w]|[.,\-/]\d)"
_CASE_SENSITIVE = re.DOTALL | re.MULTILINE
_SEPARATORS = [("-", ""), (" ", "")]


class _SharedHint:
    """A hint several recognizers share, searched once per text: the analyzer hands each of them
    the same text in turn, and fifteen searches of a 2,000-character prompt cost over half a
    millisecond."""

    def __init__(self, pattern: str) -> None:
        self._pattern = re.compile(pattern)
        # The last text's length and hash (never the text itself) and the answer for it.
        self._last: tuple[int, int, bool] = (-1, 0, False)

    def found_in(self, text: str) -> bool:
        length, digest, found = self._last
        if length != len(text) or digest != hash(text):
            found = self._pattern.search(text) is not None
            self._last = (len(text), hash(text), found)
        return found


# Every number below holds six digits with at most one separator among them; a prompt without
# such a run (most have none) costs one search for all twelve recognizers of numbers.
_SIX_DIGITS = _SharedHint(r"\d\d\d\D?\d\d\d")
# The PAN and the fiscal code hold five letters and then two digits.
_FIVE_LETTERS_TWO_DIGITS = _SharedHint(r"[A-Za-z]{5}\d\d")


class _CheckedId(HintedRecognizer):
    """A Presidio pattern recognizer whose findings are kept only when its check passes, each
    scored by the pattern that found it (``ID_SCORE`` or ``CONTEXT_ONLY_SCORE``) rather than
    Presidio's 1.0 for any validated number."""

    ENTITY: ClassVar[str]
    PATTERNS: list[Pattern]
    CONTEXT: list[str]
    SHARED_HINT: ClassVar[_SharedHint | None] = _SIX_DIGITS
    HINT: ClassVar[re.Pattern[str]]
    # A layout with no check digit (PAN, National Insurance): kept on the pattern alone.
    UNCHECKED: ClassVar[bool] = False
    REGEX_FLAGS: ClassVar[int | None] = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            **{
                "supported_entity": self.ENTITY,
                "patterns": self.PATTERNS,
                "context": self.CONTEXT,
                "supported_language": "en",
                "name": type(self).__name__,
                **kwargs,
            }
        )
        self.replacement_pairs = _SEPARATORS
        if self.REGEX_FLAGS is not None:
            self.global_regex_flags = self.REGEX_FLAGS

    def has_hint(self, text: str) -> bool:
        shared = self.SHARED_HINT
        return (shared is None or shared.found_in(text)) and self.HINT.search(text) is not None

    def analyze_hinted(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None, regex_flags: int | None
    ) -> list[RecognizerResult]:
        readable = as_ascii_digits(unspaced_letters_as_spaces(text))
        kept = []
        for result in super().analyze_hinted(readable, entities, nlp_artifacts, regex_flags):
            explanation = result.analysis_explanation
            if explanation.validation_result is None and not self.UNCHECKED:
                continue  # Presidio's "cannot tell" (a Korean number issued since 2020, a fiscal code failing its check)
            if labelled_an_identifier(text, result.start):
                continue  # "order 12345678950": one number in a hundred passes two check digits by chance
            result.score = explanation.original_score
            explanation.score = result.score
            kept.append(result)
        return kept


class KoreanResidentNumberRecognizer(_CheckedId, KrRrnRecognizer):
    ENTITY = "KR_RRN"
    # YYMMDD-GNNNNNC: birth date, sex and century (5-8 for foreign residents), a check digit.
    PATTERNS = [Pattern("RRN", rf"{_START}\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])-?[1-8]\d{{6}}{_END}", ID_SCORE)]
    CONTEXT = [*KrRrnRecognizer.CONTEXT, "주민등록번호", "주민번호"]
    HINT = re.compile(r"\d{6}\D?\d{7}")


class AadhaarRecognizer(_CheckedId, InAadhaarRecognizer):
    ENTITY = "IN_AADHAAR"
    # Verhoeff's one check digit, on 12 digits grouped as phones and order numbers are.
    PATTERNS = [Pattern("Aadhaar", rf"{_START}[2-9]\d{{3}}([ -]?)\d{{4}}\1\d{{4}}{_END}", CONTEXT_ONLY_SCORE)]
    CONTEXT = ["aadhaar", "aadhar", "uidai", "आधार"]
    HINT = re.compile(r"\d{4}\D?\d{4}\D?\d{4}")


class PanRecognizer(_CheckedId, InPanRecognizer):
    ENTITY = "IN_PAN"
    # A person's PAN: three letters, P (the holder is a person), the surname's initial, four
    # digits and a letter, in capitals. Companies' PANs (C, F, T...) are not personal data.
    PATTERNS = [Pattern("PAN (person)", r"\b[A-Z]{3}P[A-Z]\d{4}[A-Z]\b", ID_SCORE)]
    CONTEXT = InPanRecognizer.CONTEXT
    SHARED_HINT = _FIVE_LETTERS_TWO_DIGITS
    HINT = re.compile(r"[A-Z]{5}\d{4}")
    UNCHECKED = True
    REGEX_FLAGS = _CASE_SENSITIVE


class SpanishDniRecognizer(_CheckedId, EsNifRecognizer):
    ENTITY = "ES_NIF"
    PATTERNS = [Pattern("DNI", rf"{_START}\d{{8}}-?[A-Z]\b", ID_SCORE)]
    CONTEXT = EsNifRecognizer.CONTEXT
    HINT = re.compile(r"\d{7}\D?[A-Za-z]")


class SpanishNieRecognizer(_CheckedId, EsNieRecognizer):
    ENTITY = "ES_NIE"
    PATTERNS = [Pattern("NIE", r"\b[XYZ]-?\d{7}-?[A-Z]\b", ID_SCORE)]
    CONTEXT = EsNieRecognizer.CONTEXT
    HINT = re.compile(r"\d{7}\D?[A-Za-z]")


class FiscalCodeRecognizer(_CheckedId, ItFiscalCodeRecognizer):
    ENTITY = "IT_FISCAL_CODE"
    # Presidio's layout (surname, name, birth date and place, check letter), as a whole word.
    PATTERNS = [
        Pattern("Fiscal code", rf"\b(?:{ItFiscalCodeRecognizer.PATTERNS[0].regex.removeprefix('(?i)')})\b", ID_SCORE)
    ]
    CONTEXT = ItFiscalCodeRecognizer.CONTEXT
    # The two digits of the birth year. A code whose year digits were replaced by letters (when two
    # people's codes collide) is left out: the hint would otherwise pass most long words.
    SHARED_HINT = _FIVE_LETTERS_TWO_DIGITS
    HINT = re.compile(r"[A-Za-z]{6}\d\d[A-Za-z]")


class PeselRecognizer(_CheckedId, PlPeselRecognizer):
    ENTITY = "PL_PESEL"
    # YYMMDD (the month carries the century) and a check digit: one 11-digit number in ten passes.
    PATTERNS = [
        Pattern(
            "PESEL",
            rf"{_START}\d\d(?:[02468][1-9]|[13579][012])(?:0[1-9]|[12]\d|3[01])\d{{5}}{_END}",
            CONTEXT_ONLY_SCORE,
        )
    ]
    CONTEXT = ["pesel"]
    HINT = re.compile(r"\d{11}")


class NationalInsuranceRecognizer(_CheckedId, UkNinoRecognizer):
    ENTITY = "UK_NINO"
    # Two prefix letters from the ones issued, six digits, a suffix A-D, in capitals.
    PATTERNS = [
        Pattern(
            "NINO",
            r"\b(?!BG|GB|NK|KN|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d\d ?\d\d ?\d\d ?[A-D]\b",
            ID_SCORE,
        )
    ]
    CONTEXT = UkNinoRecognizer.CONTEXT
    SHARED_HINT = None
    HINT = re.compile(r"[A-Z]{2} ?\d\d")
    UNCHECKED = True
    REGEX_FLAGS = _CASE_SENSITIVE


class NhsNumberRecognizer(_CheckedId, NhsRecognizer):
    ENTITY = "UK_NHS"
    # Ten digits, written 3-3-4 as American phones are, and one check digit.
    PATTERNS = [Pattern("NHS", rf"{_START}\d{{3}}([ -]?)\d{{3}}\1\d{{4}}{_END}", CONTEXT_ONLY_SCORE)]
    CONTEXT = ["nhs"]
    HINT = re.compile(r"\d{3}\D?\d{3}\D?\d{4}")


class TurkishIdRecognizer(_CheckedId, TrNationalIdRecognizer):
    ENTITY = "TR_NATIONAL_ID"
    # Two check digits: one 11-digit number in a hundred passes.
    PATTERNS = [Pattern("TCKN", rf"{_START}[1-9]\d{{10}}{_END}", ID_SCORE)]
    CONTEXT = TrNationalIdRecognizer.CONTEXT
    HINT = re.compile(r"\d{11}")


class FinnishIdRecognizer(_CheckedId, FiPersonalIdentityCodeRecognizer):
    ENTITY = "FI_PERSONAL_IDENTITY_CODE"
    # DDMMYY, a century sign, three digits and a check character (one in 31 passes).
    PATTERNS = [Pattern("HETU", rf"{_START}\d{{6}}[-+A-FU-Y]\d{{3}}[0-9A-FHJ-NPR-Y]\b", ID_SCORE)]
    CONTEXT = FiPersonalIdentityCodeRecognizer.CONTEXT
    HINT = re.compile(r"\d{6}\D\d{3}")


class ThaiIdRecognizer(_CheckedId, ThTninRecognizer):
    ENTITY = "TH_TNIN"
    # Written 1-2345-67890-12-3 on the card, a layout of its own; in one run it is 13 digits with
    # one check digit, as a barcode is.
    PATTERNS = [
        Pattern("TNIN (card)", rf"{_START}[1-8]-\d{{4}}-\d{{5}}-\d\d-\d{_END}", ID_SCORE),
        Pattern("TNIN (run)", rf"{_START}[1-8]\d{{12}}{_END}", CONTEXT_ONLY_SCORE),
    ]
    CONTEXT = [*ThTninRecognizer.CONTEXT, "บัตรประชาชน"]
    HINT = re.compile(r"\d\D?\d{4}\D?\d{5}\D?\d\d\D?\d")


class ChineseResidentIdRecognizer(_CheckedId, PatternRecognizer):
    ENTITY = "CN_RESIDENT_ID"
    # Region (six digits), birth date YYYYMMDD, a sequence number and an ISO 7064 MOD 11-2 check
    # character (0-9 or X).
    PATTERNS = [
        Pattern(
            "Resident ID",
            rf"{_START}[1-9]\d{{5}}(?:18|19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{{3}}[\dX\uff38]{_END}",
            ID_SCORE,
        )
    ]
    CONTEXT = ["身份证", "身份證", "公民身份号码"]
    HINT = re.compile(r"\d{17}")
    _WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

    def validate_result(self, pattern_text: str) -> bool:
        total = sum(int(digit) * weight for digit, weight in zip(pattern_text[:17], self._WEIGHTS, strict=True))
        # Chinese input methods type a full-width X (U+FF38) with their full-width digits.
        return "10X98765432"[total % 11] == pattern_text[17].upper().replace("\uff38", "X")


class MyNumberRecognizer(_CheckedId, PatternRecognizer):
    ENTITY = "JP_MY_NUMBER"
    # Twelve digits and one check digit, grouped 4-4-4 as Aadhaar and order numbers are.
    PATTERNS = [Pattern("My Number", rf"{_START}\d{{4}}([ -]?)\d{{4}}\1\d{{4}}{_END}", CONTEXT_ONLY_SCORE)]
    CONTEXT = ["マイナンバー", "個人番号", "mynumber"]
    HINT = re.compile(r"\d{4}\D?\d{4}\D?\d{4}")

    def validate_result(self, pattern_text: str) -> bool:
        digits = [int(char) for char in re.sub(r"\D", "", pattern_text)]
        # The n-th digit from the right of the first eleven weighs n + 1 up to 6, n - 5 after.
        total = sum(digit * (n + 1 if n <= 6 else n - 5) for n, digit in enumerate(reversed(digits[:11]), start=1))
        remainder = total % 11
        return digits[11] == (0 if remainder <= 1 else 11 - remainder)


class CpfRecognizer(_CheckedId, PatternRecognizer):
    ENTITY = "BR_CPF"
    # Nine digits and two check digits, written 123.456.789-09 or in one run.
    PATTERNS = [Pattern("CPF", rf"{_START}(?:\d{{3}}\.\d{{3}}\.\d{{3}}-\d\d|\d{{11}}){_END}", ID_SCORE)]
    CONTEXT = ["cpf"]
    HINT = re.compile(r"\d{3}\D?\d{3}\D?\d{3}\D?\d\d")

    def validate_result(self, pattern_text: str) -> bool:
        digits = [int(char) for char in re.sub(r"\D", "", pattern_text)]
        if len(set(digits)) == 1:
            return False  # 111.111.111-11 passes both checks and was never issued
        for length in (9, 10):
            remainder = (
                sum(digit * weight for digit, weight in zip(digits[:length], range(length + 1, 1, -1), strict=True))
                * 10
                % 11
            )
            if digits[length] != remainder % 10:
                return False
        return True


_RECOGNIZERS: tuple[type[_CheckedId], ...] = (
    KoreanResidentNumberRecognizer,
    AadhaarRecognizer,
    PanRecognizer,
    SpanishDniRecognizer,
    SpanishNieRecognizer,
    FiscalCodeRecognizer,
    PeselRecognizer,
    NationalInsuranceRecognizer,
    NhsNumberRecognizer,
    TurkishIdRecognizer,
    FinnishIdRecognizer,
    ThaiIdRecognizer,
    ChineseResidentIdRecognizer,
    MyNumberRecognizer,
    CpfRecognizer,
)
NATIONAL_ID_ENTITIES: tuple[str, ...] = tuple(recognizer.ENTITY for recognizer in _RECOGNIZERS)


def national_id_recognizers() -> list[HintedRecognizer]:
    return [recognizer() for recognizer in _RECOGNIZERS]
