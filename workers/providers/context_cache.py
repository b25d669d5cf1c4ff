"""Provider-side context caching of a long system-instruction prefix (the rules and the
organization's brand kit): the same prefix on every job of an organization is sent once per kit
version and hour instead of once per job, and its tokens are billed at the cached price.

Only a provider with the API (``create_context_cache``/``refresh_context_cache``: Gemini's
``client.caches``) and a prefix at least ``MIN_CACHE_TOKENS`` long (Gemini Flash's minimum) use a
cache; otherwise nothing changes. Caches are named in Redis per organization, model, kit version
and prefix, so every worker reuses one, and one is refreshed (its TTL moved ahead) when it has less
than ``REFRESH_BEFORE_SECONDS`` left, before it expires under a job. Any failure of the cache
calls leaves the job to send the whole instruction as it would without one.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import redis.asyncio as aioredis

from workers.providers.base import ContextCacheEntry, ProviderError
from workers.providers.tokens import estimate_tokens

log = logging.getLogger(__name__)
MIN_CACHE_TOKENS = 1024
CACHE_TTL_SECONDS = 3600
REFRESH_BEFORE_SECONDS = 300
KEY_PREFIX = "cf:ctxcache"


@runtime_checkable
class CachingProvider(Protocol):
    async def create_context_cache(
        self, model: str, system_instruction: str, ttl_seconds: int
    ) -> ContextCacheEntry: ...

    async def refresh_context_cache(self, model: str, name: str, ttl_seconds: int) -> ContextCacheEntry: ...


class ContextCaches:
    def __init__(
        self,
        provider: object,
        redis: aioredis.Redis | None,
        *,
        ttl_seconds: int = CACHE_TTL_SECONDS,
        refresh_before_seconds: float = REFRESH_BEFORE_SECONDS,
        min_tokens: int = MIN_CACHE_TOKENS,
        clock: Callable[[], float] = time.time,
        routes: Mapping[str, Any] | None = None,
    ) -> None:
        self.provider = provider if isinstance(provider, CachingProvider) else None
        # A routed model name -> its route (``workers.providers.router.ModelRoute``): the provider
        # that serves it and the model's id there. A name without a route is served by ``provider``.
        self.routes = routes or {}
        self.redis = redis
        self.ttl_seconds = ttl_seconds
        self.refresh_before_seconds = refresh_before_seconds
        self.min_tokens = min_tokens
        self._clock = clock
        self._locks: dict[str, asyncio.Lock] = {}

    def applies_to(self, prefix: str) -> bool:
        cacheable = self.provider is not None or any(
            isinstance(route.provider, CachingProvider) for route in self.routes.values()
        )
        return cacheable and self.redis is not None and estimate_tokens(prefix) >= self.min_tokens

    def _served_by(self, model: str) -> tuple[CachingProvider | None, str]:
        route = self.routes.get(model)
        if route is None:
            return self.provider, model
        provider = route.provider
        return (provider if isinstance(provider, CachingProvider) else None), str(route.model_id)

    async def names_for(
        self, org_id: uuid.UUID, kit_version: int, prefix: str, models: Sequence[str]
    ) -> dict[str, str]:
        """The provider's model id -> the cache holding ``prefix``, for those of ``models`` whose
        provider caches (what a provider is handed is its own model id); empty when caching does
        not apply."""
        if not self.applies_to(prefix):
            return {}
        names: dict[str, str] = {}
        for model in models:
            provider, model_id = self._served_by(model)
            if provider is None:
                continue
            try:
                names[model_id] = await self._name(provider, org_id, kit_version, prefix, model_id)
            except (ProviderError, aioredis.RedisError) as error:
                log.warning("context cache for %s unavailable (%s); the instruction is sent whole", model, error)
        return names

    async def _name(
        self, provider: CachingProvider, org_id: uuid.UUID, kit_version: int, prefix: str, model: str
    ) -> str:
        assert self.redis is not None
        digest = hashlib.sha256(prefix.encode()).hexdigest()[:24]
        key = f"{KEY_PREFIX}:{org_id}:{model}:{kit_version}:{digest}"
        # One creation per process at a time; two processes may each make one, and the later wins.
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            stored: dict[Any, Any] = await self.redis.hgetall(key)
            name = str(stored.get(b"name", b"").decode())
            expires = float(stored.get(b"expires", b"0") or 0)
            if name and expires - self._clock() > self.refresh_before_seconds:
                return name
            entry: ContextCacheEntry | None = None
            if name and expires > self._clock():
                try:
                    entry = await provider.refresh_context_cache(model, name, self.ttl_seconds)
                except ProviderError:
                    entry = None  # gone already: make a new one
            if entry is None:
                entry = await provider.create_context_cache(model, prefix, self.ttl_seconds)
            expires_at = entry.expires_at.timestamp()
            await self.redis.hset(key, mapping={"name": entry.name, "expires": str(expires_at)})
            await self.redis.expireat(key, int(expires_at))
            return entry.name
