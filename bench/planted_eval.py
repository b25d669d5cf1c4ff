"""Measure the planted-task model on source families it was not trained on.

    .venv/bin/python bench/planted_eval.py [--folds 5] [--jobs 2]

The planted-task prompts and the benign prompts of ``data/guard/`` are split into folds by source
family (GroupKFold: no family is in two folds); for each fold both readings are trained on the
others by ``planted_training`` and the fold's prompts are scored by ``PlantedTaskModel``, the
class the guard runs. Every prompt is thus read by models that never saw its family.

Printed: planted-task prompts caught and benign prompts flagged, per benign category, at the
shipped block point and at the points that flag 0.5, 1 and 2 % of benign prompts (the shipped
point is chosen as the 1 % one, see ``BLOCK_LOG_ODDS``); then the same for each reading alone.
The last line holds the shipped point's figures against the targets (at least 90 % of a category
of attacks held out by source, at most 1 % of benign prompts flagged).
The model alone, not the guard: the guard adds it to the rules and the n-gram model, and
``guard_eval.py`` measures the whole.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench.verdict import Target, at_least, at_most, run_bench  # noqa: E402
from bot.guard.learned.dataset import BENIGN, Example, load_examples  # noqa: E402
from bot.guard.learned.planted import PlantedTaskModel  # noqa: E402
from bot.guard.learned.planted_training import (  # noqa: E402
    BLOCK_LOG_ODDS,
    fit,
    training_rows,
)
from bot.guard.normalize import normalize  # noqa: E402

FALSE_POSITIVE_SHARES = (0.005, 0.01, 0.02)
# The targets for a category of attacks held out by source, and for everyday prompts.
MIN_CAUGHT_PERCENT = 90.0
MAX_BENIGN_FLAGGED_PERCENT = 1.0


def fold_readings(train: list[Example], test: list[Example]) -> list[tuple[float, float]]:
    """(whole, strongest sentence) log-odds of each ``test`` prompt by models trained on ``train``."""
    model = PlantedTaskModel(fit(train))
    return [model.readings(normalize(example.text)) for example in test]


def held_out_readings(rows: list[Example], folds: int, jobs: int) -> np.ndarray:
    from sklearn.model_selection import GroupKFold

    readings = np.zeros((len(rows), 2))
    groups = [row.source for row in rows]
    splits = list(GroupKFold(n_splits=folds).split(rows, groups=groups))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [
            pool.submit(fold_readings, [rows[i] for i in train], [rows[i] for i in test]) for train, test in splits
        ]
        for (_, test), future in zip(splits, futures, strict=True):
            readings[test] = future.result()
    return readings


def report(name: str, scores: np.ndarray, rows: list[Example], shipped: float | None) -> None:
    planted = np.asarray([row.label != BENIGN for row in rows])
    benign_scores = scores[~planted]
    points = [
        (f"{share * 100:g} % of benign", float(np.quantile(benign_scores, 1 - share)))
        for share in FALSE_POSITIVE_SHARES
    ]
    if shipped is not None:
        points.insert(0, ("shipped point", shipped))
    categories = Counter(row.category for row in rows if row.label == BENIGN)
    print(f"\n{name}")
    for label, point in points:
        flagged = scores >= point
        per_category = "  ".join(
            f"{category} {flagged[[i for i, row in enumerate(rows) if row.label == BENIGN and row.category == category]].mean() * 100:.1f}%"
            for category in sorted(categories)
        )
        print(
            f"  {label:>18} (log-odds {point:5.2f}): planted tasks caught {flagged[planted].sum()}/{planted.sum()}"
            f" ({flagged[planted].mean() * 100:.1f} %), benign flagged {flagged[~planted].sum()}/{(~planted).sum()}"
            f" ({flagged[~planted].mean() * 100:.2f} %)\n      {per_category}"
        )


def measure(folds: int, jobs: int) -> list[Target]:
    rows = training_rows(load_examples())
    readings = held_out_readings(rows, folds, jobs)
    print(f"{len(rows)} prompts of {len({row.source for row in rows})} source families, {folds} folds by family")
    combined = readings.mean(axis=1)
    report("planted-task model (mean of both readings)", combined, rows, BLOCK_LOG_ODDS)
    report("whole-prompt reading alone", readings[:, 0], rows, None)
    report("strongest-sentence reading alone", readings[:, 1], rows, None)
    planted = np.asarray([row.label != BENIGN for row in rows])
    flagged = combined >= BLOCK_LOG_ODDS
    return [
        at_least("held-out planted tasks caught", flagged[planted].mean() * 100, MIN_CAUGHT_PERCENT, unit="%"),
        at_most("held-out benign flagged", flagged[~planted].mean() * 100, MAX_BENIGN_FLAGGED_PERCENT, unit="%"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    return run_bench("planted_eval", lambda: measure(args.folds, args.jobs))


if __name__ == "__main__":
    raise SystemExit(main())
