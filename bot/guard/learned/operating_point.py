"""Choose where the learned layer blocks, from prompts scored by models that never saw them.

Two numbers: the block probability (where the learned layer alone reaches the block threshold)
and the gate (the n-gram probability from which the evidence model may lift a prompt, see
``detector.LearnedDetector.score_normalized``). The point chosen blocks the most held-out
attacks while held-out benign prompts stay within ``MAX_FALSE_POSITIVES``, under the full
layered verdict (rule weights plus the learned share), so it is chosen for what the guard does.

bench/guard_eval.py chooses a point for each held-out source from the other sources' readings
alone (its headline), and prints the choice over every source beside the point training.py ships.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.guard.learned.detector import learned_weight
from bot.guard.rules import DEFAULT_THRESHOLD

# From 0.50: with benign prompts and attacks weighed alike in training (training.class_weights),
# the points within the false-positive budgets lie near 0.75, below the old grid's 0.80.
BLOCK_PROBABILITIES = tuple(round(0.50 + step / 100, 2) for step in range(50))
GATE_PROBABILITIES = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
HARD_NEGATIVE = "hard_negative"
# Held-out benign prompts a point may block: under the service's targets (1 % of everyday and chat
# requests, 3 % of hard negatives), with room for a source that reads worse than the others.
MAX_FALSE_POSITIVES = {HARD_NEGATIVE: 0.025, "other": 0.008}


@dataclass(frozen=True)
class HeldOutRow:
    """One prompt as the guard read it with a model that never saw its source."""

    attack: bool
    hard_negative: bool
    rule_score: float  # the rule layer's score
    views: tuple[tuple[float, float], ...]  # (n-gram, evidence) attack probability of each view

    def blocked(self, block: float, gate: float, floor: float) -> bool:
        """The layered verdict at this operating point, as ``scan_injection`` computes it."""
        best = max((max(ngram, evidence) if ngram >= gate else ngram for ngram, evidence in self.views), default=0.0)
        weight = round(learned_weight(best, floor=floor, block=block), 3)
        return round(self.rule_score + weight, 3) >= DEFAULT_THRESHOLD


def choose_operating_point(rows: Iterable[HeldOutRow], *, floor: float) -> tuple[float, float]:
    """(block probability, gate) blocking the most attacks within the false-positive budgets; ties
    go to the later block, then the higher gate (fewer prompts lifted). With no point within the
    budgets, the strictest."""
    rows = list(rows)
    attacks = [row for row in rows if row.attack]
    hard = [row for row in rows if not row.attack and row.hard_negative]
    other = [row for row in rows if not row.attack and not row.hard_negative]
    best: tuple[int, float, float] | None = None
    for gate in GATE_PROBABILITIES:
        for block in BLOCK_PROBABILITIES:
            if _rate(hard, block, gate, floor) > MAX_FALSE_POSITIVES[HARD_NEGATIVE]:
                continue
            if _rate(other, block, gate, floor) > MAX_FALSE_POSITIVES["other"]:
                continue
            candidate = (sum(row.blocked(block, gate, floor) for row in attacks), block, gate)
            if best is None or candidate > best:
                best = candidate
    return (best[1], best[2]) if best is not None else (BLOCK_PROBABILITIES[-1], GATE_PROBABILITIES[-1])


def _rate(rows: Sequence[HeldOutRow], block: float, gate: float, floor: float) -> float:
    return sum(row.blocked(block, gate, floor) for row in rows) / len(rows) if rows else 0.0
