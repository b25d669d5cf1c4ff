"""Two regions on the test server: the session's database and Redis are "us" (the default region,
which holds the directory), a second migrated database and the spare Redis index are "eu"."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.process.runtime import Runtime
from bot.process.settings import Settings, load_settings
from bot.slack.app import create_region_router
from bot.slack.region_directory import RegionRouter
from bot.slack.server import create_web_app
from sandbox.local_services import LocalServices
from sandbox.slack import SlackSandbox
from tests.support.database import TestDatabase, migrated_database
from tests.support.redis_index import emptied
from tests.support.slack import (
    CLIENT_ID,
    CLIENT_SECRET,
    SIGNING_SECRET,
    SlackWorkspace,
    new_workspace,
    sandbox,
    serve_locally,
)

__all__ = ["sandbox"]


@pytest.fixture(scope="session")
def eu_database(services: LocalServices) -> Iterator[TestDatabase]:
    with migrated_database(services.postgres_url, prefix="cf_eu") as database:
        yield database


@pytest.fixture(scope="session")
def eu_redis_url(redis_url: str) -> Iterator[str]:
    """The spare Redis index of this run (TEST_SPARE_REDIS_DB), emptied before and after."""
    index = int(os.environ.get("TEST_SPARE_REDIS_DB") or 14)
    url = f"{redis_url.rsplit('/', 1)[0]}/{index}"
    assert url != redis_url, "the EU Redis must be another index than the US one"
    with emptied(url):
        yield url


# One text model in each region; the router of a region picks only its own.
REGIONAL_CATALOGUE = json.dumps(
    {
        "models": [
            {"name": "flash-us", "provider": "gemini", "model": "gemini-2.5-flash", "region": "us"},
            {"name": "flash-eu", "provider": "gemini", "model": "gemini-2.5-flash", "region": "eu"},
        ]
    }
)


def regions_document(us: TestDatabase, us_redis: str, eu: TestDatabase, eu_redis: str) -> str:
    return json.dumps(
        {
            "us": {"database_url": us.app_url, "admin_url": us.admin_url, "redis_url": us_redis},
            "eu": {"database_url": eu.app_url, "admin_url": eu.admin_url, "redis_url": eu_redis},
        }
    )


def two_region_settings(
    test_database: TestDatabase, redis_url: str, eu_database: TestDatabase, eu_redis_url: str, **values: Any
) -> Settings:
    return load_settings(
        _env_file=None,
        regions=regions_document(test_database, redis_url, eu_database, eu_redis_url),
        default_region="us",
        database_url=None,
        database_admin_url=None,
        redis_url=None,
        **values,
    )


@dataclass
class TwoRegions:
    url: str
    router: RegionRouter
    runtimes: dict[str, Runtime]

    def runtime(self, region: str) -> Runtime:
        return self.runtimes[region]


@pytest.fixture
def workspace(sandbox: SlackSandbox) -> SlackWorkspace:
    return new_workspace(sandbox)


@contextlib.asynccontextmanager
async def serving_two_regions(settings: Settings) -> AsyncIterator[TwoRegions]:
    runtimes = {name: Runtime.from_settings(settings.for_region(name), pre_ping=False) for name in ("us", "eu")}
    router = create_region_router(runtimes, "us")
    url, runner = await serve_locally(create_web_app(runtimes["us"], router=router))
    try:
        yield TwoRegions(url, router, runtimes)
    finally:
        await runner.cleanup()
        for runtime in runtimes.values():
            await runtime.close()


@pytest.fixture
def two_region_settings_of(
    test_database: TestDatabase,
    redis_url: str,
    eu_database: TestDatabase,
    eu_redis_url: str,
    encryption_key: str,
    sandbox: SlackSandbox,
) -> Callable[..., Settings]:
    """Settings of a two-region service with exactly the Slack credentials given."""

    def settings_of(**slack: Any) -> Settings:
        values: dict[str, Any] = {
            "slack_bot_token": None,
            "slack_client_id": None,
            "slack_client_secret": None,
            "slack_app_token": None,
            **slack,
        }
        return two_region_settings(
            test_database,
            redis_url,
            eu_database,
            eu_redis_url,
            token_encryption_key=encryption_key,
            slack_api_url=sandbox.api_url,
            slack_signing_secret=SIGNING_SECRET,
            model_catalogue=REGIONAL_CATALOGUE,
            **values,
        )

    return settings_of


@pytest.fixture
async def two_regions(
    two_region_settings_of: Callable[..., Settings], workspace: SlackWorkspace
) -> AsyncIterator[TwoRegions]:
    """The web service of two regions in single-workspace mode, served on 127.0.0.1."""
    async with serving_two_regions(two_region_settings_of(slack_bot_token=workspace.bot_token)) as service:
        yield service


@pytest.fixture
async def two_regions_oauth(two_region_settings_of: Callable[..., Settings]) -> AsyncIterator[TwoRegions]:
    """The web service of two regions installed through OAuth."""
    async with serving_two_regions(
        two_region_settings_of(slack_client_id=CLIENT_ID, slack_client_secret=CLIENT_SECRET)
    ) as service:
        yield service


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
