"""The hand-reviewed masks of the held-out benign prompts, and the false-mask rate they estimate.

The judge model (spaCy's en_core_web_sm) errs both ways: it misses lone first names and
fictional characters, so a right mask counts as false, and it calls a band, a painting or a
programming language a person or place, so a false mask counts as right. ``pii_mask_review.jsonl``
holds masks of the held-out part read by a person, drawn from both of the judge's verdicts: every
mask it called false and a seeded random sample of those it called right, each marked ``thing``
when it masks no person, place or address (a company, a title, a food, an eponym) and not when it
does (a first name, a character, a town, a street address, a phone number in a form).

Each verdict is a stratum: the share of things among its reviewed masks, times the masks the judge
gives that verdict in this run, is its estimated count of false masks; the strata add up. The 95 %
interval adds each stratum's Wilson interval bounds, which is wider than the exact one. Masks of
this run that no one reviewed (the rules changed since) are estimated from their stratum's share.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REVIEW_FILE = Path(__file__).resolve().parent / "pii_mask_review.jsonl"
JUDGED_FALSE, JUDGED_RIGHT = "false", "right"
_Z = 1.96  # 95 %


def read_review(path: Path = REVIEW_FILE) -> dict[tuple[str, str, str], bool]:
    """(prompt id, mask type, masked text) -> whether the mask covers a thing, not a person or place."""
    with path.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    return {(row["id"], row["type"], row["text"]): bool(row["thing"]) for row in rows}


def wilson(things: int, reviewed: int) -> tuple[float, float]:
    """The Wilson score interval of a proportion at 95 %."""
    if reviewed == 0:
        return 0.0, 1.0
    share = things / reviewed
    spread = 1 + _Z**2 / reviewed
    centre = (share + _Z**2 / (2 * reviewed)) / spread
    half = _Z * math.sqrt(share * (1 - share) / reviewed + _Z**2 / (4 * reviewed**2)) / spread
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class ReviewedEstimate:
    """Masks per judge verdict in this run, how many of them were reviewed, how many of those were things."""

    judged: Counter[str]
    reviewed: Counter[str]
    things: Counter[str]

    def count(self, verdict: str, share: float) -> float:
        return self.judged[verdict] * share

    def false_masks(self) -> tuple[float, float, float]:
        """The estimated number of real false masks, with its 95 % interval (low, high)."""
        estimate = low = high = 0.0
        for verdict in (JUDGED_FALSE, JUDGED_RIGHT):
            reviewed = self.reviewed[verdict]
            share = self.things[verdict] / reviewed if reviewed else 1.0
            bottom, top = wilson(self.things[verdict], reviewed)
            estimate += self.count(verdict, share)
            low += self.count(verdict, bottom)
            high += self.count(verdict, top)
        return estimate, low, high

    def add(self, key: tuple[str, str, str], judged_false: bool, review: dict[tuple[str, str, str], bool]) -> None:
        verdict = JUDGED_FALSE if judged_false else JUDGED_RIGHT
        self.judged[verdict] += 1
        if key in review:
            self.reviewed[verdict] += 1
            self.things[verdict] += review[key]


def new_estimate() -> ReviewedEstimate:
    return ReviewedEstimate(Counter(), Counter(), Counter())
