"""Checks that test and evaluation prompts stay out of the detector's training data."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from bot.guard.learned.dataset import load_examples
from bot.guard.learned.features import WORD

Shingle = tuple[str, ...]


def shingles(text: str, size: int = 6) -> set[Shingle]:
    """The runs of ``size`` words in ``text`` (words as the detector reads them: a run of Han or
    kana is one word, an Indic word keeps its vowel signs)."""
    words = WORD.findall(text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def shingles_of(texts: Iterable[str]) -> set[Shingle]:
    return set().union(*(shingles(text) for text in texts))


@cache
def training_texts() -> tuple[str, ...]:
    """Every training prompt, read once per test process (several tests compare against them)."""
    return tuple(example.text for example in load_examples())


@cache
def training_shingles() -> frozenset[Shingle]:
    return frozenset(shingles_of(training_texts()))


def near_copies(texts_by_id: dict[str, str], *, max_shared: float) -> list[str]:
    """Ids of texts that are a training text, or more than ``max_shared`` made of its word runs."""
    exact = set(training_texts())
    copies = []
    for text_id, text in texts_by_id.items():
        runs = shingles(text)
        if text in exact or (runs and len(runs & training_shingles()) / len(runs) > max_shared):
            copies.append(text_id)
    return copies
