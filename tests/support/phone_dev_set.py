"""A development set for the phone recognizer, built from libphonenumber's own example numbers.

    PYTHONPATH=$PWD .venv/bin/python -m tests.support.phone_dev_set [--misses N]

Positives: every region's example fixed-line and mobile number (``example_number_for_type``),
written as people type them (E.164, international, national, and the national number with dots,
spaces, no separators, or the area code in parentheses), each inside a short sentence of a
contact line in one of several languages. Negatives: order numbers, invoice and ticket ids,
dates, times, prices and versions in everyday requests, which must not be masked. Everything is
generated from a seed, so the set is the same on every run; no evaluation set is read.

The report gives recall (a finding covering at least half of the number, as ``bench/pii_eval.py``
counts it) per format and per number type, and the negatives that were masked as any
number-shaped entity. ``bench/phone_cpu.py`` times phone validation on windows of these sentences.
"""

from __future__ import annotations

import argparse
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

SEED = 14
NUMBER_TYPES = {"fixed": PhoneNumberType.FIXED_LINE, "mobile": PhoneNumberType.MOBILE}
NUMBER_SHAPED = frozenset({"PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "US_SSN"})

# Contact lines as people write them, "{}" where the number goes.
CONTACT_LINES = (
    "Call me on {} after lunch.",
    "Mobile: {}",
    "You can reach the front desk at {} any time.",
    "Phone: {}",
    "Tel. {} (office)",
    "My number is {}, text me when you land.",
    "For bookings ring {} before noon.",
    "Please add my cell {} to the invite list.",
    "WhatsApp: {}",
    "Contact our hotline at {} for support.",
    "Write a friendly reminder to call Dr. Patel at {} tomorrow.",
    "Draft an email signature: Anna Berg, Sales | {} | anna@example.com",
    "Appelez-moi au {} demain matin.",
    "Mon portable : {}",
    "Llámame al {} cuando puedas.",
    "Teléfono: {}",
    "Ruf mich unter {} an.",
    "Telefon: {}",
    "Chiamami al {} stasera.",
    "Telefone para contato: {}",
    "Bel me op {} als je er bent.",
    "Zadzwoń do mnie: {}",
)

# Everyday numbers that are not phones, "{n}" filled by the generators below.
_NEGATIVE_TEMPLATES: tuple[tuple[str, Callable[[random.Random], str]], ...] = (
    ("Write an apology for order #{n}, which shipped late.", lambda r: str(r.randint(1_000_000, 99_999_999_999))),
    ("Order number {n} was delayed; draft a reply.", lambda r: str(r.randint(100_000_000, 9_999_999_999))),
    ("Summarise invoice INV-{n} for the client.", lambda r: f"{r.randint(2019, 2026)}-{r.randint(1, 99_999):05d}"),
    ("Follow up on invoice {n} from March.", lambda r: f"{r.randint(10, 99)}-{r.randint(100_000, 999_999)}"),
    (
        "Draft a reply to ticket {n} saying the fix is live.",
        lambda r: f"{r.randint(2019, 2026)}-{r.randint(1, 999_999):06d}",
    ),
    ("Close ticket #{n} and thank the reporter.", lambda r: str(r.randint(100_000, 9_999_999))),
    ("The meeting moved to {n}.", lambda r: f"{r.randint(2019, 2026)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"),
    ("Due date: {n}", lambda r: f"{r.randint(1, 28):02d}.{r.randint(1, 12):02d}.{r.randint(2019, 2026)}"),
    ("Send the recap on {n} please.", lambda r: f"{r.randint(1, 12)}/{r.randint(1, 28)}/{r.randint(19, 26)}"),
    (
        "The webinar runs {n} CET.",
        lambda r: (
            f"{r.randint(8, 17)}:{r.choice(('00', '15', '30', '45'))}-{r.randint(9, 18)}:{r.choice(('00', '30'))}"
        ),
    ),
    (
        "Budget is ${n} for the quarter.",
        lambda r: f"{r.randint(1, 999)},{r.randint(0, 999):03d},{r.randint(0, 999):03d}",
    ),
    (
        "Price it at {n} EUR including VAT.",
        lambda r: f"{r.randint(1, 99)} {r.randint(0, 999):03d},{r.randint(0, 99):02d}",
    ),
    ("Announce release v{n} to the team.", lambda r: f"{r.randint(1, 20)}.{r.randint(0, 40)}.{r.randint(0, 300)}"),
    (
        "Build {n} passed all checks.",
        lambda r: f"{r.randint(2019, 2026)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}.{r.randint(1, 9)}",
    ),
    ("Tracking code {n} shows it in transit.", lambda r: str(r.randint(10**11, 10**14))),
    (
        "We sold {n} units last year; write a press line.",
        lambda r: f"{r.randint(1, 99)},{r.randint(0, 999):03d},{r.randint(0, 999):03d}",
    ),
    (
        "Reference {n} is attached to the claim.",
        lambda r: f"{r.randint(100, 999)}-{r.randint(1000, 9999)}-{r.randint(10, 99)}",
    ),
    ("Table row: {n}", lambda r: " ".join(str(r.randint(1, 999)) for _ in range(4))),
    (
        "Batch {n} failed QA, write a note to the plant.",
        lambda r: f"{r.randint(10, 99)}/{r.randint(1000, 9999)}/{r.randint(10, 99)}",
    ),
    (
        "ISBN {n} is out of print.",
        lambda r: f"978-{r.randint(0, 9)}-{r.randint(100, 999)}-{r.randint(10000, 99999)}-{r.randint(0, 9)}",
    ),
    ("Scores this week: {n}.", lambda r: ", ".join(str(r.randint(10, 99)) for _ in range(5))),
    ("Customer ID {n} asked for a refund.", lambda r: str(r.randint(10_000_000, 99_999_999))),
    # Beside a phone's context words ("call", "reach", "contact", "text"), numbers that are none.
    (
        "Reach {n} readers with the spring campaign.",
        lambda r: f"{r.randint(1, 99)},{r.randint(0, 999):03d},{r.randint(0, 999):03d}",
    ),
    (
        "Call for papers closes {n}; write the announcement.",
        lambda r: f"{r.randint(1, 28)}.{r.randint(1, 12)}.{r.randint(2024, 2026)}",
    ),
    (
        "Contact centre hours: Mon-Fri {n}.",
        lambda r: f"{r.randint(7, 10):02d}:00-{r.randint(16, 20)}:{r.choice(('00', '30'))}",
    ),
    (
        "Text me the highlights of the {n} season.",
        lambda r: (lambda y: f"{y}-{y + r.randint(1, 3)}")(r.randint(2010, 2025)),
    ),
    (
        "Our hotline took {n} calls in 2024.",
        lambda r: f"{r.randint(1, 9)} {r.randint(0, 999):03d} {r.randint(0, 999):03d}",
    ),
    ("Flight LH {n} departs at 14:35, write a reminder.", lambda r: str(r.randint(100, 9999))),
    ("Room {n}, floor 12: book it for the offsite.", lambda r: str(r.randint(1000, 1299))),
    ("Coordinates {n} for the venue map.", lambda r: f"{r.uniform(-90, 90):.6f}, {r.uniform(-180, 180):.6f}"),
)
NEGATIVES_PER_TEMPLATE = 12


@dataclass(frozen=True)
class Example:
    text: str
    start: int  # the phone's span; -1 for a negative
    end: int
    region: str = ""
    kind: str = ""  # fixed / mobile
    layout: str = ""  # how the number is written


def _groups(national: str) -> list[str]:
    return re.findall(r"\d+", national)


def written_forms(number: phonenumbers.PhoneNumber) -> dict[str, str]:
    """The number as people type it: libphonenumber's formats and the national one re-spaced."""
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    groups = _groups(national)
    forms = {
        "e164": phonenumbers.format_number(number, PhoneNumberFormat.E164),
        "international": phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL),
        "national": national,
        "national dots": ".".join(groups),
        "national spaces": " ".join(groups),
        "national run": "".join(groups),
    }
    if len(groups) >= 2 and "(" not in national:
        forms["national parentheses"] = f"({groups[0]}) {' '.join(groups[1:])}"
    return forms


def example_numbers() -> Iterator[tuple[str, str, phonenumbers.PhoneNumber]]:
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        seen: set[str] = set()
        for kind, number_type in NUMBER_TYPES.items():
            number = phonenumbers.example_number_for_type(region, number_type)
            if number is None:
                continue
            e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
            if e164 not in seen:
                seen.add(e164)
                yield region, kind, number


def positives(seed: int = SEED) -> list[Example]:
    rng = random.Random(seed)
    examples = []
    for region, kind, number in example_numbers():
        for layout, written in written_forms(number).items():
            line = rng.choice(CONTACT_LINES)
            start = line.index("{}")
            examples.append(Example(line.format(written), start, start + len(written), region, kind, layout))
    return examples


def negatives(seed: int = SEED) -> list[Example]:
    rng = random.Random(seed)
    return [
        Example(template.format(n=make(rng)), -1, -1, layout=template)
        for template, make in _NEGATIVE_TEMPLATES
        for _ in range(NEGATIVES_PER_TEMPLATE)
    ]


def _covers_half(start: int, end: int, gold_start: int, gold_end: int) -> bool:
    return (min(end, gold_end) - max(start, gold_start)) * 2 >= gold_end - gold_start


@dataclass
class Measured:
    found: Counter[str]
    total: Counter[str]
    missed: list[Example]
    false_masks: list[tuple[Example, str]]

    def recall(self) -> float:
        return sum(self.found.values()) / max(1, sum(self.total.values()))


def measure(analyze: Callable[[str], list], seed: int = SEED) -> Measured:
    """Recall on the positives, by layout and kind; negatives masked as anything number-shaped."""
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    missed = []
    for example in positives(seed):
        findings = analyze(example.text)
        # Masked as any number-shaped type counts, as in bench/pii_eval.py ("32.12.34.56" is an
        # IP address as much as a phone): what matters is that the number never reaches the model.
        hit = any(
            f.entity_type in NUMBER_SHAPED and _covers_half(f.start, f.end, example.start, example.end)
            for f in findings
        )
        for key in (f"layout {example.layout}", f"kind {example.kind}"):
            total[key] += 1
            found[key] += hit
        if not hit:
            missed.append(example)
    false_masks = [
        (example, f"{f.entity_type} {example.text[f.start : f.end]!r}")
        for example in negatives(seed)
        for f in analyze(example.text)
        if f.entity_type in NUMBER_SHAPED
    ]
    return Measured(found, total, missed, false_masks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", type=int, default=0, help="print this many missed positives")
    parser.add_argument("--spacy-model", default="blank", help="the guard's NER pipeline (default: none)")
    args = parser.parse_args(argv)

    from bot.guard import Guard

    guard = Guard(spacy_model=args.spacy_model)
    measured = measure(guard.analyze)
    print(f"positives {sum(measured.total[k] for k in measured.total if k.startswith('kind'))}")
    for key in sorted(measured.total):
        print(
            f"  {key:<28}{measured.found[key]:>5}/{measured.total[key]:<5}{measured.found[key] / measured.total[key]:7.1%}"
        )
    print(f"recall {measured.recall():.1%}")
    print(f"false masks {len(measured.false_masks)} of {len(negatives())} negatives")
    for example, what in measured.false_masks:
        print(f"  {what:<40} {example.text}")
    for example in measured.missed[: args.misses]:
        print(f"  missed {example.region:<3}{example.kind:<7}{example.layout:<22}{example.text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
