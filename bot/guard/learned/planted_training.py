"""Rebuild the planted-task model (planted.py) from ``data/guard/``: deterministic, byte for byte.

    python -m bot.guard.learned.planted_training [--data DIR] [--out PATH] [--sample N]

Positives are the prompts labelled as indirect injections, negatives every benign prompt; the
other attacks are the n-gram model's business and are left out. The whole-prompt reading is a
binary logistic regression on them. The sentence reading learns from sentences, but the data
labels prompts: a planted-task prompt is mostly its innocent request and material, so every one
of its sentences starts as a positive, a model is fitted, and then only its strongest sentence
stays a positive, four times over (multiple-instance learning); every sentence of a benign prompt is
a negative throughout.

Written as gzip'd JSON with a SHA-256 file beside it, as training.py writes the n-gram model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from bot.guard.learned.dataset import BENIGN, Example
from bot.guard.learned.planted import PLANTED_FORMAT_VERSION, PLANTED_MODEL_PATH, piece_grams, prompt_parts
from bot.guard.learned.training import SEED, rounded, training_arguments, write_model
from bot.guard.normalize import normalize
from bot.guard.rules import Category

# Rare n-grams are memorised phrasing, and the most frequent ones carry nearly all the signal: the
# vocabulary is cut to keep the artifact a few MB (measured by bench/planted_eval.py).
MIN_DOCUMENT_FREQUENCY = 6
MAX_FEATURES = 80_000
REGULARIZATION_C = 4.0
# Rounds in which a planted-task prompt keeps only its strongest sentence as a positive. Planted
# tasks caught at the point that flags 1 % of benign prompts (bench/planted_eval.py): 2 rounds
# 56.7 %, 4 rounds 59.1 % (59.5 % with alt and title text kept, as shipped). With 2 rounds, C 1 / 4 / 16 caught 54.2 / 56.7 / 57.5 % and 150,000
# n-grams 58.4 % (a 2 MB artifact); the whole and sentence readings weighed 0.3 / 0.5 / 0.6 : 0.7 /
# 0.5 / 0.4, 55.9 / 56.7 / 57.6 %. None of those moves it by more than a point or two; they stay.
SENTENCE_ROUNDS = 4
# Where the layer alone blocks, in log-odds (the mean of the two readings): the point that flags
# 1 % of benign prompts, each read by models that never saw its source family
# (bench/planted_eval.py, five folds by family: 59.6 % of planted-task prompts caught and 1.01 % of
# benign prompts flagged, 3.3 % of pasted documents, 0.5 % of role prompts, 0.2 % of everyday
# requests, 0.1 % of hard negatives). With markup read as words the same folds caught 60.4 % at
# their 1 % point (2 rounds; 56.7 % blanked), but a harmless e-mail's hidden preheader read as a
# planted task: the guard reads hidden text on its own. From one log-odds unit lower it adds to the
# rules' evidence, as the n-gram model does from its floor.
BLOCK_LOG_ODDS = 1.6
FLOOR_LOG_ODDS = 0.6


def _reading(vectorizer: Any, model: Any) -> dict[str, Any]:
    vocabulary = vectorizer.vocabulary_
    return {
        "features": sorted(vocabulary, key=vocabulary.__getitem__),
        "idf": [rounded(value) for value in vectorizer.idf_],
        "coef": [rounded(value) for value in model.coef_[0]],
        "intercept": rounded(float(model.intercept_[0])),
    }


def _grams_as_given(grams: list[str]) -> list[str]:
    return grams


def _vectorizer() -> Any:
    """TF-IDF over documents given as their n-gram lists (planted.py makes them)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer=_grams_as_given,
        min_df=MIN_DOCUMENT_FREQUENCY,
        max_features=MAX_FEATURES,
        sublinear_tf=True,
        norm="l2",
        dtype=np.float64,
    )


def _fit_binary(matrix: Any, labels: np.ndarray, seed: int) -> Any:
    """Logistic regression with both classes weighing alike, whatever their counts."""
    from sklearn.linear_model import LogisticRegression

    positives = int(labels.sum())
    weights = np.where(labels, (labels.size - positives) / max(positives, 1), 1.0)
    model = LogisticRegression(C=REGULARIZATION_C, solver="liblinear", max_iter=1000, random_state=seed)
    return model.fit(matrix, labels, sample_weight=weights)


def fit_sentences(pieces: Sequence[list[list[str]]], planted: np.ndarray, *, seed: int = SEED) -> tuple[Any, Any]:
    """(vectorizer, model) of the sentence reading; ``pieces[i]`` are the n-grams of each piece of
    prompt i (``planted.piece_grams``)."""
    owner = np.asarray([index for index, own in enumerate(pieces) for _ in own])
    vectorizer = _vectorizer()
    matrix = vectorizer.fit_transform([piece for own in pieces for piece in own])
    candidates = np.flatnonzero(planted[owner])
    negatives = np.flatnonzero(~planted[owner])
    positives = candidates
    for round_ in range(SENTENCE_ROUNDS + 1):
        rows = np.concatenate([positives, negatives])
        labels = np.concatenate([np.ones(positives.size, dtype=bool), np.zeros(negatives.size, dtype=bool)])
        model = _fit_binary(matrix[rows], labels, seed)
        if round_ == SENTENCE_ROUNDS:
            break
        scores = model.decision_function(matrix[candidates])
        strongest: dict[int, tuple[float, int]] = {}
        for row, score in zip(candidates.tolist(), scores.tolist(), strict=True):
            prompt = int(owner[row])
            if prompt not in strongest or score > strongest[prompt][0]:
                strongest[prompt] = (score, row)
        positives = np.asarray(sorted(row for _, row in strongest.values()))
    return vectorizer, model


def fit_whole(grams: Sequence[list[str]], planted: np.ndarray, *, seed: int = SEED) -> tuple[Any, Any]:
    """(vectorizer, model) of the whole-prompt reading; ``grams[i]`` are prompt i's n-grams."""
    vectorizer = _vectorizer()
    return vectorizer, _fit_binary(vectorizer.fit_transform(grams), planted, seed)


def training_rows(examples: Sequence[Example]) -> list[Example]:
    """The planted-task prompts and every benign prompt, in file order."""
    return [e for e in examples if e.label in (BENIGN, Category.INDIRECT_INJECTION.value)]


def fit(examples: Sequence[Example], *, seed: int = SEED) -> dict[str, Any]:
    """Train on ``examples`` (any labels; see ``training_rows``) and return the JSON-ready model."""
    # scikit-learn loads SciPy's own BLAS when first imported: imported inside the limit below, that
    # library would run its first fit in a process on every core and later ones on one, and the
    # last digit of a coefficient moved between two fits in one process.
    import sklearn.feature_extraction.text
    import sklearn.linear_model  # noqa: F401
    from threadpoolctl import threadpool_limits

    rows = training_rows(examples)
    parts = [prompt_parts(normalize(example.text)) for example in rows]
    planted = np.asarray([example.label != BENIGN for example in rows])
    with threadpool_limits(limits=1, user_api="blas"):
        whole = fit_whole([whole_parts.all_grams() for whole_parts, _ in parts], planted, seed=seed)
        by_sentence = fit_sentences([piece_grams(sentences) for _, sentences in parts], planted, seed=seed)
    return {
        "format": PLANTED_FORMAT_VERSION,
        "whole": _reading(*whole),
        "sentences": _reading(*by_sentence),
        "floor_log_odds": FLOOR_LOG_ODDS,
        "block_log_odds": BLOCK_LOG_ODDS,
    }


def main(argv: list[str] | None = None) -> int:
    examples, out = training_arguments(argv, description=__doc__, model_path=PLANTED_MODEL_PATH)
    model = fit(examples)
    digest = write_model(model, out)
    print(
        f"{out}: {len(model['whole']['features'])} + {len(model['sentences']['features'])} features,"
        f" {len(training_rows(examples))} prompts, block at log-odds {model['block_log_odds']}, sha256 {digest}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
