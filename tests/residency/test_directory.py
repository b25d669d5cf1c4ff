"""The directory: a pin holds its first region, the application role reaches it only through its
two functions, and an enterprise the operator placed installs nowhere else."""

from __future__ import annotations

import uuid

import aiohttp
import pytest
from sqlalchemy import text

from bot.slack.region_directory import RegionDirectory, RegionPinned
from db.directory import set_enterprise_region
from db.engine import Database
from tests.support.cli import run_cli
from tests.support.database import TestDatabase, connected, new_team_id, refused_by_postgres
from tests.support.regions import TwoRegions, regions_document


async def test_a_pin_never_moves_an_organization_to_another_region(app_db: Database) -> None:
    directory = RegionDirectory(app_db)
    team, org_id = new_team_id(), uuid.uuid4()
    first = await directory.pin(team, None, org_id, "eu")
    again = await directory.pin(team, None, uuid.uuid4(), "us")
    assert (first.org_id, first.region) == (again.org_id, again.region) == (org_id, "eu")
    found = await directory.find(team, None)
    assert found is not None and found.region == "eu"
    with pytest.raises(RegionPinned):
        await directory.check_install(team, None, "us")
    await directory.check_install(team, None, "eu")


async def test_the_application_role_cannot_read_or_change_the_directory_itself(app_db: Database) -> None:
    team, org_id = new_team_id(), uuid.uuid4()
    await RegionDirectory(app_db).pin(team, None, org_id, "eu")
    with refused_by_postgres("permission denied for table region_directory"):
        async with app_db.tenant(org_id) as session:
            await session.execute(text("UPDATE region_directory SET region = 'us'"))
    with refused_by_postgres("permission denied for table region_directory"):
        async with app_db.system() as session:
            await session.execute(text("SELECT count(*) FROM region_directory"))
    with refused_by_postgres("permission denied for function cf_set_enterprise_region"):
        async with app_db.system() as session:
            await set_enterprise_region(session, "E0TEST", "us")


async def test_an_enterprise_the_operator_placed_installs_only_in_its_region(
    app_db: Database, owner_db: Database
) -> None:
    enterprise = "E" + uuid.uuid4().hex[:10].upper()
    async with owner_db.system() as session:
        await set_enterprise_region(session, enterprise, "eu")
    directory = RegionDirectory(app_db)
    team = new_team_id()
    entry = await directory.find(team, enterprise)
    assert entry is not None and entry.region == "eu" and entry.org_id is None
    with pytest.raises(RegionPinned):
        await directory.check_install(team, enterprise, "us")
    # The team's own pin, once made, is what counts for it.
    await directory.pin(team, enterprise, uuid.uuid4(), "eu")
    found = await directory.find(team, enterprise)
    assert found is not None and found.org_id is not None


async def test_readyz_reports_each_region(two_regions: TwoRegions) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{two_regions.url}/readyz") as answer:
        body = await answer.json()
    assert set(body["regions"]) == {"us", "eu"}
    for checks in body["regions"].values():
        assert checks == {"postgres": "ok", "redis": "ok", "database_role": "ok"}


async def test_the_operator_sets_an_enterprises_region_with_region_default(
    app_db: Database, test_database: TestDatabase, eu_database: TestDatabase, redis_url: str, eu_redis_url: str
) -> None:
    enterprise = "E" + uuid.uuid4().hex[:10].upper()
    env = {"REGIONS": regions_document(test_database, redis_url, eu_database, eu_redis_url), "DEFAULT_REGION": "us"}
    done = run_cli(["region", "default", "--enterprise", enterprise, "--region", "eu"], env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"enterprise {enterprise}: new installs go to region eu" in done.stdout
    entry = await RegionDirectory(app_db).find(new_team_id(), enterprise)
    assert entry is not None and (entry.region, entry.org_id) == ("eu", None)
    refused = run_cli(["region", "default", "--enterprise", enterprise, "--region", "mars"], env)
    assert refused.returncode != 0 and "no region 'mars'" in refused.stderr


async def test_the_directory_holds_keys_ids_and_regions_only_under_row_level_security(
    test_database: TestDatabase,
) -> None:
    async with connected(test_database.admin_url) as conn:
        columns = {
            row["column_name"]
            for row in await conn.fetch(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'region_directory'"
            )
        }
        secured = await conn.fetchrow(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'region_directory'"
        )
    # No name, token, prompt, output or audit detail: a Slack key, an organization id, a region.
    assert columns == {"kind", "slack_key", "enterprise_id", "org_id", "region", "pinned_at"}
    assert secured is not None and secured["relrowsecurity"] and secured["relforcerowsecurity"]
