"""Checks that test and evaluation prompts stay out of the detector's training data."""

from __future__ import annotations

from bot.guard.learned.dataset import load_examples
from bot.guard.learned.features import WORD


def shingles(text: str, size: int = 6) -> set[tuple[str, ...]]:
    """The runs of ``size`` words in ``text`` (words as the detector reads them: a run of Han or
    kana is one word, an Indic word keeps its vowel signs)."""
    words = WORD.findall(text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def training_texts() -> list[str]:
    return [example.text for example in load_examples()]


def shingles_of(texts: list[str]) -> set[tuple[str, ...]]:
    return set().union(*(shingles(text) for text in texts))


def near_copies(texts_by_id: dict[str, str], training: list[str], *, max_shared: float) -> list[str]:
    """Ids of texts that are a training text, or more than ``max_shared`` made of its word runs."""
    exact = set(training)
    runs_in_training = shingles_of(training)
    copies = []
    for text_id, text in texts_by_id.items():
        runs = shingles(text)
        if text in exact or (runs and len(runs & runs_in_training) / len(runs) > max_shared):
            copies.append(text_id)
    return copies
