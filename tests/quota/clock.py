"""A clock the test moves by hand: leases and refills without sleeping."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FakeClock:
    now: float

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
