"""A small in-process cache whose entries expire: tenancy and roles are read on every request, and
30 s of staleness across processes is the price of not asking PostgreSQL each time."""

from __future__ import annotations

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
        if value is None:
            drops = self._drops
            value = await load()
            if value is not None and self.keeping and drops == self._drops:
                self.put(key, value)
        return value

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
