"""`region move`: every row of an organization ends in the new region, its audit chain intact, none
left in the old one, and a run that dies at any step finishes when run again."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from sqlalchemy import text

from bot.slack.region_directory import RegionDirectory
from db.audit import record_event, verify_chain
from db.engine import Database
from db.region_move import MoveRefused, move_organization
from tests.support.database import TestDatabase, rows_mentioning
from tests.support.regions import organization_in_us, tenant_row_counts


class Crash(Exception):
    """The move's process dying at one step."""


@pytest.mark.parametrize("crash_after", [None, "copied", "verified", "switched", "deleted us"])
async def test_a_move_ends_with_every_row_in_the_new_region_even_after_a_crash(
    crash_after: str | None, app_db: Database, test_database: TestDatabase, eu_database: TestDatabase
) -> None:
    org_id = await organization_in_us(app_db)
    before = await tenant_row_counts(test_database.admin_url, org_id)
    assert before["jobs"] == 3 and before["audit_events"] == 3
    admin_urls = {"us": test_database.admin_url, "eu": eu_database.admin_url}

    def crash(step: str) -> None:
        if step == crash_after:
            raise Crash(step)

    if crash_after is not None:
        with pytest.raises(Crash):
            await move_organization(org_id, "eu", admin_urls=admin_urls, home="us", on_step=crash)
    report = await move_organization(org_id, "eu", admin_urls=admin_urls, home="us")

    assert await tenant_row_counts(eu_database.admin_url, org_id) == before
    assert set((await tenant_row_counts(test_database.admin_url, org_id)).values()) == {0}
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
    assert (await tenant_row_counts(test_database.admin_url, org_id))["audit_events"] == 2


async def test_a_broken_audit_chain_stops_the_move_and_leaves_the_rows_in_one_region(
    app_db: Database, owner_db: Database, test_database: TestDatabase, eu_database: TestDatabase
) -> None:
    org_id = await organization_in_us(app_db)
    before = await tenant_row_counts(test_database.admin_url, org_id)
    async with owner_db.tenant(org_id) as session:
        await session.execute(
            text("UPDATE audit_events SET detail = '{\"i\": 99}' WHERE org_id = :org AND seq = 2"), {"org": org_id}
        )
    admin_urls = {"us": test_database.admin_url, "eu": eu_database.admin_url}
    with pytest.raises(MoveRefused, match="does not verify"):
        await move_organization(org_id, "eu", admin_urls=admin_urls, home="us")
    assert await tenant_row_counts(test_database.admin_url, org_id) == before
    assert set((await tenant_row_counts(eu_database.admin_url, org_id)).values()) == {0}
    found = await RegionDirectory(app_db).find(f"T{org_id.hex[:8]}", None)
    assert found is not None and found.region == "us"


async def a_copied_event_in_open_transaction(admin_url: str, org_id: uuid.UUID) -> asyncpg.Connection:
    """An owner connection in the middle of a copy: copy mode on, one event that continues the
    organization's chain inserted as it is, the transaction left open."""
    connection = await asyncpg.connect(admin_url.replace("postgresql+asyncpg://", "postgresql://"))
    await connection.execute("BEGIN")
    await connection.execute(
        "SELECT set_config('app.org_id', $1, true), set_config('cf.audit_copy', 'on', true)", str(org_id)
    )
    await connection.execute(
        """
        INSERT INTO audit_events (org_id, seq, at, actor, action, detail, prev_hash, hash)
        SELECT $1, last.seq + 1, timestamptz '2024-05-01 12:00:00+00', 'copied', 'org.settings', '{}'::jsonb, last.hash,
               cf_audit_hash(last.hash, $1, last.seq + 1, timestamptz '2024-05-01 12:00:00+00', 'copied',
                             'org.settings', NULL, '{}'::jsonb)
        FROM (SELECT seq, hash FROM audit_events WHERE org_id = $1 ORDER BY seq DESC LIMIT 1) AS last
        """,
        org_id,
    )
    return connection


async def test_a_copy_in_progress_holds_up_no_other_organizations_audit_events(
    app_db: Database, test_database: TestDatabase
) -> None:
    copied, other = await organization_in_us(app_db), await organization_in_us(app_db)
    copying = await a_copied_event_in_open_transaction(test_database.admin_url, copied)
    try:
        async with app_db.tenant(other) as session:
            # A table lock held by the copy would make this wait, and then fail.
            await session.execute(text("SET LOCAL lock_timeout = '2s'"))
            await record_event(session, other, "org.settings", actor="U0OTHER")
        await connection_commits(copying)
    finally:
        await copying.close()
    async with app_db.tenant(copied) as session:
        assert (await verify_chain(session, copied)).ok
        kept = (
            await session.execute(
                text("SELECT actor, at FROM audit_events WHERE org_id = :org ORDER BY seq DESC LIMIT 1"),
                {"org": copied},
            )
        ).one()
    assert kept.actor == "copied" and kept.at.year == 2024  # kept as it was, not re-timed


async def connection_commits(connection: asyncpg.Connection) -> None:
    await connection.execute("COMMIT")


async def test_the_application_role_cannot_write_an_event_as_it_likes_even_in_copy_mode(app_db: Database) -> None:
    org_id = await organization_in_us(app_db)
    async with app_db.tenant(org_id) as session:
        await session.execute(text("SELECT set_config('cf.audit_copy', 'on', true)"))
        await session.execute(
            text(
                "INSERT INTO audit_events (org_id, seq, at, actor, action, detail, prev_hash, hash) "
                "VALUES (:org, 1, timestamptz '2000-01-01 00:00:00+00', 'forger', 'org.settings', '{}', "
                "repeat('0', 64), repeat('f', 64))"
            ),
            {"org": org_id},
        )
    async with app_db.tenant(org_id) as session:
        assert (await verify_chain(session, org_id)).ok
        last = (
            await session.execute(
                text("SELECT seq, at FROM audit_events WHERE org_id = :org AND actor = 'forger'"), {"org": org_id}
            )
        ).one()
    assert last.seq > 1 and last.at.year > 2000  # numbered and timed by the trigger, as every write


async def test_a_copied_event_that_does_not_continue_the_chain_is_refused(
    app_db: Database, test_database: TestDatabase
) -> None:
    org_id = await organization_in_us(app_db)
    connection = await asyncpg.connect(test_database.admin_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        async with connection.transaction():
            await connection.execute(
                "SELECT set_config('app.org_id', $1, true), set_config('cf.audit_copy', 'on', true)", str(org_id)
            )
            with pytest.raises(asyncpg.DataError, match="does not continue its chain"):
                await connection.execute(
                    "INSERT INTO audit_events (org_id, seq, at, actor, action, detail, prev_hash, hash) "
                    "VALUES ($1, 1, now(), 'copied', 'org.settings', '{}', repeat('0', 64), repeat('f', 64))",
                    org_id,
                )
    finally:
        await connection.close()
