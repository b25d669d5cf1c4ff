"""Phone numbers spelt in words or keypad letters, which the digit patterns cannot see.

"Call me on four one five, five five five, oh one three two" and "1-800-FLOWERS" reach the model
as the number they spell. A run of seven to fifteen spelt digits is a phone number unless it counts
up or down ("one two three four five six seven" is a rhyme); a vanity number is a toll-free or
area code followed by groups of capital letters and digits that make seven keypad digits.
"""

from __future__ import annotations

import re
from itertools import pairwise

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from bot.guard.findings import TextRecognizer, finding

SPELT_SCORE = 0.5
VANITY_SCORE = 0.5
DIGIT_VALUES = {"zero": 0, "oh": 0, "o": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
DIGIT_VALUES |= {"seven": 7, "eight": 8, "nine": 9}
# "double five" is 55.
REPEATS = {"double": 2, "triple": 3}
_MIN_SPELT, _MAX_SPELT = 7, 15
_WORDS = "|".join([*DIGIT_VALUES, *REPEATS])
_SPELT_RUN = re.compile(r"\b(?:" + _WORDS + r")(?:[\s,\-]+(?:" + _WORDS + r"))+\b", re.IGNORECASE)
# "1-800-FLOWERS", "(888) GOT-JUNK", "1 800 CALL ATT": a toll-free code (or any area code after the
# trunk 1 or in parentheses), then groups of capitals and digits with three or more letters.
_VANITY = re.compile(
    r"(?<![\w\-])(?:1[ \-.]?(?:\(\d{3}\)|\d{3})|\(\d{3}\)|8(?:00|33|44|55|66|77|88))[ \-.]"
    r"((?:[A-Z0-9]+[ \-]?){1,3})(?![\w\-])"
)
_KEYPAD_DIGITS = 7
# Vanity words may run past the seven digits dialled ("1-800-CONTACTS").
_MAX_KEYED = 9
_MIN_LETTERS = 3


def _spelt_digits(run: str) -> list[int]:
    """The digits a run spells, "double five" as two fives."""
    digits: list[int] = []
    repeat = 1
    for word in re.findall(r"[a-z]+", run.lower()):
        if word in REPEATS:
            repeat = REPEATS[word]
            continue
        digits.extend([DIGIT_VALUES[word]] * repeat)
        repeat = 1
    return digits


def _counts(digits: list[int]) -> bool:
    """Counting up or down by one: a rhyme or a list, not a number."""
    steps = {b - a for a, b in pairwise(digits)}
    return steps in ({1}, {-1})


class SpeltPhoneRecognizer(TextRecognizer):
    def __init__(self, *, supported_language: str = "en") -> None:
        super().__init__(
            supported_entities=["PHONE_NUMBER"],
            supported_language=supported_language,
            name="SpeltPhoneRecognizer",
        )

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        results = []
        for run in _SPELT_RUN.finditer(text):
            digits = _spelt_digits(run.group(0))
            if _MIN_SPELT <= len(digits) <= _MAX_SPELT and not _counts(digits):
                results.append(
                    finding(self, "PHONE_NUMBER", run.start(), run.end(), SPELT_SCORE, "A phone number spelt in words")
                )
        for vanity in _VANITY.finditer(text):
            keyed = re.sub(r"[^A-Z0-9]", "", vanity.group(1))
            if _KEYPAD_DIGITS <= len(keyed) <= _MAX_KEYED and sum(c.isalpha() for c in keyed) >= _MIN_LETTERS:
                end = vanity.start(1) + len(vanity.group(1).rstrip(" -"))
                results.append(
                    finding(self, "PHONE_NUMBER", vanity.start(), end, VANITY_SCORE, "A phone number in keypad letters")
                )
        return results
