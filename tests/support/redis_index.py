"""A test run's Redis database indexes: each one the run's own, empty when it starts and when it ends."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import redis


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
