"""`region move`: every row of an organization ends in the new region, its audit chain intact, none
left in the old one, and a run that dies at any step finishes when run again."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from bot.slack.region_directory import RegionDirectory
from db.audit import record_event, verify_chain
from db.engine import Database
from db.models import TENANT_TABLES
from db.region_move import MoveRefused, move_organization
from tests.foundation.tenant_rows import fill_organization
from tests.residency.test_request_path import rows_mentioning
from tests.support.database import TestDatabase


class Crash(Exception):
    """The move's process dying at one step."""


async def organization_in_us(app_db: Database, rows: int = 3) -> uuid.UUID:
    org_id = uuid.uuid4()
    tag = org_id.hex[:8]
    async with app_db.tenant(org_id) as session:
        await fill_organization(session, org_id, rows=rows, tag=tag)
    await RegionDirectory(app_db).pin(f"T{tag}", None, org_id, "us")
    return org_id


async def counts(url: str, org_id: uuid.UUID) -> dict[str, int]:
    database = Database(url, pool_size=1)
    try:
        async with database.tenant(org_id) as session:
            found = {}
            for table in TENANT_TABLES:
                column = "id" if table == "organizations" else "org_id"
                query = text(f"SELECT count(*) FROM {table} WHERE {column} = :org")
                found[table] = (await session.execute(query, {"org": org_id})).scalar_one()
            return found
    finally:
        await database.dispose()


@pytest.mark.parametrize("crash_after", [None, "copied", "verified", "switched", "deleted us"])
async def test_a_move_ends_with_every_row_in_the_new_region_even_after_a_crash(
    crash_after: str | None, app_db: Database, test_database: TestDatabase, eu_database: TestDatabase
) -> None:
    org_id = await organization_in_us(app_db)
    before = await counts(test_database.admin_url, org_id)
    assert before["jobs"] == 3 and before["audit_events"] == 3
    admin_urls = {"us": test_database.admin_url, "eu": eu_database.admin_url}

    def crash(step: str) -> None:
        if step == crash_after:
            raise Crash(step)

    if crash_after is not None:
        with pytest.raises(Crash):
            await move_organization(org_id, "eu", admin_urls=admin_urls, home="us", on_step=crash)
    report = await move_organization(org_id, "eu", admin_urls=admin_urls, home="us")

    assert await counts(eu_database.admin_url, org_id) == before
    assert set((await counts(test_database.admin_url, org_id)).values()) == {0}
    assert await rows_mentioning(test_database, str(org_id)) == {"region_directory": 1}
    found = await RegionDirectory(app_db).find(f"T{org_id.hex[:8]}", None)
    assert found is not None and found.region == "eu" and found.org_id == org_id
    assert report.target == "eu" and report.audit_events == 3
    # The chain holds in the new region, and grows there as before.
    eu = Database(eu_database.app_url, pool_size=1)
    try:
        async with eu.tenant(org_id) as session:
            await record_event(session, org_id, "test.after_move", actor="U1")
        async with eu.tenant(org_id) as session:
            chain = await verify_chain(session, org_id)
        assert chain.ok and chain.events == 4
    finally:
        await eu.dispose()


async def test_rows_written_in_the_old_region_after_the_switch_stop_the_deletion(
    app_db: Database, test_database: TestDatabase, eu_database: TestDatabase
) -> None:
    org_id = await organization_in_us(app_db, rows=1)
    admin_urls = {"us": test_database.admin_url, "eu": eu_database.admin_url}

    def late_write(step: str) -> None:
        if step == "switched":
            raise Crash(step)

    with pytest.raises(Crash):
        await move_organization(org_id, "eu", admin_urls=admin_urls, home="us", on_step=late_write)
    # A worker of the old region finishing its job after the switch.
    async with app_db.tenant(org_id) as session:
        await record_event(session, org_id, "job.posted", actor="worker")
    with pytest.raises(MoveRefused, match="still differs"):
        await move_organization(org_id, "eu", admin_urls=admin_urls, home="us")
    assert (await counts(test_database.admin_url, org_id))["audit_events"] == 2


async def test_a_broken_audit_chain_stops_the_move_and_leaves_the_rows_in_one_region(
    app_db: Database, owner_db: Database, test_database: TestDatabase, eu_database: TestDatabase
) -> None:
    org_id = await organization_in_us(app_db)
    before = await counts(test_database.admin_url, org_id)
    async with owner_db.tenant(org_id) as session:
        await session.execute(
            text("UPDATE audit_events SET detail = '{\"i\": 99}' WHERE org_id = :org AND seq = 2"), {"org": org_id}
        )
    admin_urls = {"us": test_database.admin_url, "eu": eu_database.admin_url}
    with pytest.raises(MoveRefused, match="does not verify"):
        await move_organization(org_id, "eu", admin_urls=admin_urls, home="us")
    assert await counts(test_database.admin_url, org_id) == before
    assert set((await counts(eu_database.admin_url, org_id)).values()) == {0}
    found = await RegionDirectory(app_db).find(f"T{org_id.hex[:8]}", None)
    assert found is not None and found.region == "us"
