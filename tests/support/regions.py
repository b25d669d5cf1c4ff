"""Two regions on the test server: the session's database and Redis are "us" (the default region,
which holds the directory), a second migrated database and the spare Redis index are "eu". Their
settings, and the web service of both served on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from bot.process.runtime import Runtime
from bot.process.settings import Settings, load_settings
from bot.slack.app import create_region_router
from bot.slack.region_directory import RegionRouter
from bot.slack.server import create_web_app
from tests.support.database import TestDatabase
from tests.support.slack import serve_locally

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
