"""Quota keys per region: regions sharing one Redis keep their organizations' quota keys under their
own names (``cf:q:eu:{org}:…``); a region with a Redis of its own, and a service without REGIONS,
keep the plain names. A region move clears the old region's keys."""

from __future__ import annotations

import json
import uuid

import redis.asyncio as aioredis

from bot.orgs.service import create_organization
from bot.process.runtime import Runtime
from bot.process.settings import load_settings
from bot.quota import QuotaService
from bot.quota.keys import PREFIX, org_keys
from bot.slack.region_directory import RegionDirectory
from db.engine import Database
from tests.support.cli import run_cli
from tests.support.database import TestDatabase, new_team_id

ENCRYPTION_KEY = "Yk3sJ7m1wq0z9c1mQ8n6bJ2x5cY4v3r2t1s0p9o8n7M="


def shared_redis_regions(us: TestDatabase, eu: TestDatabase) -> str:
    return json.dumps(
        {
            "us": {"database_url": us.app_url, "admin_url": us.admin_url},
            "eu": {"database_url": eu.app_url, "admin_url": eu.admin_url},
        }
    )


def test_only_regions_sharing_a_redis_name_their_quota_keys() -> None:
    shared = '{"us": {"database_url": "postgresql://a@h/us"}, "eu": {"database_url": "postgresql://a@h/eu"}}'
    settings = load_settings(_env_file=None, regions=shared, default_region="us", redis_url="redis://r:6379/0")
    assert settings.quota_key_space == "us:" and settings.for_region("eu").quota_key_space == "eu:"
    own = json.dumps(
        {
            "us": {"database_url": "postgresql://a@h/us", "redis_url": "redis://us:6379/0"},
            "eu": {"database_url": "postgresql://a@h/eu", "redis_url": "redis://eu:6379/0"},
        }
    )
    assert load_settings(_env_file=None, regions=own, default_region="us").for_region("eu").quota_key_space == ""
    assert load_settings(_env_file=None, database_url="postgresql://a@h/x").quota_key_space == ""
    org = uuid.uuid4()
    assert org_keys(org, "eu:").reservations == f"{PREFIX}eu:{{{org}}}:res"
    assert org_keys(org).reservations == f"{PREFIX}{{{org}}}:res"


async def test_an_eu_reservation_in_a_shared_redis_stays_in_the_eu_key_space_until_the_organization_moves(
    app_db: Database, test_database: TestDatabase, eu_database: TestDatabase, redis_url: str
) -> None:
    regions = shared_redis_regions(test_database, eu_database)
    settings = load_settings(
        _env_file=None,
        regions=regions,
        default_region="us",
        database_url=None,
        database_admin_url=None,
        redis_url=redis_url,
        token_encryption_key=ENCRYPTION_KEY,
    ).for_region("eu")
    eu = Runtime.from_settings(settings)
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        team = new_team_id()
        org_id = await create_organization(eu.database, name="EU org", team_id=team)
        await RegionDirectory(app_db).pin(team, None, org_id, "eu")
        quota = QuotaService(eu.redis, eu.database, key_space=settings.quota_key_space)
        await quota.reserve(org_id, uuid.uuid4(), 100)

        keys = [key async for key in client.scan_iter(match=f"*{org_id}*")]
        assert keys and all(key.startswith(f"{PREFIX}eu:{{{org_id}}}:") for key in keys), keys

        moved = run_cli(
            ["region", "move", "--org", str(org_id), "--to", "us"],
            {"REGIONS": regions, "DEFAULT_REGION": "us", "REDIS_URL": redis_url},
        )
        assert moved.returncode == 0, moved.stdout + moved.stderr
        assert [key async for key in client.scan_iter(match=f"*{org_id}*")] == []
    finally:
        await client.aclose()
        await eu.close()
