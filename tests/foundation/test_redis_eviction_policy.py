"""A Redis that may evict keys is reported loudly at start: an evicted quota key is a budget
miscounted. (A private Redis, so the shared one's policy is never touched.)"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.process.preflight import check_redis_eviction
from sandbox.local_services import EmbeddedRedis
from tests.support.database import TestDatabase

BASE_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "SLACK_", "TOKEN_"))}


@pytest.fixture(scope="module")
def private_redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    url = server.start()
    yield url
    server.stop()


@pytest.fixture
async def private_redis(private_redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(private_redis_url)
    yield client
    await client.config_set("maxmemory-policy", "noeviction")
    await client.aclose()


async def test_an_evicting_policy_is_an_error_in_the_log(
    private_redis: aioredis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    await private_redis.config_set("maxmemory-policy", "allkeys-lru")
    with caplog.at_level(logging.WARNING, logger="bot.process.preflight"):
        assert await check_redis_eviction(private_redis) is False
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "maxmemory-policy is allkeys-lru" in errors[0].getMessage()
    assert "noeviction" in errors[0].getMessage()


async def test_noeviction_passes_quietly(private_redis: aioredis.Redis, caplog: pytest.LogCaptureFixture) -> None:
    await private_redis.config_set("maxmemory-policy", "noeviction")
    with caplog.at_level(logging.WARNING, logger="bot.process.preflight"):
        assert await check_redis_eviction(private_redis) is True
    assert not caplog.records


async def test_beat_says_so_when_it_starts(
    private_redis: aioredis.Redis, private_redis_url: str, test_database: TestDatabase, encryption_key: str
) -> None:
    await private_redis.config_set("maxmemory-policy", "volatile-lru")
    env = {
        **BASE_ENV,
        # A superuser makes beat stop right after its checks, so the test need not stop it.
        "DATABASE_URL": test_database.admin_url,
        "REDIS_URL": private_redis_url,
        "TOKEN_ENCRYPTION_KEY": encryption_key,
    }
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "beat"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path.cwd(),
    )
    assert result.returncode == 2
    output = result.stdout + result.stderr
    assert "maxmemory-policy is volatile-lru" in output, output[-2000:]
