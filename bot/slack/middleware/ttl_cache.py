"""A small in-process cache whose entries expire: tenancy and roles are read on every request, and
30 s of staleness across processes is the price of not asking PostgreSQL each time.

Requests that miss the same key together share one load: a process just started (or an entry
just expired) under a burst of commands otherwise sent every one of them to PostgreSQL for the
same tenant and role at once, and its first commands took three to four times as long as later
ones (the slowest acks of a flood)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    def __init__(
        self, ttl_seconds: float, *, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._entries: dict[K, tuple[float, V]] = {}
        self.keeping = True
        # Bumped by every drop: a read that loaded before a drop must not keep what it loaded.
        self._drops = 0
        # The load under way for a key, and the drop count when it started.
        self._loading: dict[K, tuple[asyncio.Future[V | None], int]] = {}

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires <= self._clock():
            self._entries.pop(key, None)
            return None
        return value

    async def read_through(self, key: K, load: Callable[[], Awaitable[V | None]]) -> V | None:
        """The cached value, else what ``load`` finds, kept. A miss (None) is not kept: what another
        process adds (an install, a grant) must count at once. Nor is a value loaded while an entry
        was dropped (it may predate the change that dropped it), or while the cache keeps nothing."""
        value = self.get(key)
        if value is not None:
            return value
        under_way = self._loading.get(key)
        if under_way is not None and under_way[1] == self._drops:
            # Shielded: a caller that gives up (its request cancelled) does not cancel the load
            # of the others waiting for it.
            return await asyncio.shield(under_way[0])
        # A load that started before a drop may predate the change that dropped it: not shared.
        drops = self._drops
        loading = asyncio.ensure_future(load())
        self._loading[key] = (loading, drops)
        loading.add_done_callback(lambda _: self._forget_load(key, loading))
        value = await asyncio.shield(loading)
        if value is not None and self.keeping and drops == self._drops:
            self.put(key, value)
        return value

    def _forget_load(self, key: K, loading: asyncio.Future[V | None]) -> None:
        under_way = self._loading.get(key)
        if under_way is not None and under_way[0] is loading:
            del self._loading[key]
        if not loading.cancelled():
            loading.exception()  # seen by its callers; none left (all cancelled) is no reason to warn

    def put(self, key: K, value: V) -> None:
        if len(self._entries) >= self.max_entries and key not in self._entries:
            # Dicts keep insertion order, so the first key is the oldest entry.
            self._entries.pop(next(iter(self._entries)))
        self._entries[key] = (self._clock() + self.ttl_seconds, value)

    def discard(self, key: K) -> None:
        self._drops += 1
        self._entries.pop(key, None)

    def discard_where(self, predicate: Callable[[K, V], bool]) -> None:
        self._drops += 1
        for key in [k for k, (_, v) in self._entries.items() if predicate(k, v)]:
            del self._entries[key]

    def clear(self) -> None:
        self._drops += 1
        self._entries.clear()

    def stop_keeping(self) -> None:
        """Empty, and keep nothing ``read_through`` loads until ``keep_again``."""
        self.keeping = False
        self.clear()

    def keep_again(self) -> None:
        """Empty (what was kept may have missed a change), and keep what is loaded from now on."""
        self.clear()
        self.keeping = True
