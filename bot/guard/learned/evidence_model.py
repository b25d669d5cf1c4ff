"""The evidence model: a logistic regression over ``evidence.EVIDENCE_FEATURES``, attack or not.

A few hundred binary features and one weight each: it cannot memorise wording, so what it learns
from English attacks holds for the same intents in Ukrainian or Korean. It is a second opinion
beside the n-gram model (see ``detector.LearnedDetector.score_normalized`` for how the two
combine). Training needs scikit-learn; scoring is a dot product.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.guard.learned.evidence import EVIDENCE_FEATURES, evidence_of

# Strong regularization, fixed before any measurement: the features are few and correlated, and
# a weight should say how much an intent counts in general, not in one data set.
REGULARIZATION_C = 1.0


@dataclass(frozen=True)
class EvidenceModel:
    weights: dict[str, float]
    intercept: float

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> EvidenceModel:
        features = [str(name) for name in document["features"]]
        coef = [float(value) for value in document["coef"]]
        if len(features) != len(coef):
            raise ValueError("evidence features and weights differ in length")
        return cls(dict(zip(features, coef, strict=True)), float(document["intercept"]))

    def probability(self, normalized: str) -> float:
        """The attack probability the evidence in a normalized prompt gives."""
        weights = self.weights
        logit = self.intercept + sum(weights.get(name, 0.0) for name in evidence_of(normalized))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, logit))))


def fit_evidence(texts: Sequence[str], attack: Sequence[bool], *, seed: int) -> dict[str, Any]:
    """Train on normalized texts; returns the JSON-ready model (features with a non-zero weight)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    column = {name: index for index, name in enumerate(EVIDENCE_FEATURES)}
    # A few thousand prompts by a few hundred features: dense is small enough.
    matrix = np.zeros((len(texts), len(EVIDENCE_FEATURES)))
    for row, text in enumerate(texts):
        for name in evidence_of(text):
            matrix[row, column[name]] = 1.0
    model = LogisticRegression(
        C=REGULARIZATION_C, class_weight="balanced", max_iter=2000, solver="lbfgs", random_state=seed
    )
    model.fit(matrix, np.asarray(attack, dtype=bool))
    weights = [(name, float(model.coef_[0][column[name]])) for name in EVIDENCE_FEATURES]
    kept = [(name, weight) for name, weight in weights if abs(weight) >= 1e-6]
    return {
        "features": [name for name, _ in kept],
        "coef": [weight for _, weight in kept],
        "intercept": float(model.intercept_[0]),
    }
