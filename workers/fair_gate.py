"""Which of the jobs a worker process holds may start now: a cap on jobs in flight, fair across
organizations, interactive work first.

The broker hands a process many messages at once (its window, see ``workers.loop``); each waits
here before its job is claimed. A free slot goes to the best priority that has a waiting job, and
within it to the organizations in turn (round-robin), skipping an organization that already holds
its share. The share is the capacity less a little headroom, so one organization alone still fills
nearly every slot, and a second organization's first job finds a slot free instead of waiting a
whole model latency for one.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter, OrderedDict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.jobs.queueing import PRIORITY_INTERACTIVE  # lower is served first, as in the broker


class HandedBack(Exception):
    """The process is shutting down: the job was not started and goes back to the broker."""


def org_share(capacity: int) -> int:
    """Slots one organization may hold: all but an eighth (at least one) kept for the others."""
    if capacity <= 1:
        return capacity
    return capacity - max(1, capacity // 8)


class FairGate:
    """Lives on the process's event loop; not thread-safe (the loop serializes it)."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.share = org_share(capacity)
        self.peak = 0  # most jobs in flight at once, for benchmarks and logs
        self._in_flight: Counter[uuid.UUID] = Counter()
        self._total = 0
        # priority -> organizations in order of arrival -> their waiting jobs, oldest first
        self._waiting: dict[int, OrderedDict[uuid.UUID, deque[asyncio.Future[None]]]] = {}
        # When each organization last got a slot: the next slot goes to whoever waited longest since.
        self._served_at: dict[uuid.UUID, int] = {}
        self._serial = 0
        self._closed = False

    @property
    def in_flight(self) -> int:
        return self._total

    @property
    def waiting(self) -> int:
        return sum(len(jobs) for orgs in self._waiting.values() for jobs in orgs.values())

    @asynccontextmanager
    async def slot(self, org_id: uuid.UUID, priority: int = PRIORITY_INTERACTIVE) -> AsyncIterator[None]:
        """Hold one slot for ``org_id`` while the block runs; raise HandedBack once closed."""
        await self._acquire(org_id, priority)
        try:
            yield
        finally:
            self._give_back(org_id)

    def close(self) -> None:
        """Start no more jobs: every waiting one is handed back."""
        self._closed = True
        for orgs in self._waiting.values():
            for jobs in orgs.values():
                for waiter in jobs:
                    if not waiter.done():
                        waiter.set_exception(HandedBack())
        self._waiting.clear()

    async def _acquire(self, org_id: uuid.UUID, priority: int) -> None:
        if self._closed:
            raise HandedBack()
        if not self.waiting and self._admissible(org_id):
            self._take(org_id)
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(priority, OrderedDict()).setdefault(org_id, deque()).append(waiter)
        self._dispatch()
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                # Granted and cancelled in the same breath: give the slot back.
                self._give_back(org_id)
            else:
                self._forget(priority, org_id, waiter)
            raise

    def _admissible(self, org_id: uuid.UUID) -> bool:
        return self._total < self.capacity and self._in_flight[org_id] < self.share

    def _take(self, org_id: uuid.UUID) -> None:
        self._in_flight[org_id] += 1
        self._total += 1
        self.peak = max(self.peak, self._total)
        self._serial += 1
        self._served_at[org_id] = self._serial

    def _give_back(self, org_id: uuid.UUID) -> None:
        self._in_flight[org_id] -= 1
        if self._in_flight[org_id] <= 0:
            del self._in_flight[org_id]
            if not any(org_id in orgs for orgs in self._waiting.values()):
                self._served_at.pop(org_id, None)  # an idle organization starts afresh
        self._total -= 1
        self._dispatch()

    def _dispatch(self) -> None:
        while self._total < self.capacity:
            granted = self._grant_next()
            if not granted:
                return

    def _grant_next(self) -> bool:
        for priority in sorted(self._waiting):
            orgs = self._waiting[priority]
            eligible = [org_id for org_id in orgs if self._in_flight[org_id] < self.share]
            if not eligible:
                continue
            # Round-robin: the organization served longest ago (or never) goes first; ties by arrival.
            org_id = min(eligible, key=lambda org: self._served_at.get(org, 0))
            jobs = orgs[org_id]
            waiter = jobs.popleft()
            if not jobs:
                del orgs[org_id]
            if not orgs:
                del self._waiting[priority]
            self._take(org_id)
            waiter.set_result(None)
            return True
        return False

    def _forget(self, priority: int, org_id: uuid.UUID, waiter: asyncio.Future[None]) -> None:
        orgs = self._waiting.get(priority)
        jobs = orgs.get(org_id) if orgs else None
        if jobs is None or orgs is None:
            return
        if waiter in jobs:
            jobs.remove(waiter)
        if not jobs:
            del orgs[org_id]
        if not orgs:
            del self._waiting[priority]
