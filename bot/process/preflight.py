"""What ``serve``, ``worker`` and ``beat`` check before they start.

- The database role (DATABASE_URL) must be one Row-Level Security holds for (``db.role_safety``):
  a process that would see every organization refuses to start, with one line naming the fix.
- Redis must not evict keys (``maxmemory-policy noeviction``): an evicted quota key is a budget
  miscounted. A wrong policy is logged loudly but does not stop the process, since managed Redis
  services do not always let the policy be changed and a full Redis is rare.

A database or Redis that cannot be reached yet is not a reason to refuse: processes start before
their dependencies in many deployments. The web process's ``/readyz`` repeats the role check.
"""

from __future__ import annotations

import asyncio
import logging

import redis.asyncio as aioredis
import redis.exceptions

from bot.process.settings import ConfigError, Settings
from db.engine import Database, is_database_outage

log = logging.getLogger(__name__)

REQUIRED_EVICTION_POLICY = "noeviction"
CHECK_TIMEOUT_SECONDS = 10.0


class UnsafeDatabaseRole(ConfigError):
    """DATABASE_URL's role would see more than one organization's rows."""


async def check_database_role(database: Database) -> None:
    """Raise ``UnsafeDatabaseRole`` when RLS would not hold for the role; warn when unreachable."""
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            safety = await database.inspect_role()
    except Exception as error:
        if not is_database_outage(error):
            raise
        log.warning("could not check the database role (PostgreSQL unreachable: %s)", type(error).__name__)
        return
    if safety.problem:
        raise UnsafeDatabaseRole(safety.problem)


async def eviction_policy(client: aioredis.Redis) -> str | None:
    """Redis's maxmemory-policy, or None where CONFIG is not allowed (some managed services)."""
    try:
        answer = await client.config_get("maxmemory-policy")
    except redis.exceptions.ResponseError:
        return None
    # Keys and values are bytes on a client without decode_responses.
    for key, value in answer.items():
        if key in ("maxmemory-policy", b"maxmemory-policy"):
            return value.decode() if isinstance(value, bytes) else value
    return None


async def check_redis_eviction(client: aioredis.Redis) -> bool:
    """Log an error unless Redis is set never to evict keys; True when it is."""
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            policy = await eviction_policy(client)
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, TimeoutError) as error:
        log.warning("could not check Redis's maxmemory-policy (unreachable: %s)", type(error).__name__)
        return False
    if policy is None:
        log.warning(
            "could not read Redis's maxmemory-policy (CONFIG is disabled); make sure it is %s",
            REQUIRED_EVICTION_POLICY,
        )
        return False
    if policy != REQUIRED_EVICTION_POLICY:
        log.error(
            "Redis maxmemory-policy is %s: evicted quota keys miscount budgets; set maxmemory-policy %s",
            policy,
            REQUIRED_EVICTION_POLICY,
        )
        return False
    return True


async def _preflight(settings: Settings) -> None:
    assert settings.database_url and settings.redis_url
    database = Database(settings.database_url, pool_size=1)
    client = aioredis.Redis.from_url(settings.redis_url, socket_timeout=2.0, socket_connect_timeout=2.0)
    try:
        await check_redis_eviction(client)
        try:
            await check_database_role(database)
        except UnsafeDatabaseRole as unsafe:
            if not settings.regional:
                raise
            raise UnsafeDatabaseRole(f"region {settings.process_region}: {unsafe}") from None
    finally:
        await client.aclose()
        await database.dispose()


def run_preflight(settings: Settings, *, every_region: bool = False) -> None:
    """The start checks of a long-running process; raises ``ConfigError`` (exit code 2) when unsafe.
    ``every_region``: the web process, which serves them all (workers and beats serve one)."""
    settings.require("database_url", "redis_url", "token_encryption_key")
    names = list(settings.region_map()) if every_region and settings.regional else [settings.process_region]
    for name in names:
        asyncio.run(_preflight(settings.for_region(name)))
