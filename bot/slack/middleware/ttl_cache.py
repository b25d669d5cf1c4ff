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
        process adds (an install, a grant) must count at once."""
        value = self.get(key)
        if value is None:
            value = await load()
            if value is not None:
                self.put(key, value)
        return value

    def put(self, key: K, value: V) -> None:
        if len(self._entries) >= self.max_entries and key not in self._entries:
            # Dicts keep insertion order, so the first key is the oldest entry.
            self._entries.pop(next(iter(self._entries)))
        self._entries[key] = (self._clock() + self.ttl_seconds, value)

    def discard(self, key: K) -> None:
        self._entries.pop(key, None)

    def discard_where(self, predicate: Callable[[K, V], bool]) -> None:
        for key in [k for k, (_, v) in self._entries.items() if predicate(k, v)]:
            del self._entries[key]

    def clear(self) -> None:
        self._entries.clear()
