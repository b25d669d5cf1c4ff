"""One rate limit per model for every worker at once: requests and tokens per minute, in Redis.

A model's quota belongs to the API project, not to a process, so the buckets live in Redis and
every worker draws from the same two: one for requests, one for tokens. A call waits until both
have room (a burst becomes a queue, not a storm of 429s). Each bucket refills at its per-minute
rate and holds at most ``BURST_SECONDS`` of it, so no minute sees much more than the quota.
Tokens are taken as the prompt's estimate before the call and corrected to the model's own count
after it (the bucket may go below zero, which only delays the next calls).

A server that answers with Retry-After (a 429, or an overload) has the whole model paused for
that long, for every worker: the first process to hear it tells the others through Redis.

When Redis cannot be reached the limit is skipped rather than failing the job: the model's own
429s and the router's backoff still hold the line.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

BURST_SECONDS = 10.0
KEY_PREFIX = "cf:model-limit"
# Longest single wait before looking again: a pause or refill elsewhere may end sooner.
MAX_WAIT_SLICE_SECONDS = 1.0

# KEYS: requests bucket, tokens bucket, pause marker. ARGV: requests/min, tokens/min, tokens
# wanted, burst seconds. Returns 0 when both were taken, else milliseconds to wait.
ACQUIRE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local paused = redis.call('PTTL', KEYS[3])
if paused > 0 then return paused end
local burst_ms = tonumber(ARGV[4]) * 1000
local wanted = {1, tonumber(ARGV[3])}
local limits = {tonumber(ARGV[1]), tonumber(ARGV[2])}
local levels = {}
local wait = 0
for i = 1, 2 do
  local limit = limits[i]
  if limit > 0 then
    local rate = limit / 60000
    local capacity = math.max(1, rate * burst_ms)
    local stored = redis.call('HMGET', KEYS[i], 'level', 'at')
    local level = capacity
    if stored[1] and stored[2] then
      level = math.min(capacity, tonumber(stored[1]) + (now - tonumber(stored[2])) * rate)
    end
    local need = math.min(wanted[i], capacity)
    levels[i] = level
    if level < need then
      wait = math.max(wait, math.ceil((need - level) / rate))
    end
  end
end
if wait > 0 then return wait end
for i = 1, 2 do
  if levels[i] then
    local rate = limits[i] / 60000
    redis.call('HSET', KEYS[i], 'level', tostring(levels[i] - wanted[i]), 'at', tostring(now))
    redis.call('PEXPIRE', KEYS[i], math.ceil(2 * math.max(1, rate * burst_ms) / rate) + 60000)
  end
end
return 0
"""

# KEYS: pause marker. ARGV: milliseconds. A longer pause already set is kept.
PAUSE = """
local left = redis.call('PTTL', KEYS[1])
if left < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1
"""

Sleep = Callable[[float], Awaitable[None]]


def limit_keys(model: str) -> tuple[str, str, str]:
    base = f"{KEY_PREFIX}:{model}"
    return f"{base}:requests", f"{base}:tokens", f"{base}:paused"


@dataclass
class ModelRateLimit:
    redis: aioredis.Redis
    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None
    burst_seconds: float = BURST_SECONDS
    sleep: Sleep = asyncio.sleep
    # Limits of particular models (requests, tokens per minute) over the two above.
    per_model: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)

    def limits_of(self, model: str) -> tuple[int, int]:
        requests, tokens = self.per_model.get(model, (None, None))
        return requests or self.requests_per_minute or 0, tokens or self.tokens_per_minute or 0

    def __post_init__(self) -> None:
        self._acquire: Any = self.redis.register_script(ACQUIRE)
        self._pause: Any = self.redis.register_script(PAUSE)

    async def acquire(self, model: str, tokens: int) -> float:
        """Wait until ``model`` may take one more call of about ``tokens``; the seconds waited."""
        started = time.monotonic()
        keys = limit_keys(model)
        requests_per_minute, tokens_per_minute = self.limits_of(model)
        args = [requests_per_minute, tokens_per_minute, max(0, tokens), self.burst_seconds]
        while True:
            try:
                wait_ms = int(await self._acquire(keys=list(keys), args=args))
            except (RedisError, OSError):
                log.warning("model rate limit unavailable (Redis); calling %s without it", model, exc_info=True)
                return time.monotonic() - started
            if wait_ms <= 0:
                return time.monotonic() - started
            await self.sleep(min(wait_ms / 1000, MAX_WAIT_SLICE_SECONDS))

    async def correct_tokens(self, model: str, estimated: int, used: int) -> None:
        """The model counted ``used`` where ``estimated`` was taken: settle the difference."""
        if not self.limits_of(model)[1] or used == estimated:
            return
        try:
            await self.redis.hincrbyfloat(limit_keys(model)[1], "level", estimated - used)
        except (RedisError, OSError):
            log.warning("could not correct %s's token bucket", model, exc_info=True)

    async def pause(self, model: str, seconds: float) -> None:
        """Stop every worker's calls to ``model`` for ``seconds`` (a server's Retry-After)."""
        if seconds <= 0:
            return
        try:
            await self._pause(keys=[limit_keys(model)[2]], args=[max(1, int(seconds * 1000))])
        except (RedisError, OSError):
            log.warning("could not pause %s for the other workers", model, exc_info=True)
