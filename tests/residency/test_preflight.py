"""The web process checks every region's database role before it starts; a worker its own region's."""

from __future__ import annotations

import json

import pytest

from bot.process.preflight import UnsafeDatabaseRole, run_preflight
from bot.process.settings import load_settings
from tests.support.database import TestDatabase


def settings_with_unsafe_eu(test_database: TestDatabase, eu_database: TestDatabase, redis_url: str, **values: str):
    regions = {
        "us": {"database_url": test_database.app_url, "admin_url": test_database.admin_url},
        # The owner (a superuser here) as the EU's application role: Row-Level Security would not hold.
        "eu": {"database_url": eu_database.admin_url, "admin_url": eu_database.admin_url},
    }
    return load_settings(
        _env_file=None,
        regions=json.dumps(regions),
        default_region="us",
        database_url=None,
        database_admin_url=None,
        redis_url=redis_url,
        token_encryption_key="Yk3sJ7m1wq0z9c1mQ8n6bJ2x5cY4v3r2t1s0p9o8n7M=",
        **values,
    )


def test_an_unsafe_role_in_any_region_stops_the_web_process(
    test_database: TestDatabase, eu_database: TestDatabase, redis_url: str
) -> None:
    settings = settings_with_unsafe_eu(test_database, eu_database, redis_url)
    run_preflight(settings)  # the US worker's own region is safe
    with pytest.raises(UnsafeDatabaseRole, match="region eu: "):
        run_preflight(settings, every_region=True)
    with pytest.raises(UnsafeDatabaseRole, match="region eu: "):
        run_preflight(settings_with_unsafe_eu(test_database, eu_database, redis_url, region="eu"))
