"""The n-grams the learned detector reads, shared by training and inference.

Training hands ``ngrams`` to scikit-learn as the analyzer; the detector builds the same multiset
from ``token_char_grams``, ``word_grams`` and ``concept_features`` (caching per token), so the model shipped and the
model trained can never disagree about what a feature is. Character n-grams carry the signal
across languages, inflections and spacing tricks; word n-grams carry phrasing ("ignore all").
"""

from __future__ import annotations

import re
from itertools import pairwise

from bot.guard.learned.lexicon import concept_features
from bot.guard.normalize import normalize

CHAR_NGRAM_SIZES = range(2, 6)
# A token this long is a hash, an encoded run or a wall of CJK text: its n-grams past this
# point add cost, not evidence (decoding.py reads encoded runs separately).
MAX_TOKEN_CHARS = 64
_WORD = re.compile(r"\w+")


def token_char_grams(token: str) -> list[str]:
    """Character n-grams of one whitespace-separated token, padded with a space each side."""
    padded = f" {token[:MAX_TOKEN_CHARS]} "
    length = len(padded)
    return [
        "c:" + padded[start : start + size]
        for size in CHAR_NGRAM_SIZES
        if size <= length
        for start in range(length - size + 1)
    ]


def words_of(normalized: str) -> list[str]:
    return _WORD.findall(normalized)


def word_grams(words: list[str]) -> list[str]:
    """Word unigrams and bigrams."""
    grams = ["w:" + word for word in words]
    grams.extend(f"w:{first} {second}" for first, second in pairwise(words))
    return grams


def ngrams(text: str) -> list[str]:
    """Every feature of ``text``: character n-grams of each token, word uni- and bigrams, and the
    cross-language concepts it names (see lexicon.py)."""
    normalized = normalize(text)
    grams = [gram for token in normalized.split() for gram in token_char_grams(token)]
    grams.extend(word_grams(words_of(normalized)))
    grams.extend(concept_features(normalized))
    return grams
