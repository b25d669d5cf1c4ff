"""Time that a test moves by hand: a clock that reads what the test set, and a stand-in for
``asyncio.sleep`` that only remembers what it was asked to wait."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FakeClock:
    """Reads ``now`` until the test moves it; leases, refills and cooldowns pass without sleeping."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class SleepRecorder:
    """Stands in for asyncio.sleep: remembers each requested wait and returns at once."""

    waits: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
