"""Read pasted material for a task planted in it: the planted-task model.

The n-gram model reads a prompt whole, so one planted sentence in a long e-mail is a few dozen
n-grams among thousands and its TF-IDF vector is mostly the e-mail's. This model reads the
prompt twice more, both times for one question only (is a task planted in it for whatever
processes it?):

- *sentences*: each sentence of the prompt, and each two sentences that follow one another (the
  n-grams of both), scored alone by a linear model trained on sentences (training learns which sentence of a planted-task
  prompt carries the task, see planted_training.py); the prompt's reading is its strongest one;
- *whole*: the prompt as the n-gram model reads it, by a binary model trained on planted-task
  prompts against every benign prompt, not on every kind of attack at once.

Their mean log-odds is the model's reading. The whole prompt is read as ``features.ngram_parts``
lists its n-grams, a sentence as the same n-grams of its own text (its concepts found in one pass
over the prompt); scored with numpy alone, as the n-gram model is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property, lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from bot.guard.learned.features import (
    TextParts,
    readable_part,
    readable_parts,
    token_char_grams,
    tokens_of,
    word_grams,
    words_of,
)
from bot.guard.learned.lexicon import concept_occurrences, concept_pairs

PLANTED_MODEL_PATH = Path(__file__).with_name("planted_model.json.gz")
PLANTED_FORMAT_VERSION = 1
# A sentence ends at a full stop, question or exclamation mark or semicolon followed by a space,
# or at the ideographic full stop, which takes none (normalize has folded the full-width "!" and
# "?" to these); each line is read on its own.
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|(?<=\u3002)")
_LINE = re.compile(r"[^\n]+")
_MARKUP = re.compile(r"<!--|-->|<!\[cdata\[|\]\]>|</?[a-z][\w:-]*(?:\s[^<>]{0,400})?/?>")
# Attributes whose values are text a reader or a screen reader meets: kept where their tag stood.
_TEXT_ATTRIBUTE = re.compile(
    r"""(?<![\w-])(?:alt|title|aria-label|placeholder|value|content|label|summary)\s*=\s*(?:"([^"]*)"|'([^']*)')"""
)
# Shorter pieces are list markers, greetings and headers ("Hi all,", "---").
MIN_SENTENCE_CHARS = 8
# Distinct tokens whose columns are remembered, per reading (see detector.TOKEN_CACHE_SIZE).
TOKEN_CACHE_SIZE = 50_000


def sentence_spans(readable: str) -> list[tuple[int, int]]:
    """Where each sentence lies, line by line. A piece shorter than ``MIN_SENTENCE_CHARS`` ("P.S.",
    "Note:", a short CJK clause) is read with the sentence after it, or, ending a line, with the one
    before it; a line of short pieces alone is one sentence when it is long enough."""
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(readable):
        offset, text = line.start(), line.group()
        line_spans: list[tuple[int, int]] = []
        pending: int | None = None
        begin = 0
        for end in [found.start() for found in _SENTENCE_END.finditer(text)] + [len(text)]:
            piece = text[begin:end]
            stripped = piece.strip()
            if stripped:
                first = offset + begin + (len(piece) - len(piece.lstrip()))
                start = first if pending is None else pending
                if first + len(stripped) - start >= MIN_SENTENCE_CHARS:
                    line_spans.append((start, first + len(stripped)))
                    pending = None
                else:
                    pending = start
                last = first + len(stripped)
            found_end = _SENTENCE_END.match(text, end)
            begin = found_end.end() if found_end else end
        if pending is not None and line_spans:
            line_spans[-1] = (line_spans[-1][0], last)
        spans.extend(line_spans)
    return spans


def without_markup(normalized: str) -> str:
    """The text with its HTML and XML tags and comment marks blanked, their words and the text of
    their alt, title and label attributes kept: which markup a document uses is no evidence of a
    task planted in it (an e-mail hides its preheader as an attacker hides an order), and text the
    markup hides is read on its own besides (injection.reading_views). Alt text stays: a task
    planted there is the prompt's only planted words, and without them training would learn the
    innocent request beside it ("describe this image for a post") as the task."""
    return _MARKUP.sub(_text_of_tag, normalized) if "<" in normalized else normalized


def _text_of_tag(tag: re.Match[str]) -> str:
    values = [double or single for double, single in _TEXT_ATTRIBUTE.findall(tag.group(0))]
    return f" {' '.join(value for value in values if value)} " if values else " "


def prompt_parts(normalized: str) -> tuple[TextParts, list[TextParts]]:
    """The whole prompt's parts (``features.ngram_parts`` of it ``without_markup``), and each sentence's (the prompt itself
    when it has none), whose concepts are those whose spelling starts in it: one pass over the
    prompt finds the concepts of both."""
    readable = readable_part(without_markup(normalized))
    occurrences = concept_occurrences(readable)
    whole = readable_parts(readable, concept_pairs({concept for _, concept in occurrences}))
    sentences = []
    for start, end in sentence_spans(readable) or [(0, len(readable))]:
        sentence = readable[start:end]
        grams = word_grams(words_of(sentence))
        grams.extend(concept_pairs({concept for at, concept in occurrences if start <= at < end}))
        sentences.append(TextParts(tokens_of(sentence), grams))
    return whole, sentences


def paired(items: list[Any]) -> list[tuple[Any, ...]]:
    """The pieces the sentence reading scores: each sentence alone, then each two that follow one
    another (a planted task is often a lead-in and an order)."""
    return [(item,) for item in items] + list(pairwise(items))


def piece_grams(sentences: list[TextParts]) -> list[list[str]]:
    """The n-grams of each piece ``paired`` makes of a prompt's sentences (training reads these)."""
    sentence_grams = [parts.all_grams() for parts in sentences]
    return [[gram for grams in piece for gram in grams] for piece in paired(sentence_grams)]


class LinearReading:
    """One binary logistic regression over TF-IDF n-grams (sublinear tf, L2 norm): log-odds of a
    planted task."""

    def __init__(self, model: dict[str, Any]) -> None:
        self.features: list[str] = list(model["features"])
        self.idf = np.asarray(model["idf"], dtype=np.float64)
        self.coef = np.asarray(model["coef"], dtype=np.float64)
        self.intercept = float(model["intercept"])
        if not (len(set(self.features)) == self.idf.size == self.coef.size):
            raise ValueError("features, idf and coef differ in length")

    @cached_property
    def index(self) -> dict[str, int]:
        """Each feature's column (the model reads through ``PlantedTaskModel``'s shared index; this
        one is built only when asked for)."""
        return {feature: column for column, feature in enumerate(self.features)}

    def log_odds(self, pieces: list[np.ndarray]) -> np.ndarray:
        """The log-odds of each piece (its columns): one pass over all of them, not one per piece."""
        sizes = np.asarray([piece.size for piece in pieces], dtype=np.int64)
        logits = np.full(len(pieces), self.intercept)
        if not sizes.sum():
            return logits
        width = self.idf.size
        keys, counts = np.unique(
            np.repeat(np.arange(len(pieces)), sizes) * width + np.concatenate(pieces), return_counts=True
        )
        owners, columns = np.divmod(keys, width)
        weights = (1.0 + np.log(counts)) * self.idf[columns]
        norms = np.sqrt(np.bincount(owners, weights * weights, minlength=len(pieces)))
        dots = np.bincount(owners, weights * self.coef[columns], minlength=len(pieces))
        return logits + np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)


class PlantedTaskModel:
    """Both readings over one index of their n-grams: a token's character n-grams are made and
    looked up once for the two of them (most of a prompt's cost is tokens seen for the first time)."""

    def __init__(self, model: dict[str, Any]) -> None:
        if model.get("format") != PLANTED_FORMAT_VERSION:
            raise ValueError(f"planted-task model format {model.get('format')!r}, expected {PLANTED_FORMAT_VERSION}")
        self.whole = LinearReading(model["whole"])
        self.sentences = LinearReading(model["sentences"])
        self.floor_log_odds = float(model["floor_log_odds"])
        self.block_log_odds = float(model["block_log_odds"])
        grams = list(dict.fromkeys([*self.whole.features, *self.sentences.features]))
        self._index = {gram: position for position, gram in enumerate(grams)}
        self._whole_column = self._columns_in(self.whole)
        self._sentence_column = self._columns_in(self.sentences)
        self._token_positions: Callable[[str], np.ndarray] = lru_cache(maxsize=TOKEN_CACHE_SIZE)(
            self._positions_of_token
        )

    def _columns_in(self, reading: LinearReading) -> np.ndarray:
        """For each position of the shared index, the reading's column of that n-gram, or -1."""
        columns = np.full(len(self._index), -1, dtype=np.int64)
        columns[[self._index[gram] for gram in reading.features]] = np.arange(len(reading.features))
        return columns

    def _positions_of_token(self, token: str) -> np.ndarray:
        index = self._index
        return np.asarray(
            [position for gram in token_char_grams(token) if (position := index.get(gram)) is not None],
            dtype=np.int64,
        )

    def _positions(self, parts: TextParts) -> np.ndarray:
        index = self._index
        others = [position for gram in parts.grams if (position := index.get(gram)) is not None]
        return np.concatenate([*map(self._token_positions, parts.tokens), np.asarray(others, dtype=np.int64)])

    def whole_columns(self, parts: TextParts) -> np.ndarray:
        """The whole reading's columns of every n-gram of ``parts`` it knows, repeats kept."""
        return _known(self._whole_column[self._positions(parts)])

    def sentence_columns(self, parts: TextParts) -> np.ndarray:
        """The sentence reading's columns of every n-gram of ``parts`` it knows, repeats kept."""
        return _known(self._sentence_column[self._positions(parts)])

    def readings(self, normalized: str) -> tuple[float, float]:
        """(the whole prompt's, its strongest piece's) log-odds of a planted task."""
        whole_parts, sentences = prompt_parts(normalized)
        whole = float(self.whole.log_odds([self.whole_columns(whole_parts)])[0])
        pieces = [np.concatenate(piece) for piece in paired([self.sentence_columns(parts) for parts in sentences])]
        return whole, float(self.sentences.log_odds(pieces).max())

    def log_odds(self, normalized: str) -> float:
        """The mean of the whole prompt's and its strongest piece's log-odds."""
        return sum(self.readings(normalized)) / 2


def _known(columns: np.ndarray) -> np.ndarray:
    return columns[columns >= 0]
