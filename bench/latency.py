"""Per-call latency of a check over a set of prompts, as the guard benches report it."""

from __future__ import annotations

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
