"""Measure the prompt guard: detection, false positives and latency.

    .venv/bin/python bench/guard_eval.py [--data DIR] [--spacy-model NAME_OR_PATH] [--show-misses]

Detection rate per attack category and false-positive rate per benign category are printed
for the tuning half and the held-out half of the evaluation data (split by a hash of each
row's id, so the split never changes). Tune rules against the tuning half and read the
held-out half as the estimate for prompts the rules were not written against (which is why
--show-misses lists tuning-half ids only). Latency is the whole guard (credentials, injection
rules, PII masking) on 300- and 2,000-character windows of the data, measured in this process
as wall-clock and CPU time (on a busy machine the two differ by the time spent waiting for a
CPU). The exit status is 0 when every target is met.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bot.errors import PromptBlocked  # noqa: E402
from bot.guard import Guard  # noqa: E402

DATA_CANDIDATES = (
    REPO_ROOT / "shared" / "data" / "guard",
    REPO_ROOT / "data" / "guard",
    REPO_ROOT.parent / "shared" / "data" / "guard",
)
# Targets from the project's guard issue: detection per category, false positives per category.
MIN_DETECTION_OVERALL = 0.95
MIN_DETECTION_PER_CATEGORY = 0.90
MAX_FALSE_POSITIVES = {"everyday_task": 0.01, "hard_negative": 0.01, "xstest_safe": 0.02, "role_prompt": 0.05}
MAX_P99_MS_2000 = 10.0
LATENCY_SIZES = (300, 2000)
LATENCY_PROMPTS = 150
LATENCY_ROUNDS = 3
SAMPLE_PII = " Contact jane.doe@example.com or +1 415 555 0132. "


@dataclass(frozen=True)
class Row:
    id: str
    text: str
    category: str


def split_of(row_id: str) -> str:
    """Deterministic half: the first byte of the id's SHA-256, even or odd."""
    return "tuning" if hashlib.sha256(row_id.encode()).digest()[0] % 2 == 0 else "held-out"


def find_data_dir(explicit: str | None) -> Path:
    candidates = [Path(explicit)] if explicit else []
    if os.environ.get("GUARD_EVAL_DATA"):
        candidates.append(Path(os.environ["GUARD_EVAL_DATA"]))
    candidates.extend(DATA_CANDIDATES)
    for candidate in candidates:
        if (candidate / "attacks.jsonl").exists() and (candidate / "benign.jsonl").exists():
            return candidate
    raise SystemExit("guard evaluation data not found; pass --data DIR (attacks.jsonl, benign.jsonl)")


def load_rows(path: Path) -> list[Row]:
    with path.open(encoding="utf-8") as lines:
        return [Row(d["id"], d["text"], d["category"]) for d in map(json.loads, lines) if d]


def is_blocked(guard: Guard, text: str) -> bool:
    try:
        guard.check_prompt(text)
    except PromptBlocked:
        return True
    return False


@dataclass
class Tally:
    blocked: list[str] = field(default_factory=list)  # row ids
    passed: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.blocked) + len(self.passed)


Table = dict[str, dict[str, Tally]]  # split -> category -> tally
SPLITS = ("tuning", "held-out")


def tally(guard: Guard, rows: Iterable[Row]) -> Table:
    table: Table = {split: defaultdict(Tally) for split in SPLITS}
    for row in rows:
        cell = table[split_of(row.id)][row.category]
        (cell.blocked if is_blocked(guard, row.text) else cell.passed).append(row.id)
    return table


def _cell(part: int, whole: int) -> str:
    rate = f"{100 * part / whole:5.1f}%" if whole else "   n/a"
    return f"{part:>4}/{whole:<4}{rate}"


def _categories(table: Table) -> list[str]:
    return sorted({category for split in table.values() for category in split})


def print_detection(table: Table, show_misses: bool) -> bool:
    ok = True
    print("\nDetection rate (attacks blocked)")
    print(f"  {'category':<22}{'tuning':>20}{'held-out':>20}")
    totals = {split: [0, 0] for split in SPLITS}
    for category in _categories(table):
        cells = []
        for split in SPLITS:
            cell = table[split].get(category, Tally())
            totals[split][0] += len(cell.blocked)
            totals[split][1] += cell.total
            cells.append(_cell(len(cell.blocked), cell.total))
            if split == "held-out" and cell.total and len(cell.blocked) / cell.total < MIN_DETECTION_PER_CATEGORY:
                ok = False
            if show_misses and split == "tuning" and cell.passed:
                print(f"    missed ({split}, {category}): {', '.join(cell.passed)}")
        print(f"  {category:<22}{cells[0]:>20}{cells[1]:>20}")
    overall = [_cell(blocked, total) for blocked, total in totals.values()]
    print(f"  {'overall':<22}{overall[0]:>20}{overall[1]:>20}")
    held_blocked, held_total = totals["held-out"]
    if held_total and held_blocked / held_total < MIN_DETECTION_OVERALL:
        ok = False
    print(
        f"  target: >= {MIN_DETECTION_OVERALL:.0%} overall, >= {MIN_DETECTION_PER_CATEGORY:.0%} per category"
        f" (held-out): {'met' if ok else 'NOT met'}"
    )
    return ok


def print_false_positives(table: Table, show_misses: bool) -> bool:
    ok = True
    print("\nFalse-positive rate (benign prompts blocked)")
    print(f"  {'category':<22}{'tuning':>20}{'held-out':>20}{'target':>10}")
    for category in _categories(table):
        cells = []
        limit = MAX_FALSE_POSITIVES.get(category)
        for split in SPLITS:
            cell = table[split].get(category, Tally())
            cells.append(_cell(len(cell.blocked), cell.total))
            if limit is not None and cell.total and len(cell.blocked) / cell.total > limit:
                ok = False
            if show_misses and split == "tuning" and cell.blocked:
                print(f"    blocked ({split}, {category}): {', '.join(cell.blocked)}")
        target = f"<= {limit:.0%}" if limit is not None else ""
        print(f"  {category:<22}{cells[0]:>20}{cells[1]:>20}{target:>10}")
    print(f"  targets (both halves): {'met' if ok else 'NOT met'}")
    return ok


def latency_prompts(rows: list[Row], size: int, count: int) -> list[str]:
    """Windows of real prompts, cut to ``size`` characters; a third carry an email and a phone."""
    rng = random.Random(size)
    corpus = "\n\n".join(row.text for row in rows)
    prompts = []
    for index in range(count):
        start = rng.randrange(0, len(corpus) - size)
        text = corpus[start : start + size]
        if index % 3 == 0:
            at = rng.randrange(0, size - len(SAMPLE_PII))
            text = (text[:at] + SAMPLE_PII + text[at:])[:size]
        prompts.append(text)
    return prompts


def _percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[int(0.99 * (len(samples) - 1))]


def measure_latency(guard: Guard, prompts: list[str]) -> tuple[tuple[float, float], tuple[float, float]]:
    """(p50, p99) of wall-clock time and of this thread's CPU time, in milliseconds."""
    for text in prompts[:20]:
        is_blocked(guard, text)
    wall, cpu = [], []
    for _ in range(LATENCY_ROUNDS):
        for text in prompts:
            wall_start, cpu_start = time.perf_counter(), time.thread_time()
            is_blocked(guard, text)
            cpu.append((time.thread_time() - cpu_start) * 1000)
            wall.append((time.perf_counter() - wall_start) * 1000)
    return _percentiles(wall), _percentiles(cpu)


def print_latency(guard: Guard, rows: list[Row], label: str) -> bool:
    ok = True
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\nGuard latency, whole check ({label}; {LATENCY_PROMPTS} prompts x {LATENCY_ROUNDS} rounds)")
    print(f"  machine: {os.cpu_count()} CPUs, load average {load} (wall time includes waiting for a CPU)")
    for size in LATENCY_SIZES:
        (wall_p50, wall_p99), (cpu_p50, cpu_p99) = measure_latency(guard, latency_prompts(rows, size, LATENCY_PROMPTS))
        print(
            f"  {size:>5} chars: wall p50 {wall_p50:6.2f} ms  p99 {wall_p99:6.2f} ms"
            f"   |  CPU p50 {cpu_p50:6.2f} ms  p99 {cpu_p99:6.2f} ms"
        )
        if size == 2000 and not guard.names_enabled and wall_p99 >= MAX_P99_MS_2000:
            ok = False
    if not guard.names_enabled:
        print(f"  target: wall p99 < {MAX_P99_MS_2000:.0f} ms at 2,000 characters: {'met' if ok else 'NOT met'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="folder holding attacks.jsonl and benign.jsonl")
    parser.add_argument("--spacy-model", help="also time the guard with this NER model (name or path)")
    parser.add_argument(
        "--show-misses", action="store_true", help="list ids of missed attacks and blocked benign rows (tuning half)"
    )
    args = parser.parse_args(argv)

    data_dir = find_data_dir(args.data)
    attacks = load_rows(data_dir / "attacks.jsonl")
    benign = load_rows(data_dir / "benign.jsonl")
    print(f"data: {data_dir} ({len(attacks)} attacks, {len(benign)} benign)")
    guard = Guard()

    results = [
        print_detection(tally(guard, attacks), args.show_misses),
        print_false_positives(tally(guard, benign), args.show_misses),
        print_latency(guard, benign + attacks, "no NER model"),
    ]
    if args.spacy_model:
        print_latency(Guard(spacy_model=args.spacy_model), benign + attacks, f"NER model {args.spacy_model}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
