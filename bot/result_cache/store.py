"""Stored results in Redis, each under its organization's key with the TTL the settings give.

What is stored is what a job stores: masked text (placeholders, never the people's data behind
them) or an image's PNG. A Redis that does not answer is a miss, never a failed job. Lookups are
counted by outcome (``content_factory.result_cache.lookups``), so the hit rate is hits over all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import redis.asyncio as aioredis
from redis.typing import EncodableT, FieldT

from bot.result_cache.key import CacheableRequest
from bot.telemetry.metrics import count_result_cache_lookup

log = logging.getLogger(__name__)
DEFAULT_TTL_SECONDS = 86_400


@dataclass(frozen=True)
class CachedResult:
    text: str | None
    png: bytes | None
    model: str


class ResultCache:
    def __init__(self, redis: aioredis.Redis, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> None:
        self.redis = redis
        self.ttl_seconds = ttl_seconds

    async def get(self, request: CacheableRequest) -> CachedResult | None:
        try:
            found = await self.redis.hgetall(request.redis_key())
            # A client made without decode_responses answers bytes.
            stored = {bytes(k): bytes(v) for k, v in found.items() if isinstance(k, bytes) and isinstance(v, bytes)}
        except Exception:
            log.warning("result cache unreachable; treated as a miss", exc_info=True)
            stored = {}
        outcome = "hit" if stored else "miss"
        count_result_cache_lookup(request.kind, outcome)
        if not stored:
            return None
        text, png, model = stored.get(b"text"), stored.get(b"png"), stored.get(b"model", b"")
        return CachedResult(text=text.decode() if text is not None else None, png=png, model=model.decode())

    async def put(self, request: CacheableRequest, result: CachedResult) -> None:
        fields: dict[FieldT, EncodableT] = {"model": result.model}
        if result.text is not None:
            fields["text"] = result.text
        if result.png is not None:
            fields["png"] = result.png
        key = request.redis_key()
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.hset(key, mapping=fields)
                pipe.expire(key, self.ttl_seconds)
                await pipe.execute()
        except Exception:
            log.warning("could not store a result in the result cache", exc_info=True)
