"""Payment card numbers of every network and length, told apart from order numbers by Luhn and IIN.

Presidio's CreditCardRecognizer knows 13-16 digits in four groups and a few leading digits, so a
19-digit Visa, a 12-digit Maestro, a JCB starting 2131 or 1800 and a Mastercard from the 2-series
go unmasked. Here a candidate is any run of 12-19 digits, written together or in groups of 2-6
separated by one space or dash, and a card is a candidate that passes the Luhn check:

- with the leading digits of a known network (the issuer identification number) it is masked;
- without them it scores under the analyzer threshold, and only a context word ("card", "cc",
  "visa") lifts it over: a Luhn-valid invoice id passes one check in ten by chance.
"""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from bot.guard.findings import TextRecognizer, finding
from bot.guard.script_ranges import WORD_LETTER_OF_SPACED_SCRIPTS, as_ascii_digits

NETWORK_SCORE = 0.8
# Under the analyzer threshold on purpose: only a context word lifts it over.
UNKNOWN_NETWORK_SCORE = 0.3
MIN_DIGITS, MAX_DIGITS = 12, 19

# Groups of 2-6 digits joined by one space or dash, or one unbroken run; never part of a longer
# number, a decimal or a word (Chinese, Japanese and Korean put no space before a number).
# Groups of four may end in a lone digit: a 13- or 17-digit number typed four by four
# ("4222 2222 2222 2").
_CANDIDATE = re.compile(
    rf"(?<!{WORD_LETTER_OF_SPACED_SCRIPTS})(?<![\d_.,+\-])"
    rf"(?:\d{{12,19}}|\d{{4}}(?:[ \-]\d{{4}}){{2,3}}[ \-]\d|\d{{2,6}}(?:[ \-]\d{{2,6}}){{1,5}})"
    rf"(?!{WORD_LETTER_OF_SPACED_SCRIPTS}|[\d_]|[.,\-]\d)"
)
_LONE_LAST_DIGIT = re.compile(r"[ \-]\d$")

# (first digits, lowest, highest, allowed lengths): ranges of the networks in use.
_NETWORKS: tuple[tuple[int, int, int, frozenset[int]], ...] = (
    (1, 4, 4, frozenset({13, 16, 19})),  # Visa
    (2, 51, 55, frozenset({16})),  # Mastercard
    (4, 2221, 2720, frozenset({16})),  # Mastercard 2-series
    (2, 34, 34, frozenset({15})),  # American Express
    (2, 37, 37, frozenset({15})),
    (4, 6011, 6011, frozenset(range(16, 20))),  # Discover
    (2, 65, 65, frozenset(range(16, 20))),
    (3, 644, 649, frozenset(range(16, 20))),
    (4, 3528, 3589, frozenset(range(16, 20))),  # JCB
    (4, 2131, 2131, frozenset({15, 16})),
    (4, 1800, 1800, frozenset({15, 16})),
    (3, 300, 305, frozenset(range(14, 20))),  # Diners Club
    (2, 36, 36, frozenset(range(14, 20))),
    (2, 38, 39, frozenset(range(16, 20))),
    (2, 62, 62, frozenset(range(16, 20))),  # UnionPay
    (2, 50, 50, frozenset(range(12, 20))),  # Maestro
    (2, 56, 69, frozenset(range(12, 20))),
    (4, 2200, 2204, frozenset(range(16, 20))),  # Mir
)


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card_in(written: str) -> tuple[str, int] | None:
    """(digits, length written) of the card a candidate holds: all of it, or, where it ends in a
    lone digit, perhaps all but that digit ("4111 1111 1111 1111 2 tickets": a card and a figure);
    a known network's card first, then any that passes Luhn. None when neither passes."""
    readings = [(re.sub(r"\D", "", written), len(written))]
    if _LONE_LAST_DIGIT.search(written):
        readings.append((readings[0][0][:-1], len(written) - 2))
    valid = [reading for reading in readings if MIN_DIGITS <= len(reading[0]) <= MAX_DIGITS and luhn_valid(reading[0])]
    return next((reading for reading in valid if known_network(reading[0])), valid[0] if valid else None)


def known_network(digits: str) -> bool:
    """True when the leading digits and the length belong to a card network."""
    return any(low <= int(digits[:width]) <= high and len(digits) in lengths for width, low, high, lengths in _NETWORKS)


class PaymentCardRecognizer(TextRecognizer):
    CONTEXT = [
        "card",
        "cc",
        "credit",
        "debit",
        "visa",
        "mastercard",
        "amex",
        "maestro",
        "jcb",
        "discover",
        "diners",
        "unionpay",
        "payment",
        "pay",
    ]

    def __init__(self, *, supported_language: str = "en") -> None:
        super().__init__(
            supported_entities=["CREDIT_CARD"],
            supported_language=supported_language,
            context=self.CONTEXT,
            name="PaymentCardRecognizer",
        )

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        results = []
        # Full-width digits and dashes (Japanese input) and digits of other scripts, one for one.
        for candidate in _CANDIDATE.finditer(as_ascii_digits(text)):
            card = _card_in(candidate.group(0))
            if card is None:
                continue
            digits, end = card[0], candidate.start() + card[1]
            network = known_network(digits)
            score = NETWORK_SCORE if network else UNKNOWN_NETWORK_SCORE
            results.append(
                finding(
                    self,
                    "CREDIT_CARD",
                    candidate.start(),
                    end,
                    score,
                    "Passes Luhn" + (", known card network" if network else ""),
                )
            )
        return results
