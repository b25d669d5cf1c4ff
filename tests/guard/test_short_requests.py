"""Requests of one to five words, as typed after ``/content text`` once a first answer is there or to
try the bot out ("shorter", "go on", "hola"), in the 16 languages the guard is trained on.

``data/short_requests.jsonl`` was written for these tests and is not training data: a prompt that
short is a handful of n-grams, read at full strength, and a model fitted more loosely reads some of
them as attacks (one regularized four times more lightly blocked 2.8 % of these, held out, where
the shipped one blocks 0.3 %). The everyday-request budget of the bench (1 %) is the bar here.
"""

from __future__ import annotations

import json
from pathlib import Path

from bot.guard import scan_injection
from bot.guard.learned.detector import shipped_detector
from tests.support.guard_data import training_texts

SHORT_REQUESTS = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "short_requests.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]
MAX_BLOCKED_SHARE = 0.01


def test_short_requests_are_not_training_data() -> None:
    trained = {text.strip().lower() for text in training_texts()}
    assert not [row["id"] for row in SHORT_REQUESTS if row["text"].strip().lower() in trained]


def test_the_set_holds_sixteen_languages_of_twenty_requests_each() -> None:
    languages = {row["lang"] for row in SHORT_REQUESTS}
    assert len(languages) == 16
    assert all(sum(row["lang"] == lang for row in SHORT_REQUESTS) == 20 for lang in languages)
    assert all(1 <= len(row["text"].split()) <= 5 for row in SHORT_REQUESTS)


def test_at_most_one_short_request_in_a_hundred_is_blocked() -> None:
    detector = shipped_detector()

    blocked = [row["text"] for row in SHORT_REQUESTS if scan_injection(row["text"], detector=detector).blocked]

    assert len(blocked) <= MAX_BLOCKED_SHARE * len(SHORT_REQUESTS), blocked
