"""A second development set for the phone recognizer, built from Faker's phone providers.

    PYTHONPATH=$PWD .venv/bin/python -m tests.support.phone_faker_dev_set [--misses N]

libphonenumber's example numbers (``phone_dev_set.py``) are written the way libphonenumber formats
them. Generators and people write others: national numbers without a country code, "+49 (0) ...",
an area code in parentheses, dots, slashes, extensions ("x9150"), odd groupings. Positives: for
every locale Faker ships a phone provider for, ``NUMBERS_PER_LOCALE`` numbers of
``Faker(locale).phone_number()`` (not ``msisdn()``, a bare international run no one types), each
in one of the dev set's contact lines and in one plain sentence with no label right before it.
Negatives: everyday numbers of the same locales that are no phones (postcodes, barcodes, ISBNs,
prices, dates, invoice and order numbers), beside the first dev set's negatives. Seeded per
locale, so the set is the same on every run of the Faker requirements.lock pins (another release
writes other numbers); no evaluation set is read.

Some of Faker's numbers are random digits in a locale's layout that no numbering plan allows, so
recall is reported twice: on the numbers libphonenumber accepts as possible in the locale's region
(the figure the recognizer is held to) and on all.
"""

from __future__ import annotations

import argparse
import pkgutil
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
from faker import Faker
from faker.providers import phone_number as faker_phone_numbers

from tests.support.phone_dev_set import CONTACT_LINES, NUMBER_SHAPED, Example, _covers_half
from tests.support.phone_dev_set import negatives as first_negatives

SEED = 2026
NUMBERS_PER_LOCALE = 6
NEGATIVES_PER_LOCALE = 1

# A number in a sentence with no label or "call me on" right before it: at most a context word
# somewhere around ("office", "call"), or nothing at all.
PLAIN_SENTENCES = (
    "Can you ring {} tomorrow about the keys?",
    "Tell Sam to try {} if the office is closed.",
    "The plumber's number is {}; he is free on Monday.",
    "{} is the new front desk line, please update the wiki.",
    "Save {} under Mum in my contacts.",
    "Forward the question to Jana, {}, before Friday.",
    "Lost a wallet? Leave a message on {} and we will get back to you.",
    "Add a footer to the flyer: Bakery Sonnenschein, {}, open daily.",
)


def _price(fake: Faker) -> str:
    # Not ``pricetag()``: Bangladesh's asks for a currency Faker does not know.
    return f"{fake.random_int(100, 9_999_999):,}.{fake.random_int(0, 99):02d} {fake.currency_code()}"


_DATES = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%Y/%m/%d", "%d-%m-%Y")


# Everyday numbers of a locale that are not phones, "{}" where Faker's value goes.
_FAKER_NEGATIVES: tuple[tuple[str, Callable[[Faker], str]], ...] = (
    ("Ship the samples to postcode {} by Friday.", lambda fake: fake.postcode()),
    ("Barcode {} is missing from the catalogue.", lambda fake: fake.ean13()),
    ("Add ISBN {} to the reading list.", lambda fake: fake.isbn13()),
    ("The invoice total is {}; write a friendly reminder.", _price),
    ("Move the review to {} and tell the team.", lambda fake: fake.date(pattern=fake.random_element(_DATES))),
    ("Write an apology for order {}, which shipped late.", lambda fake: fake.numerify("#######-###")),
    ("Summarise invoice {} for the client.", lambda fake: fake.numerify("INV-####-#####")),
)


def phone_locales() -> list[str]:
    """The locales Faker ships a phone provider of its own for (``faker/providers/phone_number/xx_YY``)
    that writes ``phone_number()``: the Philippine ones only write mobile and landline numbers."""
    return sorted(
        module.name
        for module in pkgutil.iter_modules(faker_phone_numbers.__path__)
        if "_" in module.name and hasattr(Faker(module.name), "phone_number")
    )


def region_of(locale: str) -> str:
    return locale.rsplit("_", 1)[1]


def _faker(locale: str, seed: int) -> Faker:
    fake = Faker(locale)
    fake.seed_instance(f"{seed}-{locale}")
    return fake


@dataclass(frozen=True)
class FakerExample(Example):
    possible: bool = False  # libphonenumber accepts the number as possible in the locale's region
    placement: str = ""  # contact line / plain sentence


def possible_in(number: str, region: str) -> bool:
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(number, region))
    except phonenumbers.NumberParseException:
        return False


def format_features(number: str) -> list[str]:
    """How a number is written, one word each ("international", "(0)", "extension", ...)."""
    without_extension = re.sub(r"\s*(?:x|ext\.?)\s*\d+$", "", number, flags=re.IGNORECASE)
    features = ["international" if number.startswith(("+", "00")) else "national"]
    if "(0)" in number:
        features.append("(0)")
    elif "(" in number:
        features.append("parentheses")
    if without_extension != number:
        features.append("extension")
    for separator, name in ((".", "dots"), ("-", "dashes"), (" ", "spaces"), ("/", "slash")):
        if separator in without_extension:
            features.append(name)
    if without_extension.lstrip("+").isdigit():
        features.append("run")
    return features


def positives(seed: int = SEED) -> list[FakerExample]:
    rng = random.Random(seed)
    examples = []
    for locale in phone_locales():
        fake = _faker(locale, seed)
        region = region_of(locale)
        for _ in range(NUMBERS_PER_LOCALE):
            number = fake.phone_number()
            possible = possible_in(number, region)
            layout = " ".join(format_features(number))
            for placement, lines in (("contact line", CONTACT_LINES), ("plain sentence", PLAIN_SENTENCES)):
                line = rng.choice(lines)
                start = line.index("{}")
                text = line.format(number)
                examples.append(FakerExample(text, start, start + len(number), locale, "", layout, possible, placement))
    return examples


def negatives(seed: int = SEED) -> list[Example]:
    """The first dev set's negatives and, per locale, Faker's everyday numbers that are no phones."""
    examples = list(first_negatives())
    for locale in phone_locales():
        fake = _faker(locale, seed + 1)
        for template, make in _FAKER_NEGATIVES:
            for _ in range(NEGATIVES_PER_LOCALE):
                examples.append(Example(template.format(make(fake)), -1, -1, region=locale, layout=template))
    return examples


@dataclass
class Measured:
    found: Counter[str]
    total: Counter[str]
    missed: list[FakerExample]
    false_masks: list[tuple[Example, str]]
    negatives: int

    def recall(self, part: str = "all") -> float:
        return self.found[part] / max(1, self.total[part])


def _keys(example: FakerExample) -> list[str]:
    keys = ["all", f"placement {example.placement}", f"locale {example.region}"]
    keys += [f"format {feature}" for feature in example.layout.split()]
    if example.possible:
        keys += ["possible", f"possible {example.placement}"]
    return keys


def measure(analyze: Callable[[str], list], seed: int = SEED) -> Measured:
    """Recall on the positives (all, possible, per placement, format and locale); negatives
    masked as anything number-shaped."""
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    missed = []
    for example in positives(seed):
        hit = any(
            f.entity_type in NUMBER_SHAPED and _covers_half(f.start, f.end, example.start, example.end)
            for f in analyze(example.text)
        )
        for key in _keys(example):
            total[key] += 1
            found[key] += hit
        if not hit:
            missed.append(example)
    counted = negatives(seed)
    false_masks = [
        (example, f"{f.entity_type} {example.text[f.start : f.end]!r}")
        for example in counted
        for f in analyze(example.text)
        if f.entity_type in NUMBER_SHAPED
    ]
    return Measured(found, total, missed, false_masks, len(counted))


def report(measured: Measured, misses: int) -> None:
    def line(key: str) -> str:
        found, total = measured.found[key], measured.total[key]
        return f"  {key:<36}{found:>5}/{total:<5}{found / total:7.1%}"

    print(f"positives {measured.total['all']} ({measured.total['possible']} possible in their locale's region)")
    for key in sorted(measured.total, key=lambda k: (k.startswith("locale"), k)):
        if not key.startswith("locale") or measured.found[key] < measured.total[key]:
            print(line(key))
    print(f"recall possible {measured.recall('possible'):.1%} (target), all {measured.recall():.1%}")
    print(f"false masks {len(measured.false_masks)} of {measured.negatives} negatives")
    for example, what in measured.false_masks:
        print(f"  {what:<40} {example.text}")
    for example in measured.missed[:misses]:
        possible = "possible" if example.possible else "impossible"
        print(f"  missed {example.region:<6}{possible:<11}{example.placement:<15}{example.text}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", type=int, default=0, help="print this many missed positives")
    parser.add_argument("--spacy-model", default="blank", help="the guard's NER pipeline (default: none)")
    args = parser.parse_args(argv)

    from bot.guard import Guard

    report(measure(Guard(spacy_model=args.spacy_model).analyze), args.misses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
