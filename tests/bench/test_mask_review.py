"""The hand-reviewed false-mask estimate: each judge verdict's share of things, scaled to its masks."""

from __future__ import annotations

import pytest

from bench._mask_review import JUDGED_FALSE, JUDGED_RIGHT, new_estimate, read_review, wilson


def test_wilson_interval_holds_the_share_and_stays_within_zero_and_one() -> None:
    low, high = wilson(36, 78)

    assert low < 36 / 78 < high
    assert wilson(0, 40)[0] == 0.0
    assert wilson(40, 40)[1] == 1.0
    assert wilson(0, 0) == (0.0, 1.0)


def test_each_verdict_is_scaled_by_the_share_of_things_among_its_reviewed_masks() -> None:
    review = {("a", "PERSON", "Deel"): True, ("a", "PERSON", "David"): False, ("b", "LOCATION", "Java"): True}
    estimate = new_estimate()
    estimate.add(("a", "PERSON", "Deel"), True, review)
    estimate.add(("a", "PERSON", "David"), True, review)
    estimate.add(("c", "PERSON", "Unreviewed"), True, review)
    estimate.add(("b", "LOCATION", "Java"), False, review)
    for _ in range(3):
        estimate.add(("d", "LOCATION", "Paris"), False, review)

    real, low, high = estimate.false_masks()

    assert estimate.judged == {JUDGED_FALSE: 3, JUDGED_RIGHT: 4}
    assert real == pytest.approx(3 * 1 / 2 + 4 * 1 / 1)
    assert low <= real <= high


def test_the_review_file_marks_every_mask_with_a_verdict() -> None:
    review = read_review()

    assert len(review) > 100
    assert all(isinstance(thing, bool) for thing in review.values())
