"""The one last line every bench ends with, and its exit status.

A bench measures, then hands its figures to :func:`verdict` as targets::

    from bench.verdict import at_least, at_most, could_not_run, verdict

    return verdict("rls_overhead", [at_most("worst query ratio", 1.04, 1.10)])

which prints ``rls_overhead: worst query ratio 1.04 (<= 1.10) met`` and returns 0, or 1 when any
target is missed. A bench that cannot measure (a service missing, set-up failed) returns
``could_not_run(name, reason)``: it prints ``<name>: could not run: <reason>`` and returns 2.
:func:`run_bench` wraps a whole measurement so that an exception is that third outcome too.

A figure that is not a number (NaN: nothing was measured) is never taken for a met target, and a
verdict with no targets at all is not a verdict: both count as missed / could not run.
"""

from __future__ import annotations

import math
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass

EXIT_MET, EXIT_MISSED, EXIT_COULD_NOT_RUN = 0, 1, 2


@dataclass(frozen=True)
class Target:
    """One figure against its limit: ``figure <= limit`` (``at_most``) or ``figure >= limit``."""

    name: str
    figure: float
    limit: float
    at_most: bool
    unit: str = ""

    @property
    def met(self) -> bool:
        if math.isnan(self.figure):
            return False
        return self.figure <= self.limit if self.at_most else self.figure >= self.limit

    def describe(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        figure = "no figure" if math.isnan(self.figure) else f"{_number(self.figure)}{unit}"
        sign = "<=" if self.at_most else ">="
        return f"{self.name} {figure} ({sign} {_number(self.limit)}{unit}) {'met' if self.met else 'MISSED'}"


def at_most(name: str, figure: float, limit: float, unit: str = "") -> Target:
    return Target(name, float(figure), float(limit), at_most=True, unit=unit)


def at_least(name: str, figure: float, limit: float, unit: str = "") -> Target:
    return Target(name, float(figure), float(limit), at_most=False, unit=unit)


def _number(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}"
    if abs(value) < 1:
        return f"{value:.3g}"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:,.1f}"


def verdict_line(bench: str, targets: Sequence[Target]) -> str:
    return f"{bench}: " + "; ".join(target.describe() for target in targets)


def verdict(bench: str, targets: Sequence[Target]) -> int:
    """Print the bench's last line and return its exit status: 0 all met, 1 any missed."""
    if not targets:
        return could_not_run(bench, "no figure was measured")
    print(verdict_line(bench, targets), flush=True)
    return EXIT_MET if all(target.met for target in targets) else EXIT_MISSED


def could_not_run(bench: str, reason: str) -> int:
    print(f"{bench}: could not run: {reason}", flush=True)
    return EXIT_COULD_NOT_RUN


def run_bench(bench: str, measure: Callable[[], Sequence[Target]]) -> int:
    """Run ``measure`` and give the verdict on what it returns; an exception means the bench could
    not run (its traceback goes to stderr, the verdict line stays last on stdout)."""
    try:
        targets = measure()
    except KeyboardInterrupt:
        return could_not_run(bench, "interrupted")
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        return could_not_run(bench, f"{type(error).__name__}: {error}")
    return verdict(bench, targets)
