"""A long-lived process settles its start-up heap: out of the collector's sight, and the freed part
handed back to the system (the injection model's JSON parse leaves tens of megabytes of it)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.process.heap import settle_heap


def resident_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


@pytest.fixture
def unfrozen_afterwards() -> Iterator[None]:
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("unfrozen_afterwards")
def test_what_is_alive_is_set_aside_from_the_collector() -> None:
    before = gc.get_freeze_count()

    settle_heap()

    assert gc.get_freeze_count() > before


@pytest.mark.usefixtures("unfrozen_afterwards")
def test_a_heap_freed_in_pieces_is_handed_back() -> None:
    # Blocks of 1 KiB come from malloc's heap, not Python's small-object arenas; keeping one in
    # sixteen alive leaves the freed pages between them, which glibc keeps unless trimmed.
    blocks = [bytes(1024) for _ in range(80_000)]
    survivors = blocks[::16]
    del blocks
    before = resident_mb()

    settle_heap()

    assert before - resident_mb() > 25, "the freed pages stayed resident"
    assert len(survivors) == 5_000
