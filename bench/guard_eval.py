"""Measure the prompt guard on prompts it was not trained on: detection, false positives, speed.

    .venv/bin/python bench/guard_eval.py [--data DIR] [--sources a,b] [--jobs N] [--skip-speed] [--show-misses]

Headline: leave-one-source-out (LOSO). The learned detector (n-gram and evidence models) is
retrained once per source family in ``data/guard/`` with every row of that family left out
(attacks and benign alike), and the family's rows are then read by the layered verdict (rules
plus that detector). Every row is scored exactly once, by models that never saw its source, so
the figures predict phrasing the models were not tuned on. Reported: detection pooled over all
attacks (the overall figure, and the same over third-party sources only, whose rows do not change
when project-authored data is added), the mean over sources and the worst source; detection per
category and per language group; false positives per benign category and per language group.
Random-row splits are not reported.

Beside the headline: the shipped guard on ``bench/data/guard-unseen/`` (``--unseen``), a set written
after the shipped model was trained, apart from every training set, and never trained on or used
to write a rule. LOSO folds are scored by models that never saw the fold but were designed with
all the data in view; this set was not in view at all.

The operating point (where the learned layer blocks, and the gate from which the evidence model
may lift a prompt; see bot/guard/learned/operating_point.py) is chosen for each held-out source
from the other sources' held-out readings only: no row of a source informs the threshold it is
judged by. Printed beside it: the point chosen from every source's readings, and the held-out
detection and false positives at the point training.py ships (which was not chosen in-fold, so
those figures are not the headline). The evidence model's regularization is fixed in its
module, not chosen on these figures.

Caveats printed with the figures: the rule table was written against the ``curated`` sources,
so for those the rule layer is not held out; the concept lexicon's spellings were written for the
project's own languages alongside the project-authored data (from how these requests are said
in each language, never from rows a held-out run missed), so for that source the lexicon is not
held out. The trained weights always are.

Speed: the whole shipped guard (credentials, injection layers, PII masking) on 300- and
2,000-character windows of the data, wall and CPU time, each window timed once and none sharing a
line with another (the guard remembers what it worked out about a stretch of text, so a repeated
prompt would read faster than a new one), and the same guard without the name model on other
windows (the 10 ms target was set before names were masked by default); memory: the resident set of a fresh
process that imports the web server and builds the guard.

Last line: the figures and met/MISSED per target. Exit 0 when every target is met, 1 when one
is missed (an empty cell is "no data", never met), 2 when the bench could not run.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from threadpoolctl import threadpool_limits

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench.latency import latency_ms, median_and_p99, text_windows  # noqa: E402
from bot.errors import PromptBlocked  # noqa: E402
from bot.guard import Guard, scan_injection  # noqa: E402
from bot.guard.injection import reading_views, rule_score  # noqa: E402
from bot.guard.learned.dataset import (  # noqa: E402
    BENIGN,
    DATA_DIR,
    PROJECT_SOURCES,
    Example,
    load_examples,
    read_folder,
)
from bot.guard.learned.detector import LearnedDetector  # noqa: E402
from bot.guard.learned.features import ngrams  # noqa: E402
from bot.guard.learned.operating_point import HARD_NEGATIVE, HeldOutRow, choose_operating_point  # noqa: E402
from bot.guard.learned.training import BLOCK_PROBABILITY, FLOOR_PROBABILITY, GATE_PROBABILITY, fit  # noqa: E402
from bot.guard.normalize import normalize  # noqa: E402
from bot.guard.pii import NO_NER  # noqa: E402

MIN_DETECTION_OVERALL = 0.95
MIN_DETECTION_PER_GROUP = 0.90
MAX_FALSE_POSITIVES = {"everyday_task": 0.01, "chat_prompt": 0.01, "hard_negative": 0.03}
MAX_P99_MS_2000 = 10.0
MAX_RSS_MB = 450.0
LATENCY_SIZES = (300, 2000)
LATENCY_PROMPTS = 400
LAYER_PROMPTS = 150
WARM_UP_PROMPTS = 20
SAMPLE_PII = " Contact jane.doe@example.com or +1 415 555 0132. "
RULES_WRITTEN_AGAINST = "curated"
LEXICON_WRITTEN_FROM = "project-authored"
UNSEEN_DIR = REPO_ROOT / "bench" / "data" / "guard-unseen"

_LANGUAGE_GROUPS = {
    "en": "english",
    **dict.fromkeys(("es", "fr", "de", "it", "pt", "nl", "pl", "tr"), "latin-non-english"),
    **dict.fromkeys(("ru", "uk"), "cyrillic"),
    "ar": "arabic",
    "hi": "indic",
    **dict.fromkeys(("ja", "ko", "zh"), "cjk"),
}
_SCRIPT_GROUPS = (
    ("CYRILLIC", "cyrillic"),
    ("ARABIC", "arabic"),
    ("DEVANAGARI", "indic"),
    ("BENGALI", "indic"),
    ("GUJARATI", "indic"),
    ("GURMUKHI", "indic"),
    ("TAMIL", "indic"),
    ("TELUGU", "indic"),
    ("CJK", "cjk"),
    ("HIRAGANA", "cjk"),
    ("KATAKANA", "cjk"),
    ("HANGUL", "cjk"),
)


def language_group(example: Example) -> str:
    """The project-authored row's language, else the script most of its letters are in."""
    if example.lang:
        return _LANGUAGE_GROUPS.get(example.lang, "other")
    counts: dict[str, int] = defaultdict(int)
    for char in example.text:
        if char.isalpha():
            name = unicodedata.name(char, "")
            group = next((g for prefix, g in _SCRIPT_GROUPS if name.startswith(prefix)), "latin")
            counts[group] += 1
    script = max(counts, key=counts.__getitem__) if counts else "latin"
    if script == "latin":
        return "latin-non-english" if example.category == "multilingual" else "english"
    return script


@dataclass
class Tally:
    blocked: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.blocked) + len(self.passed)

    @property
    def rate(self) -> float | None:
        return len(self.blocked) / self.total if self.total else None

    def add(self, example_id: str, blocked: bool) -> None:
        (self.blocked if blocked else self.passed).append(example_id)


@dataclass
class Target:
    name: str
    figure: float | None  # None: no data
    limit: float
    at_least: bool  # True: figure >= limit; False: figure <= limit
    unit: str = "%"

    @property
    def met(self) -> bool:
        if self.figure is None:
            return False
        return self.figure >= self.limit if self.at_least else self.figure <= self.limit

    def shown(self) -> str:
        scale = 100 if self.unit == "%" else 1
        if self.figure is None:
            return f"{self.name} no data MISSED"
        value = f"{self.figure * scale:.1f}{self.unit}"
        sign = ">=" if self.at_least else "<="
        verdict = "met" if self.met else f"MISSED by {abs(self.figure - self.limit) * scale:.1f}{self.unit}"
        return f"{self.name} {value} ({sign}{self.limit * scale:g}{self.unit}) {verdict}"


def _memoized_ngrams(examples: Iterable[Example]) -> dict[str, list[str]]:
    return {example.text: ngrams(example.text) for example in examples}


def _memoized_normalize(examples: Iterable[Example]) -> dict[str, str]:
    return {example.text: normalize(example.text) for example in examples}


# What each fold reads, set before the pool forks so its processes share it instead of pickling it.
_FOLD_INPUTS: tuple[list[Example], dict[str, list[str]], dict[str, str]] | None = None


def _read_fold(source: str) -> tuple[str, dict[str, HeldOutRow], int, float]:
    """(source, row id -> reading, rows held out, seconds) for one fold: a detector trained
    without ``source`` reads every row of it."""
    assert _FOLD_INPUTS is not None
    examples, grams, normalized = _FOLD_INPUTS
    held_out = [e for e in examples if e.source == source]
    training = [e for e in examples if e.source != source]
    started = time.perf_counter()
    # One BLAS thread a fold, whatever ``jobs`` is: side by side, a second thread only spins (a whole
    # training took the same 2 min 56 s on one thread as on two, with 1 min 50 s less CPU), and a
    # fixed count keeps the sums, so the readings, the same for every ``jobs``.
    with threadpool_limits(limits=1, user_api="blas"):
        detector = LearnedDetector(fit(training, analyzer=grams.__getitem__, normalized=normalized.__getitem__))
    readings: dict[str, HeldOutRow] = {}
    for example in held_out:
        views = reading_views(example.text)
        readings[example.id] = HeldOutRow(
            attack=example.label != BENIGN,
            hard_negative=example.category == HARD_NEGATIVE,
            rule_score=rule_score(views.rules),
            views=tuple(
                (detector.ngram_reading(text)[0], detector.evidence.probability(text)) for _, text in views.learned
            ),
        )
    return source, readings, len(held_out), time.perf_counter() - started


def leave_one_source_out(examples: list[Example], sources: list[str], *, jobs: int = 1) -> dict[str, HeldOutRow]:
    """Row id -> how the guard read it, each row scored by models trained without its source family.

    Folds are independent (each trains from the same seed on its own rows), so ``jobs`` processes
    read them side by side and the readings are the same whatever ``jobs`` is.
    """
    global _FOLD_INPUTS
    _FOLD_INPUTS = (examples, _memoized_ngrams(examples), _memoized_normalize(examples))
    by_source: dict[str, dict[str, HeldOutRow]] = {}

    def record(folds: Iterable[tuple[str, dict[str, HeldOutRow], int, float]]) -> None:
        # Each fold is printed as it lands: a run of an hour that is stopped still shows how far it got.
        for source, fold, rows, seconds in folds:
            by_source[source] = fold
            print(f"  held out {source:<26} {rows:>5} rows  ({seconds:.0f} s)", flush=True)

    try:
        if jobs > 1:
            with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
                record(future.result() for future in as_completed([pool.submit(_read_fold, s) for s in sources]))
        else:
            record(_read_fold(source) for source in sources)
    finally:
        _FOLD_INPUTS = None
    # In the sources' order, whatever order the folds landed in, so every later sum is the same.
    return {row_id: row for source in sources for row_id, row in by_source[source].items()}


def verdicts_at_chosen_points(
    examples: list[Example], readings: dict[str, HeldOutRow]
) -> tuple[dict[str, bool], tuple[float, float]]:
    """Row id -> blocked, at the operating point chosen for its source from the other sources'
    readings alone; and the point chosen from every source's readings (the one to ship)."""
    by_source: dict[str, list[str]] = defaultdict(list)
    for example in examples:
        if example.id in readings:
            by_source[example.source].append(example.id)
    verdicts: dict[str, bool] = {}
    print("\nOperating point for each held-out source, chosen on the other sources' readings")
    for source, ids in sorted(by_source.items()):
        others = (row for row_id, row in readings.items() if row_id not in set(ids))
        block, gate = choose_operating_point(others, floor=FLOOR_PROBABILITY)
        for row_id in ids:
            verdicts[row_id] = readings[row_id].blocked(block, gate, FLOOR_PROBABILITY)
        print(f"  {source:<28} block p {block:.2f}  gate {gate:.1f}")
    shipped = choose_operating_point(readings.values(), floor=FLOOR_PROBABILITY)
    print(
        f"  over every source (what training ships): block p {shipped[0]:.2f} gate {shipped[1]:.1f};"
        f" training.py holds block p {BLOCK_PROBABILITY:.2f} gate {GATE_PROBABILITY:.1f}"
    )
    return verdicts, shipped


def print_shipped_point(examples: list[Example], readings: dict[str, HeldOutRow]) -> None:
    """The same held-out readings at the operating point training.py ships: what the shipped
    guard would do on sources it never saw. Not the headline: that point was not chosen in-fold."""
    at = {
        row_id: row.blocked(BLOCK_PROBABILITY, GATE_PROBABILITY, FLOOR_PROBABILITY) for row_id, row in readings.items()
    }
    attacks = [e for e in examples if e.label != BENIGN and e.id in at]
    third_party = [e for e in attacks if e.source not in PROJECT_SOURCES]
    benign = _group((e for e in examples if e.label == BENIGN and e.id in at), at, "category")
    false_positives = ", ".join(
        f"{name} {_cell(len(t.blocked), t.total).strip()}" for name, t in sorted(benign.items())
    )
    print(
        f"\nAt the shipped point (block p {BLOCK_PROBABILITY:.2f}, gate {GATE_PROBABILITY:.1f}):"
        f" attacks {_cell(sum(at[e.id] for e in attacks), len(attacks))},"
        f" third-party {_cell(sum(at[e.id] for e in third_party), len(third_party))}"
        f"\n  false positives: {false_positives}"
    )


def _cell(part: int, whole: int) -> str:
    rate = f"{100 * part / whole:5.1f}%" if whole else " no data"
    return f"{part:>4}/{whole:<4} {rate}"


def _table(title: str, tallies: dict[str, Tally], show: bool, *, attacks: bool) -> None:
    print(f"\n{title}")
    for name in sorted(tallies):
        tally = tallies[name]
        print(f"  {name:<28}{_cell(len(tally.blocked), tally.total)}")
        misses = tally.passed if attacks else tally.blocked
        if show and misses:
            print(f"      {'missed' if attacks else 'blocked'}: {', '.join(misses[:40])}")


def _group(examples: Iterable[Example], verdicts: dict[str, bool], key: str) -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for example in examples:
        name = language_group(example) if key == "language" else getattr(example, key)
        tallies[name].add(example.id, verdicts[example.id])
    return tallies


def detection_targets(examples: list[Example], verdicts: dict[str, bool], show: bool) -> list[Target]:
    attacks = [e for e in examples if e.label != BENIGN and e.id in verdicts]
    benign = [e for e in examples if e.label == BENIGN and e.id in verdicts]
    by_source = _group(attacks, verdicts, "source")
    by_category = _group(attacks, verdicts, "label")
    by_language = _group(attacks, verdicts, "language")
    _table("Detection per held-out source (attacks blocked)", by_source, show, attacks=True)
    _table("Detection per category (pooled over held-out sources)", by_category, show, attacks=True)
    _table("Detection per language group", by_language, show, attacks=True)
    fp_by_category = _group(benign, verdicts, "category")
    _table("False positives per benign category (benign blocked)", fp_by_category, show, attacks=False)
    _table("False positives per held-out source", _group(benign, verdicts, "source"), show, attacks=False)
    _table("False positives per language group", _group(benign, verdicts, "language"), show, attacks=False)

    overall = Tally()
    for example in attacks:
        overall.add(example.id, verdicts[example.id])
    source_rates = {name: tally.rate for name, tally in by_source.items() if tally.rate is not None}
    worst = min(source_rates, key=source_rates.__getitem__) if source_rates else None
    mean = statistics.fmean(source_rates.values()) if source_rates else None
    print(
        f"\nLOSO headline: overall {_cell(len(overall.blocked), overall.total)};"
        f" mean over {len(source_rates)} sources {100 * mean if mean is not None else float('nan'):.1f}%;"
        f" worst source {worst} {100 * source_rates[worst] if worst else float('nan'):.1f}%"
    )
    third_party = [e for e in attacks if e.source not in PROJECT_SOURCES]
    print(
        "  over third-party sources only (project-authored rows left out of the pool):"
        f" {_cell(sum(verdicts[e.id] for e in third_party), len(third_party))}"
    )
    print(
        f"  caveat: the rule table was written against the '{RULES_WRITTEN_AGAINST}' sources, so for them"
        " only the learned layer is held out."
    )
    print(
        f"  caveat: the concept lexicon's spellings were written with the '{LEXICON_WRITTEN_FROM}' data, so for"
        " that source the trained weights are held out but the lexicon is not."
    )
    targets = [Target("LOSO overall", overall.rate, MIN_DETECTION_OVERALL, True)]
    if worst is not None:
        targets.append(Target(f"worst source ({worst})", source_rates[worst], MIN_DETECTION_PER_GROUP, True))
    targets.append(_worst_target("category", by_category))
    targets.append(_worst_target("language group", by_language))
    for category, limit in MAX_FALSE_POSITIVES.items():
        targets.append(Target(f"FP {category}", fp_by_category.get(category, Tally()).rate, limit, False))
    return targets


def _worst_target(kind: str, tallies: dict[str, Tally]) -> Target:
    rates = {name: tally.rate for name, tally in tallies.items() if tally.rate is not None}
    if not rates:
        return Target(f"worst {kind}", None, MIN_DETECTION_PER_GROUP, True)
    worst = min(rates, key=rates.__getitem__)
    return Target(f"worst {kind} ({worst})", rates[worst], MIN_DETECTION_PER_GROUP, True)


def is_blocked(guard: Guard, text: str) -> bool:
    try:
        guard.check_prompt(text)
    except PromptBlocked:
        return True
    return False


def latency_prompts(texts: list[str], size: int, count: int) -> list[str]:
    """Windows of real prompts, cut to ``size`` characters, no two sharing a line; a third carry an
    email and a phone."""
    rng = random.Random(size)
    prompts = text_windows(texts, size, count, seed=size)
    for index in range(0, count, 3):
        at = rng.randrange(0, size - len(SAMPLE_PII))
        prompts[index] = (prompts[index][:at] + SAMPLE_PII + prompts[index][at:])[:size]
    return prompts


def speed_targets(guard: Guard, texts: list[str]) -> list[Target]:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"\nWhole-guard latency ({LATENCY_PROMPTS} prompts, each timed once; then each layer alone on"
        f" {LAYER_PROMPTS} others; the packaged NER model)"
    )
    print(f"  machine: {os.cpu_count()} CPUs, load average {load} (wall time includes waiting for a CPU)")
    # The 10 ms target was set before names were masked by default; this shows what the name
    # model adds (its own budget is pii_eval.py's).
    without_names = Guard(spacy_model=NO_NER)
    for text in latency_prompts(texts, 300, WARM_UP_PROMPTS):
        is_blocked(without_names, text)
    targets = []
    for size in LATENCY_SIZES:
        prompts = latency_prompts(texts, size, WARM_UP_PROMPTS + LATENCY_PROMPTS + 3 * LAYER_PROMPTS)
        warm_up, timed = prompts[:WARM_UP_PROMPTS], prompts[WARM_UP_PROMPTS:]
        for text in warm_up:
            is_blocked(guard, text)
        (wall_p50, wall_p99), (cpu_p50, cpu_p99) = whole_guard_latency(guard, timed[:LATENCY_PROMPTS])
        print(
            f"  {size:>5} chars: wall p50 {wall_p50:6.2f} ms  p99 {wall_p99:6.2f} ms"
            f"   |  CPU p50 {cpu_p50:6.2f} ms  p99 {cpu_p99:6.2f} ms"
        )
        layers = layer_cpu_p99(guard, timed[LATENCY_PROMPTS : LATENCY_PROMPTS + 2 * LAYER_PROMPTS])
        print("    " + "  ".join(f"{name} CPU p99 {p99:5.2f} ms" for name, p99 in layers.items()))
        (_, plain_p99), (_, plain_cpu_p99) = whole_guard_latency(
            without_names, timed[LATENCY_PROMPTS + 2 * LAYER_PROMPTS :]
        )
        print(
            f"    the same guard without the name model (PII_SPACY_MODEL={NO_NER}), on"
            f" {LAYER_PROMPTS} other windows: wall p99 {plain_p99:6.2f} ms, CPU p99 {plain_cpu_p99:6.2f} ms"
        )
        if size == 2000:
            targets.append(Target("p99@2000", wall_p99, MAX_P99_MS_2000, False, unit=" ms"))
    return targets


def whole_guard_latency(guard: Guard, prompts: list[str]) -> tuple[tuple[float, float], tuple[float, float]]:
    """((wall p50, p99), (CPU p50, p99)) in ms of the whole guard, each prompt checked once."""
    wall, cpu = [], []
    for text in prompts:
        wall_start, cpu_start = time.perf_counter(), time.thread_time()
        is_blocked(guard, text)
        cpu.append((time.thread_time() - cpu_start) * 1000)
        wall.append((time.perf_counter() - wall_start) * 1000)
    return median_and_p99(wall), median_and_p99(cpu)


def layer_cpu_p99(guard: Guard, prompts: list[str]) -> dict[str, float]:
    """CPU p99 of each layer alone, each on its own share of ``prompts``: where the whole guard's
    time goes."""
    layers = {
        "injection (rules + learned)": lambda text: scan_injection(text, detector=guard.detector),
        "credentials + PII": guard.analyze,
    }
    share = len(prompts) // len(layers)
    figures = {}
    for index, (name, layer) in enumerate(layers.items()):
        own = prompts[index * share : (index + 1) * share]
        figures[name] = median_and_p99(latency_ms(layer, own, 1, clock=time.thread_time))[1]
    return figures


# As `content-factory serve` starts: torch kept out (thinc would import it for nothing, 150 MB in a
# venv with the image extra), then the web process's imports.
_RSS_PROBE = """
from bot.process.torch_free import keep_torch_out
keep_torch_out(None)
import bot.slack.server
from bot.guard import Guard
from bot.process.heap import settle_heap
Guard()
settle_heap()
with open("/proc/self/status") as status:
    print(next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")))
"""


def memory_target() -> Target:
    """Resident memory of a fresh process importing the web server and building the guard with the
    default model, once it has settled its heap as ``serve`` does after warming up."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    probe = subprocess.run(
        [sys.executable, "-c", _RSS_PROBE], capture_output=True, text=True, env=env, cwd=REPO_ROOT, check=False
    )
    if probe.returncode != 0:
        print(f"\nRSS probe failed: {probe.stderr.strip()[-400:]}")
        return Target("RSS", None, MAX_RSS_MB, False, unit=" MB")
    rss_mb = int(probe.stdout.split()[-1]) / 1024
    print(f"\nResident memory, web process with the guard loaded: {rss_mb:.0f} MB")
    return Target("RSS", rss_mb, MAX_RSS_MB, False, unit=" MB")


def unseen_check(guard: Guard, folder: Path, show: bool) -> None:
    """The shipped guard, as ``serve`` builds it, on a set written after its model was trained and
    never trained on (bench/data/guard-unseen/README.md): the figure nearest to what a new user's
    phrasing meets. Printed beside the targets, not one of them: the set is one source."""
    try:
        examples = read_folder(folder)
    except (OSError, KeyError, ValueError) as error:
        print(f"\nUnseen set: cannot read {folder}: {error}")
        return
    verdicts = {example.id: is_blocked(guard, example.text) for example in examples}
    attacks = [e for e in examples if e.label != BENIGN]
    benign = [e for e in examples if e.label == BENIGN]
    print(f"\nUnseen set ({folder.name}): the shipped guard, never trained on these rows")
    print(f"  attacks blocked {_cell(sum(verdicts[e.id] for e in attacks), len(attacks))}")
    print(f"  benign blocked  {_cell(sum(verdicts[e.id] for e in benign), len(benign))}")
    _table("  unseen: detection per category", _group(attacks, verdicts, "label"), show, attacks=True)
    _table("  unseen: detection per language group", _group(attacks, verdicts, "language"), show, attacks=True)
    _table("  unseen: benign blocked per category", _group(benign, verdicts, "category"), show, attacks=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--data", type=Path, default=DATA_DIR, help="folder holding curated/, public/ and the project sets"
    )
    parser.add_argument(
        "--sources",
        help="comma-separated source families to hold out (default: all); operating points are then chosen among them",
    )
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="folds trained side by side (default: the CPU count)"
    )
    parser.add_argument(
        "--unseen", type=Path, default=UNSEEN_DIR, help="a set never trained on, read by the shipped guard"
    )
    parser.add_argument("--skip-speed", action="store_true", help="leave out latency and memory")
    parser.add_argument("--show-misses", action="store_true", help="list ids of missed attacks and blocked benign")
    args = parser.parse_args(argv)
    try:
        examples = load_examples(args.data)
    except (OSError, KeyError, ValueError) as error:
        print(f"guard_eval: cannot read the data in {args.data}: {error}")
        return 2
    sources = sorted({e.source for e in examples})
    if args.sources:
        sources = [s for s in args.sources.split(",") if s in sources]
    attacks = sum(e.label != BENIGN for e in examples)
    print(f"data: {args.data} ({attacks} attacks, {len(examples) - attacks} benign, {len(sources)} source families)")
    print("\nLeave-one-source-out: a detector trained without each source scores that source")
    readings = leave_one_source_out(examples, sources, jobs=max(1, args.jobs))
    verdicts, _ = verdicts_at_chosen_points(examples, readings)
    targets = detection_targets(examples, verdicts, args.show_misses)
    print_shipped_point(examples, readings)
    # The shipped guard, built once: it loads the NER and injection models.
    guard = Guard()
    if not args.skip_speed:
        targets.extend(speed_targets(guard, [e.text for e in examples]))
        targets.append(memory_target())
    unseen_check(guard, args.unseen, args.show_misses)
    print("\n" + "; ".join(target.shown() for target in targets))
    return 0 if all(target.met for target in targets) else 1


if __name__ == "__main__":
    raise SystemExit(main())
