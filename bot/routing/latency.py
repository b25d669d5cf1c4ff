"""Each model's moving median latency, shared by every worker through Redis.

A worker records how long each answered call took: into its own window at once, and into a
Redis list every worker trims to the last ``WINDOW`` calls. What it shares goes to Redis once per
``share_seconds`` (every call measured meanwhile in one round trip), not once per call: at a
hundred jobs a second that round trip was a job's share of a worker's CPU. Routing reads the medians from the
local view, which is refreshed from Redis at most every ``refresh_seconds``, so the choice itself
never waits on the network. A median over the last 15 calls moves after 8 slow ones: ``fastest``
follows a model that slows down within a few jobs. A model unheard of for ``STALE_SECONDS``
counts as unmeasured again (first in line), so a model that has recovered gets tried.

Redis being unreachable costs only the sharing: each worker then goes by its own measurements.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import redis.asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

KEY_PREFIX = "cf:model-latency:"
WINDOW = 15
STALE_SECONDS = 600.0
REFRESH_SECONDS = 1.0
SHARE_SECONDS = 1.0


def latency_key(model: str) -> str:
    return f"{KEY_PREFIX}{model}"


@dataclass
class LatencyBoard:
    redis: aioredis.Redis | None
    models: tuple[str, ...]
    refresh_seconds: float = REFRESH_SECONDS
    share_seconds: float = SHARE_SECONDS
    clock: Callable[[], float] = time.monotonic
    _windows: dict[str, deque[float]] = field(default_factory=dict)
    _heard_at: dict[str, float] = field(default_factory=dict)
    _refreshed_at: float = float("-inf")
    # Measured here and not yet in Redis, oldest first; the task that sends them.
    _unshared: dict[str, list[float]] = field(default_factory=dict)
    _sharing: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        for model in self.models:
            self._windows.setdefault(model, deque(maxlen=WINDOW))

    def medians(self) -> dict[str, float | None]:
        """Each model's median latency in seconds; None when unmeasured or stale."""
        now = self.clock()
        result: dict[str, float | None] = {}
        for model, window in self._windows.items():
            fresh = window and now - self._heard_at.get(model, now) < STALE_SECONDS
            result[model] = statistics.median(window) if fresh else None
        return result

    def note(self, model: str, seconds: float) -> None:
        """Record a call in this process's view only (``record`` also shares it)."""
        self._windows.setdefault(model, deque(maxlen=WINDOW)).append(seconds)
        self._heard_at[model] = self.clock()

    async def record(self, model: str, seconds: float) -> None:
        """Note a call here at once; it reaches the other workers within ``share_seconds``."""
        self.note(model, seconds)
        if self.redis is None:
            return
        self._unshared.setdefault(model, []).append(seconds)
        if self._sharing is None or self._sharing.done():
            self._sharing = asyncio.get_running_loop().create_task(self._share_soon())

    async def _share_soon(self) -> None:
        await asyncio.sleep(self.share_seconds)
        await self.share()

    async def share(self) -> None:
        """Send what was measured here since the last time, every model in one round trip."""
        unshared, self._unshared = self._unshared, {}
        if self.redis is None or not unshared:
            return
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for model, samples in unshared.items():
                    key = latency_key(model)
                    # The newest ends up first, as one LPUSH per call would leave it.
                    pipe.lpush(key, *(f"{seconds:.6f}" for seconds in samples[-WINDOW:]))
                    pipe.ltrim(key, 0, WINDOW - 1)
                    pipe.expire(key, int(STALE_SECONDS))
                await pipe.execute()
        except (RedisError, OSError):
            log.warning("could not share the models' latencies (Redis)", exc_info=True)

    async def aclose(self) -> None:
        """Send what is still unshared (a process stopping)."""
        if self._sharing is not None and not self._sharing.done():
            self._sharing.cancel()
            await asyncio.gather(self._sharing, return_exceptions=True)
        await self.share()

    async def refresh(self, *, force: bool = False) -> None:
        """Take in what the other workers measured, at most every ``refresh_seconds``."""
        now = self.clock()
        if self.redis is None or (not force and now - self._refreshed_at < self.refresh_seconds):
            return
        self._refreshed_at = now
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for model in self.models:
                    pipe.lrange(latency_key(model), 0, WINDOW - 1)
                replies = await pipe.execute()
        except (RedisError, OSError):
            log.warning("could not read the models' latencies (Redis)", exc_info=True)
            return
        for model, values in zip(self.models, replies, strict=True):
            if values:
                self._replace(model, (float(value) for value in reversed(values)), now)

    def _replace(self, model: str, samples: Iterable[float], now: float) -> None:
        window = self._windows.setdefault(model, deque(maxlen=WINDOW))
        window.clear()
        window.extend(samples)
        self._heard_at[model] = now
