"""Rebuild the learned detector from ``data/guard/``: deterministic, byte for byte.

    python -m bot.guard.learned.training [--data DIR] [--out PATH] [--sample N]

TF-IDF over ``features.ngrams`` (character 2-5-grams and word 1-2-grams), then a multinomial
logistic regression over benign and the rule table's categories; beside it the evidence model
(evidence_model.py), a binary logistic regression over phrasing-free evidence. The operating
point (``BLOCK_PROBABILITY`` and ``GATE_PROBABILITY``) is set below, with why.

The model is written as gzip'd JSON (vocabulary, idf, coefficients rounded to four significant
digits) with a SHA-256 file beside it: nothing executable is loaded at run time, and a rebuild
from the same data gives the same bytes. scikit-learn is needed here only; ``detector.py``
scores with numpy.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bot.guard.learned.dataset import BENIGN, DATA_DIR, Example, load_examples
from bot.guard.learned.evidence_model import fit_evidence
from bot.guard.learned.features import ngrams
from bot.guard.learned.lexicon import CONCEPT_PREFIX
from bot.guard.normalize import normalize

MODEL_PATH = Path(__file__).with_name("injection_model.json.gz")
FORMAT_VERSION = 2
SEED = 20240601
# Features seen in fewer prompts than this are noise the model would memorise. Chosen by holding
# out whole project sets (e and f, each scored by a model trained without it, before project-h
# and before readable_part): 6 against 2 read 66.4 / 70.3 % of their attacks against 65.1 /
# 64.3 %, at the same false positives, with a third of the features (73,000 against 210,000),
# which is also what the web process holds.
MIN_DOCUMENT_FREQUENCY = 6
# Held out by source family (all 32 folds retrained at scikit-learn's default tolerance, operating
# points chosen in fold), C 1 blocked 64.9 % of the held-out attacks and C 4 71.1 %; C 16 blocked
# 72.4 % (and 84.6 % of the unseen set against 82.0 %) but read a one-word prompt at full strength:
# "start" scored 0.82 and was blocked. Damping short prompts by their word count cost 4.5 points
# (scripts written without spaces have few words). Trained as shipped (tolerance 1e-7) with 320
# short benign requests in 16 languages added, C 16 read "start" at 0.73 but blocked 69.3 % held out
# (point 0.81): the gain at the default tolerance does not survive a solver run to the optimum. C
# stays 4; those requests are a test now (tests/guard/data/short_requests.jsonl), not training data.
# Static sentence embeddings (WordLlama's 256-dimension Llama 2 token vectors, the one multilingual
# embedding whose weights ship in a PyPI package) were read by a logistic regression trained per
# fold beside this model: alone it blocked 17 % of held-out attacks at 1.7 % false positives, and
# blended into each view's probability it lowered the held-out figure, 70.8 % -> 69.6 / 66.0 % at
# weights 0.15 / 0.3, points chosen in fold. Its vectors tell languages apart more than meanings (an
# override in Russian lies nearer a Russian office announcement than the same override in English).
# Three ways of leaning the model on what the families share were measured the same way, all 32
# folds at scikit-learn's default tolerance against 71.1 % for this model there: keeping only
# n-grams found in at least three training families, 70.8 %; the concepts-alone documents weighed
# double, 70.3 %; each family's rows weighed by one over the square root of its size (the small
# third-party families up, the project sets down), 68.4 %. None ships.
# Direct attacks of the training rows planted on a line of their own in the material of benign
# prompts that paste some (800 such prompts a fold, labelled indirect, drawn from the fold's own
# rows) were measured with seven families of planted instructions held out in turn (project-o,
# -q, -s, -t, BIPIA, CyberSecEval, garak's latent injections; points chosen among them): 635 of
# their 1,181 attacks blocked against 653 without, indirect ones 139 / 156 of 587, and 6 of their
# 540 pasted benign documents blocked against 4. The model learnt that pasted material with an
# order in it is suspect, which documents full of requests are too; not shipped.
REGULARIZATION_C = 4.0
# The attack probability below which the learned layer adds nothing, so a plainly benign prompt
# scores exactly zero.
FLOOR_PROBABILITY = 0.40
# Where the learned layer alone blocks, and the n-gram probability from which the evidence model
# may lift a prompt: the point bench/guard_eval.py's in-fold procedure (operating_point.py) chooses
# over every held-out source, each source read by a model trained without it. On the data through
# project-w (45 families) it is 0.71 with the evidence model lifting from an n-gram probability of
# 0.7: held out (each family at the point chosen without it), 74.8 % of attacks (75.3 % read at the
# earlier 0.70 with no lift) and 0.6 / 0.2 / 1.7 % of everyday, chat and hard-negative prompts. With
# project-x, -y and -z (48 families) the procedure chooses 0.78 with no lift: 65.4 % held out, the
# budget of 0.8 % bound by pasted documents holding roles and turns (2.2 % of them blocked at 0.71);
# read at 0.71 with the lift the same readings block 73.0 %, and the unseen set 85.0 % of attacks and
# 1.0 % of benign prompts against 78.0 % and 0.7 % at 0.78. The point below is kept until how many
# such documents may be refused is decided on its own terms, not from these figures. Project-aa
# joined after that run without a new one (it takes both cores about two hours): with it the
# unseen set reads 85.3 % and 1.0 %. On the 43 families before
# project-v it was 0.70 with no lift (gate 1.0): 75.5 % of attacks (the 42 families before
# project-u, 75.7 %, against 75.0 % when they were all there was) and 0.7 / 0.2 / 1.7 % of
# everyday, chat and hard-negative prompts. With those 42 families it was 0.71
# with the evidence model lifting from an n-gram probability of 0.7; with the 32 before project-k,
# no lift: 70.8 % and 0.5 / 0.2 / 1.6 %, the lift then blocking more of the pasted documents and
# role prompts than their budget allows. The points lie lower
# than under scikit-learn's "balanced" class weights (0.89 then, see ``class_weights``): on the
# data before project-i, with the seven project sets held out, that weighting blocked 67.5 % of
# their attacks where this one blocks 69.8 %, at 2.2 % of hard negatives either way.
BLOCK_PROBABILITY = 0.71
GATE_PROBABILITY = 0.7
# Four significant digits move no coefficient by more than 0.05 % (no verdict by more than a rounding
# of its score) and keep the artifact under 4 MB as the data grows.
SIGNIFICANT_DIGITS = 4


# lbfgs stops where its projected gradient falls under this. At scikit-learn's default (1e-4) it
# stopped far from the optimum, at a point set by the order in which the CPU's BLAS kernels sum:
# two OpenBLAS kernels on one machine gave coefficients 0.19 apart, and a machine of another
# processor family could not rebuild the shipped model. The regularised loss has one minimum;
# this close to it the kernels agree to about 0.001, at twice the training time.
OPTIMIZER_TOLERANCE = 1e-7
MAX_ITERATIONS = 20_000


def rounded(value: float) -> float:
    """``value`` to ``SIGNIFICANT_DIGITS`` significant digits, as the artifact stores it."""
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def fit(
    examples: Sequence[Example],
    *,
    seed: int = SEED,
    analyzer: Callable[[str], list[str]] = ngrams,
    regularization_c: float = REGULARIZATION_C,
    normalized: Callable[[str], str] = normalize,
) -> dict[str, Any]:
    """Train on ``examples`` and return the model as a JSON-ready dict.

    ``analyzer`` must return exactly ``ngrams(text)`` and ``normalized`` exactly
    ``normalize(text)``; a caller training many times over the same texts (the
    leave-one-source-out bench) passes memoized ones.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    def analyze(document: tuple[str, bool]) -> list[str]:
        text, concepts_only = document
        grams = analyzer(text)
        return [gram for gram in grams if gram.startswith(CONCEPT_PREFIX)] if concepts_only else grams

    # Each prompt that names a concept is also shown to the model as its concepts alone. In the
    # full prompt the language-bound n-grams explain the label and the concepts get little
    # weight; alone, the concepts must carry it, and they are all a prompt in a language the
    # data lacks has in common with the data.
    documents = [(example.text, False) for example in examples]
    labels = [example.label for example in examples]
    for example in examples:
        if any(gram.startswith(CONCEPT_PREFIX) for gram in analyzer(example.text)):
            documents.append((example.text, True))
            labels.append(example.label)
    vectorizer = TfidfVectorizer(
        analyzer=analyze, min_df=MIN_DOCUMENT_FREQUENCY, sublinear_tf=True, norm="l2", dtype=np.float64
    )
    matrix = vectorizer.fit_transform(documents)
    model = LogisticRegression(
        C=regularization_c, max_iter=MAX_ITERATIONS, tol=OPTIMIZER_TOLERANCE, solver="lbfgs", random_state=seed
    )
    # lbfgs's sums go through BLAS, whose result moves with the thread count as with the kernels
    # (OPTIMIZER_TOLERANCE): one thread makes a rebuild by hand the same as the suite's, which runs one
    # in each lane, and costs no time (the solver's steps are too small to share). The evidence
    # model is fitted by the same solver.
    with threadpool_limits(limits=1, user_api="blas"):
        model.fit(matrix, labels, sample_weight=class_weights(labels))
        evidence = fit_evidence(
            [normalized(example.text) for example in examples],
            [example.label != BENIGN for example in examples],
            seed=seed,
        )
    vocabulary = vectorizer.vocabulary_
    features = sorted(vocabulary, key=vocabulary.__getitem__)
    classes = [str(name) for name in model.classes_]
    coefficients = model.coef_ if len(classes) > 2 else [-model.coef_[0], model.coef_[0]]
    intercepts = model.intercept_ if len(classes) > 2 else [-model.intercept_[0], model.intercept_[0]]
    return {
        "format": FORMAT_VERSION,
        "benign_class": BENIGN,
        "classes": classes,
        "block_probability": BLOCK_PROBABILITY,
        "floor_probability": FLOOR_PROBABILITY,
        "gate_probability": GATE_PROBABILITY,
        "features": features,
        "idf": [rounded(value) for value in vectorizer.idf_],
        "coef": [[rounded(value) for value in row] for row in coefficients],
        "intercept": [rounded(value) for value in intercepts],
        "evidence": {
            "features": evidence["features"],
            "coef": [rounded(value) for value in evidence["coef"]],
            "intercept": rounded(evidence["intercept"]),
        },
    }


def class_weights(labels: Sequence[str]) -> np.ndarray:
    """A weight per document: benign prompts carry half the total weight, and the attack classes
    share the other half equally.

    scikit-learn's "balanced" weighting gives each of the six classes a sixth, so attacks as a
    whole outweighed benign prompts five to one and a prompt with no evidence either way ("hello")
    read as 0.65 attack. Held out by whole project sets, weighing the two sides alike blocked more
    of the held-out attacks at the false-positive budgets (see ``BLOCK_PROBABILITY``).
    """
    counts = Counter(labels)
    attack_classes = len([label for label in counts if label != BENIGN]) or 1
    share = {
        label: (0.5 if label == BENIGN else 0.5 / attack_classes) * len(labels) / count
        for label, count in counts.items()
    }
    return np.asarray([share[label] for label in labels], dtype=np.float64)


def serialize(model: dict[str, Any]) -> bytes:
    """Stable bytes: sorted keys, no whitespace, gzip without a timestamp or file name."""
    text = json.dumps(model, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def checksum_path(model_path: Path) -> Path:
    return model_path.with_name(model_path.name + ".sha256")


def write_model(model: dict[str, Any], out: Path) -> str:
    """Write the model and its SHA-256 file; returns the checksum."""
    data = serialize(model)
    digest = hashlib.sha256(data).hexdigest()
    out.write_bytes(data)
    checksum_path(out).write_text(f"{digest}  {out.name}\n", encoding="utf-8")
    return digest


def sample(examples: Sequence[Example], size: int, *, seed: int = SEED) -> list[Example]:
    """A seeded sample holding both attacks and benign prompts (for quick tests)."""
    attacks = [e for e in examples if e.label != BENIGN]
    benign = [e for e in examples if e.label == BENIGN]
    rng = random.Random(seed)
    half = max(1, size // 2)
    return rng.sample(attacks, min(half, len(attacks))) + rng.sample(benign, min(size - half, len(benign)))


def training_arguments(
    argv: list[str] | None, *, description: str | None, model_path: Path
) -> tuple[list[Example], Path]:
    """(the examples to train on, where to write the model) from a training script's command line."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--data", type=Path, default=DATA_DIR, help="folder holding curated/, public/ and the project sets"
    )
    parser.add_argument("--out", type=Path, default=model_path, help="where to write the model")
    parser.add_argument("--sample", type=int, help="train on a seeded sample of this many prompts")
    args = parser.parse_args(argv)
    examples = load_examples(args.data)
    if args.sample:
        examples = sample(examples, args.sample)
    return examples, args.out


def main(argv: list[str] | None = None) -> int:
    examples, out = training_arguments(argv, description=__doc__, model_path=MODEL_PATH)
    model = fit(examples)
    digest = write_model(model, out)
    print(
        f"{out}: {len(model['features'])} features, {len(examples)} prompts,"
        f" block at p {model['block_probability']}, evidence gate {model['gate_probability']}, sha256 {digest}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
