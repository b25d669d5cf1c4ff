"""Phone numbers, told apart from ticket and order numbers by how they are written.

Presidio's PhoneRecognizer runs libphonenumber over the whole text once per region and gives
every match the same score, so "ticket 2024-000123" (a valid Washington DC number) is masked
like "+1 (415) 555-0132", and a 300-character prompt costs about 10 ms. This recognizer asks
libphonenumber only about digit runs that could be a number, and scores by formatting: an
international prefix, an area code in parentheses or three or more digit groups read as a
phone on their own; a bare run of digits needs a context word ("phone", "mobile") nearby.
"""

from __future__ import annotations

import re

import phonenumbers
from presidio_analyzer import AnalysisExplanation, LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

FORMATTED_SCORE = 0.6
# Under the analyzer threshold on purpose: only a context word lifts it over.
BARE_SCORE = 0.3
DEFAULT_REGIONS = ("US", "GB", "DE", "FR", "IL", "IN", "CA", "BR")
# libphonenumber costs up to 0.7 ms for a run of digits that is no number in any region. Past
# this many candidates (a pasted table, or a prompt built to stall the guard) the rest are
# judged by formatting alone: a formatted one is masked unvalidated, a bare one is not.
MAX_VALIDATED_CANDIDATES = 50

_CANDIDATE = re.compile(r"(?<![\w+.])\+?\(?\d[\d ().\-/]{5,20}\d(?![\w.]\d|\w)")
_GROUP_SEPARATOR = re.compile(r"\d[ .\-/)]+\(?(?=\d)")
# 3-2-4 is the SSN layout; the SSN recognizer owns it.
_SSN_LAYOUT = re.compile(r"\d{3}-\d{2}-\d{4}")
_MIN_DIGITS, _MAX_DIGITS = 7, 15


def _score(candidate: str) -> float:
    if candidate.startswith(("+", "(")) or len(_GROUP_SEPARATOR.findall(candidate)) >= 2:
        return FORMATTED_SCORE
    return BARE_SCORE


class FormattedPhoneRecognizer(LocalRecognizer):
    CONTEXT = ["phone", "telephone", "tel", "cell", "cellphone", "mobile", "call", "whatsapp", "sms", "fax"]

    def __init__(self, *, regions: tuple[str, ...] = DEFAULT_REGIONS, supported_language: str = "en") -> None:
        self.regions = regions
        super().__init__(
            supported_entities=["PHONE_NUMBER"],
            supported_language=supported_language,
            context=self.CONTEXT,
            name="FormattedPhoneRecognizer",
        )

    def load(self) -> None:
        """Nothing to load: libphonenumber's metadata ships inside the package."""

    def _first_valid(self, candidate: str) -> phonenumbers.PhoneNumberMatch | None:
        for region in self.regions:
            for match in phonenumbers.PhoneNumberMatcher(candidate, region, leniency=phonenumbers.Leniency.VALID):
                return match
        return None

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        results = []
        validated = 0
        for candidate in _CANDIDATE.finditer(text):
            raw = candidate.group(0)
            digits = sum(c.isdigit() for c in raw)
            if not _MIN_DIGITS <= digits <= _MAX_DIGITS or _SSN_LAYOUT.fullmatch(raw):
                continue
            if validated < MAX_VALIDATED_CANDIDATES:
                validated += 1
                match = self._first_valid(raw)
                if match is None:
                    continue
                start, end, score = match.start, match.end, _score(match.raw_string)
            elif _score(raw) == FORMATTED_SCORE:
                start, end, score = 0, len(raw), FORMATTED_SCORE
            else:
                continue
            results.append(
                RecognizerResult(
                    entity_type="PHONE_NUMBER",
                    start=candidate.start() + start,
                    end=candidate.start() + end,
                    score=score,
                    analysis_explanation=AnalysisExplanation(
                        recognizer=self.name,
                        original_score=score,
                        textual_explanation="Valid phone number (libphonenumber), scored by formatting",
                    ),
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    },
                )
            )
        return results
