"""Per-call latency of a check over a set of prompts, as the guard benches report it."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence


def latency_ms(
    call: Callable[[str], object], prompts: Sequence[str], rounds: int, clock: Callable[[], float] = time.perf_counter
) -> list[float]:
    """Milliseconds of ``clock`` each ``call(prompt)`` took, every prompt ``rounds`` times over
    (wall time by default; ``time.thread_time`` for CPU alone)."""
    samples = []
    for _ in range(rounds):
        for text in prompts:
            started = clock()
            call(text)
            samples.append((clock() - started) * 1000)
    return samples


def median_and_p99(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.99 * (len(ordered) - 1))]


def text_windows(texts: Sequence[str], size: int, count: int, *, seed: int) -> list[str]:
    """``count`` windows of ``size`` characters cut from ``texts`` joined, none overlapping another.

    Each window is timed once: the guard remembers what it worked out about a stretch of text
    (digest_cache.py), so a prompt timed again, or one sharing lines with another, costs less
    than a new user's prompt would.
    """
    corpus = "\n\n".join(texts)
    slots = len(corpus) // size
    if slots < count:
        raise ValueError(f"{len(corpus):,} characters hold {slots} windows of {size}, not {count}")
    chosen = random.Random(seed).sample(range(slots), count)
    return [corpus[slot * size : (slot + 1) * size] for slot in chosen]
