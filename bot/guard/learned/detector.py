"""Score a prompt with the shipped learned model: numpy only, no network, nothing unpickled.

Two models read each prompt: a linear model over character and word n-grams (wording) and the
evidence model (intents and structure, see evidence.py); the model file holds both and the
operating point training chose for them.

The model file is checked against its SHA-256 file before it is parsed, so a truncated or
altered model never loads. ``load_detector`` raises ``DetectorUnavailable`` when it cannot load;
the guard then refuses every prompt (fails closed) and ``/readyz`` names the detector.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from bot.guard.learned.evidence_model import EvidenceModel
from bot.guard.learned.features import (
    MATERIAL_PREFIX,
    WORD_PREFIX,
    material_words,
    readable_part,
    token_char_grams,
    tokens_of,
    words_of,
)
from bot.guard.learned.lexicon import concept_features
from bot.guard.learned.planted import PLANTED_MODEL_PATH, PlantedTaskModel
from bot.guard.normalize import normalize
from bot.guard.rules import DEFAULT_THRESHOLD, Category

MODEL_PATH = Path(__file__).with_name("injection_model.json.gz")
FORMAT_VERSION = 2
# Distinct tokens whose feature columns are remembered: prose repeats its words, so most of a
# prompt's tokens are looked up once per process, not once per prompt.
TOKEN_CACHE_SIZE = 50_000
# However sure the model is, its share of the score stops here: enough to block on its own at
# any sensible threshold, without swamping the rule evidence shown in an audit.
MAX_CONTRIBUTION = 2 * DEFAULT_THRESHOLD


class DetectorUnavailable(RuntimeError):
    """The learned model could not be loaded; the message says why (never prompt text)."""


@dataclass(frozen=True)
class LearnedScore:
    attack_probability: float
    category: str  # the most likely intent (attack class but encoding), whatever the probability


class LearnedDetector:
    def __init__(self, model: dict[str, Any]) -> None:
        """``model``: the decoded JSON document training writes; its format field is checked first."""
        if model.get("format") != FORMAT_VERSION:
            raise DetectorUnavailable(f"model format {model.get('format')!r}, expected {FORMAT_VERSION}")
        classes = [str(name) for name in model["classes"]]
        benign = str(model["benign_class"])
        self.benign_index = classes.index(benign)
        self.attack_classes = [(index, name) for index, name in enumerate(classes) if name != benign]
        # An attack is named by what it asks for. Encoding is a form, not an intent: the model reads
        # text already decoded and de-obfuscated, where an encoded override looks like any other,
        # and injection.py names a verdict found in a decoded run an encoded payload from its view.
        self.intent_classes = [pair for pair in self.attack_classes if pair[1] != Category.ENCODED_PAYLOAD]
        self._named_classes = self.intent_classes or self.attack_classes
        self.block_probability = float(model["block_probability"])
        self.floor_probability = float(model["floor_probability"])
        self.gate_probability = float(model["gate_probability"])
        self.evidence = EvidenceModel.from_json(model["evidence"])
        self.index = {feature: i for i, feature in enumerate(model["features"])}
        self.idf = np.asarray(model["idf"], dtype=np.float64)
        # Feature-major, so one prompt's features are one contiguous gather.
        self.coef = np.ascontiguousarray(np.asarray(model["coef"], dtype=np.float32).T)
        self.intercept = np.asarray(model["intercept"], dtype=np.float64)
        if self.coef.shape != (len(self.index), len(classes)) or self.idf.shape != (len(self.index),):
            raise DetectorUnavailable("model arrays do not match its vocabulary")
        self._token_columns = lru_cache(maxsize=TOKEN_CACHE_SIZE)(self._columns_of_token)
        self._word_column = lru_cache(maxsize=TOKEN_CACHE_SIZE)(self._column_of_word)
        self._material_column = lru_cache(maxsize=TOKEN_CACHE_SIZE)(self._column_of_material_word)
        self._bigram_columns = _bigram_columns(self.index)
        # The planted-task model (planted.py), set by ``load_detector``; a detector built from the
        # n-gram model alone (tests, the bench's folds) reads without it.
        self.planted: PlantedTaskModel | None = None

    def _columns_of_token(self, token: str) -> np.ndarray:
        index = self.index
        columns = [column for gram in token_char_grams(token) if (column := index.get(gram)) is not None]
        return np.asarray(columns, dtype=np.int32)

    def _column_of_word(self, word: str) -> int:
        """The column of the word's unigram, or -1 when the model has none."""
        return self.index.get(WORD_PREFIX + word, -1)

    def _column_of_material_word(self, word: str) -> int:
        """The column of the word read as pasted material, or -1 when the model has none."""
        return self.index.get(MATERIAL_PREFIX + word, -1)

    def _word_gram_columns(self, words: list[str]) -> list[int]:
        """Columns of the in-vocabulary word unigrams, then bigrams, as ``word_grams`` lists them.

        A bigram is found from its two words' columns (see ``_bigram_columns``) when the model
        allows it: no string is built and no string hashed for the 300-odd pairs of a long prompt.
        """
        word_columns = [self._word_column(word) for word in words]
        columns = [column for column in word_columns if column >= 0]
        bigrams = self._bigram_columns
        if bigrams is not None:
            size = len(self.index)
            columns.extend(
                column
                for first, second in pairwise(word_columns)
                if first >= 0 and second >= 0 and (column := bigrams.get(first * size + second)) is not None
            )
        else:
            index = self.index
            columns.extend(
                column
                for first, second in pairwise(words)
                if (column := index.get(f"{WORD_PREFIX}{first} {second}")) is not None
            )
        return columns

    def columns(self, normalized: str) -> np.ndarray:
        """Model columns of every in-vocabulary feature of a normalized prompt, repeats kept."""
        return np.concatenate(self._columns_and_concepts(normalized))

    def _columns_and_concepts(self, normalized: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns of the n-grams, columns of the concepts) of a normalized prompt."""
        normalized = readable_part(normalized)
        parts = [self._token_columns(token) for token in tokens_of(normalized)]
        index = self.index
        parts.append(np.asarray(self._word_gram_columns(words_of(normalized)), dtype=np.int32))
        material = [found for word in material_words(normalized) if (found := self._material_column(word)) >= 0]
        parts.append(np.asarray(material, dtype=np.int32))
        concepts = concept_features(normalized)
        concept_columns = np.asarray(
            [column for gram in concepts if (column := index.get(gram)) is not None], dtype=np.int32
        )
        return np.concatenate(parts), concept_columns

    def score(self, text: str) -> LearnedScore:
        return self.score_normalized(normalize(text))

    def score_normalized(self, normalized: str) -> LearnedScore:
        """Like ``score``, for a caller that already holds ``normalize(text)``.

        The n-gram reading decides, except that the evidence model may raise it to its own
        probability once the n-gram reading has reached ``gate_probability``: evidence alone
        names the same intents in "please ignore my previous email" as in an override, so it
        only ever confirms a prompt whose wording already looks like an attack. Training chose
        the gate and the block probability on sources held out from the model that scored them.
        """
        ngram, category = self.ngram_reading(normalized)
        if ngram >= self.gate_probability:
            ngram = max(ngram, self.evidence.probability(normalized))
        return LearnedScore(round(ngram, 4), category)

    def ngram_reading(self, normalized: str) -> tuple[float, str]:
        """(n-gram attack probability, most likely intent whatever the probability).

        The n-gram model reads the prompt twice: whole, and as its concepts alone (the model was
        trained on both kinds of document, see training.py). In a language the training data
        barely holds, the whole prompt is mostly n-grams the model never weighed and its concepts
        are drowned; read alone, they score the way the same request scores in English. The
        concepts alone can lift the whole reading halfway towards theirs, never lower it
        (measured by bench/guard_eval.py: counted in full, they cost the hard-negative target).
        """
        grams, concepts = self._columns_and_concepts(normalized)
        if not (grams.size or concepts.size):
            # Nothing the model ever weighed (an empty prompt, an unknown script): its intercepts
            # alone are the classes' shares of the training data, not evidence about this prompt.
            return 0.0, self._named_classes[0][1]
        whole = self._probabilities(np.concatenate((grams, concepts)))
        alone = self._probabilities(concepts) if concepts.size else whole
        blended = (whole + alone) / 2
        probabilities = blended if blended[self.benign_index] < whole[self.benign_index] else whole
        _, name = max(self._named_classes, key=lambda pair: probabilities[pair[0]])
        return 1.0 - float(probabilities[self.benign_index]), name

    def _probabilities(self, columns: np.ndarray) -> np.ndarray:
        logits = self.intercept
        if columns.size:
            unique, counts = np.unique(columns, return_counts=True)
            # TF-IDF as scikit-learn computes it: sublinear term frequency, then L2 norm.
            weights = (1.0 + np.log(counts)) * self.idf[unique]
            weights /= math.sqrt(float(weights @ weights))
            logits = logits + weights @ self.coef[unique]
        shifted = np.exp(logits - logits.max())
        return np.asarray(shifted / shifted.sum())

    def planted_contribution(self, normalized: str) -> tuple[float, float]:
        """(probability of a planted task, its share of the score in threshold units); nothing
        without a planted-task model. Its share grows as the n-gram model's does, from its floor
        to the default threshold at its block point."""
        if self.planted is None:
            return 0.0, 0.0
        log_odds = self.planted.log_odds(normalized)
        probability = 1.0 / (1.0 + math.exp(-log_odds))
        weight = learned_weight(log_odds, floor=self.planted.floor_log_odds, block=self.planted.block_log_odds)
        return probability, weight

    def contribution(self, probability: float) -> float:
        """The learned layer's share of the injection score, in units of the default threshold.

        Zero at or below the floor probability, the default threshold at the block probability,
        linear between and beyond: weak rule evidence plus a grey-zone probability can block
        together, and an organization with a stricter or looser threshold moves both layers.
        """
        return learned_weight(probability, floor=self.floor_probability, block=self.block_probability)


def learned_weight(probability: float, *, floor: float, block: float) -> float:
    """``LearnedDetector.contribution`` for a given floor and block probability."""
    if probability <= floor:
        return 0.0
    return min(MAX_CONTRIBUTION, DEFAULT_THRESHOLD * (probability - floor) / (block - floor))


def _bigram_columns(index: dict[str, int]) -> dict[int, int] | None:
    """Each word bigram's column, keyed by its words' unigram columns (``first * len(index) +
    second``), or None when some bigram's words are not both unigrams of the vocabulary.

    Training keeps the features found in at least ``min_df`` prompts, and a prompt holding "a b"
    holds "a" and "b", so a model trained by training.py always has them; a model built some
    other way is still scored right, by looking each bigram up by name.
    """
    size = len(index)
    columns: dict[int, int] = {}
    for feature, column in index.items():
        if feature.startswith(WORD_PREFIX) and " " in feature:
            first, second = feature[len(WORD_PREFIX) :].split(" ", 1)
            first_column, second_column = index.get(WORD_PREFIX + first), index.get(WORD_PREFIX + second)
            if first_column is None or second_column is None:
                return None
            columns[first_column * size + second_column] = column
    return columns


def _checksum_file(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def load_detector(path: Path = MODEL_PATH, planted_path: Path = PLANTED_MODEL_PATH) -> LearnedDetector:
    """The n-gram model at ``path`` with the planted-task model at ``planted_path``, each verified
    against its SHA-256 file, or ``DetectorUnavailable``."""
    model = _verified_json(path)
    planted = _verified_json(planted_path)
    try:
        detector = LearnedDetector(model)
        detector.planted = PlantedTaskModel(planted)
    except DetectorUnavailable:
        raise
    except (ValueError, KeyError, TypeError) as error:
        raise DetectorUnavailable(
            f"{path.name} or {planted_path.name} is not a valid model: {type(error).__name__}"
        ) from error
    return detector


def _verified_json(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
        expected = _checksum_file(path).read_text(encoding="utf-8").split()[0]
    except (OSError, IndexError) as error:
        raise DetectorUnavailable(f"cannot read {path.name} or its checksum: {type(error).__name__}") from error
    if hashlib.sha256(data).hexdigest() != expected:
        raise DetectorUnavailable(f"{path.name} does not match its SHA-256 checksum")
    try:
        return dict(json.loads(gzip.decompress(data)))
    except (ValueError, TypeError, OSError) as error:
        raise DetectorUnavailable(f"{path.name} is not a valid model: {type(error).__name__}") from error


_shipped: LearnedDetector | None = None
_shipped_problem: DetectorUnavailable | None = None
_shipped_lock = threading.Lock()


def shipped_detector() -> LearnedDetector:
    """The process-wide detector from ``MODEL_PATH``, loaded on first use.

    A failed load is remembered and raised again on every call (no retry storm on each
    prompt); ``forget_shipped_detector`` makes the next call try again.
    """
    global _shipped, _shipped_problem
    if _shipped is None and _shipped_problem is None:
        with _shipped_lock:
            if _shipped is None and _shipped_problem is None:
                try:
                    _shipped = load_detector(MODEL_PATH, PLANTED_MODEL_PATH)
                except DetectorUnavailable as error:
                    _shipped_problem = error
    if _shipped_problem is not None:
        raise _shipped_problem
    assert _shipped is not None
    return _shipped


def shipped_detector_problem() -> str | None:
    """Why the shipped detector cannot score prompts, or None when it can (for ``/readyz``)."""
    try:
        shipped_detector()
    except DetectorUnavailable as error:
        return str(error)
    return None


def forget_shipped_detector() -> None:
    global _shipped, _shipped_problem
    with _shipped_lock:
        _shipped, _shipped_problem = None, None
