"""A test run's Redis database indexes: each one the run's own, empty when it starts and when it ends,
and read back whole for scans."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import redis
import redis.asyncio as aioredis


@contextlib.contextmanager
def emptied(url: str) -> Iterator[str]:
    """The Redis database at ``url`` (an index of its own), emptied before and after the block."""
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
        yield url
        client.flushdb()
    finally:
        client.close()


async def redis_text(url: str) -> str:
    """Every key and value of one Redis index as one text, for scans."""
    client = aioredis.Redis.from_url(url)
    parts: list[str] = []
    try:
        async for key in client.scan_iter(count=1000):
            parts.append(key.decode(errors="replace"))
            kind = await client.type(key)
            kind = kind.decode() if isinstance(kind, bytes) else kind
            if kind == "string":
                parts.append(str(await client.get(key)))
            elif kind == "list":
                parts.extend(str(item) for item in await client.lrange(key, 0, -1))
            elif kind == "hash":
                parts.extend(str(item) for item in (await client.hgetall(key)).items())
            elif kind == "set":
                parts.extend(str(item) for item in await client.smembers(key))
            elif kind == "zset":
                parts.extend(str(item) for item in await client.zrange(key, 0, -1))
    finally:
        await client.aclose()
    return "\n".join(parts)
