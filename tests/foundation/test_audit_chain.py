"""`content-factory audit verify` walks each organization's hash chain."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import text

from bot.orgs.service import create_organization
from db.audit import record_event, verify_chain
from db.engine import Database
from sandbox.local_services import LocalServices
from tests.support.audit import append_steps, audit_verify
from tests.support.database import (
    TestDatabase,
    migrated_database,
    new_team_id,
)

NOTE = "ünïcode ✓"  # detail beyond ASCII, hashed the same way by the writer and the verifier


async def test_clean_chain_verifies(app_db: Database, org_id: uuid.UUID, test_database: TestDatabase) -> None:
    await append_steps(app_db, org_id, 5, note=NOTE)
    async with app_db.tenant(org_id) as session:
        report = await verify_chain(session, org_id)
    assert report.ok and report.events == 6  # org.created + 5
    result = audit_verify(test_database, "--org", str(org_id))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"ok      {org_id}  6 events" in result.stdout


async def test_altered_event_is_named(
    app_db: Database, owner_db: Database, org_id: uuid.UUID, test_database: TestDatabase
) -> None:
    await append_steps(app_db, org_id, 5, note=NOTE)
    async with owner_db.tenant(org_id) as session:
        altered_id = (
            await session.execute(text("SELECT id FROM audit_events WHERE org_id = :o AND seq = 4"), {"o": org_id})
        ).scalar_one()
        await session.execute(text("UPDATE audit_events SET detail = '{\"i\": 99}' WHERE id = :id"), {"id": altered_id})
    result = audit_verify(test_database, "--org", str(org_id))
    assert result.returncode == 1
    assert f"BROKEN  {org_id}  event seq 4 (id {altered_id}): content does not match its hash" in result.stdout


async def test_removed_event_is_named(app_db: Database, owner_db: Database, org_id: uuid.UUID) -> None:
    await append_steps(app_db, org_id, 4, note=NOTE)
    async with owner_db.tenant(org_id) as session:
        await session.execute(text("DELETE FROM audit_events WHERE org_id = :o AND seq = 3"), {"o": org_id})
    async with app_db.tenant(org_id) as session:
        report = await verify_chain(session, org_id)
    assert not report.ok and report.broken_seq == 4 and "removed" in (report.reason or "")


async def test_concurrent_writers_keep_one_chain(app_db: Database, org_id: uuid.UUID) -> None:
    import asyncio

    async def write(i: int) -> None:
        async with app_db.tenant(org_id) as session:
            await record_event(session, org_id, "test.concurrent", actor="U1", detail={"i": i})

    await asyncio.gather(*(write(i) for i in range(20)))
    async with app_db.tenant(org_id) as session:
        report = await verify_chain(session, org_id)
    assert report.ok and report.events == 21


@pytest.fixture
def audited_database(services: LocalServices) -> Iterator[TestDatabase]:
    """A database of each test's own: the run's shared one holds chains other tests break on
    purpose, and `audit verify` without --org walks every organization in it."""
    with migrated_database(services.postgres_url, "cf_test_audit") as database:
        yield database


@pytest.fixture
async def two_audited_orgs(audited_database: TestDatabase) -> AsyncIterator[tuple[uuid.UUID, uuid.UUID]]:
    app = Database(audited_database.app_url, pool_size=1)
    try:
        orgs = (
            await create_organization(app, name="First", team_id=new_team_id()),
            await create_organization(app, name="Second", team_id=new_team_id()),
        )
        for org in orgs:
            await append_steps(app, org, 3, note=NOTE)
        yield orgs
    finally:
        await app.dispose()


async def test_verify_all_organizations_passes_on_intact_chains(
    audited_database: TestDatabase, two_audited_orgs: tuple[uuid.UUID, uuid.UUID]
) -> None:
    first, second = two_audited_orgs
    result = await asyncio.to_thread(audit_verify, audited_database)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"ok      {first}  4 events" in result.stdout
    assert f"ok      {second}  4 events" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "audit verify: 2 organizations, 0 broken"


async def test_verify_all_organizations_fails_on_a_tampered_chain(
    audited_database: TestDatabase, two_audited_orgs: tuple[uuid.UUID, uuid.UUID]
) -> None:
    first, second = two_audited_orgs
    owner = Database(audited_database.admin_url, pool_size=1)
    try:
        async with owner.tenant(second) as session:
            await session.execute(
                text("UPDATE audit_events SET actor = 'U_FORGED' WHERE org_id = :o AND seq = 3"), {"o": second}
            )
    finally:
        await owner.dispose()
    result = await asyncio.to_thread(audit_verify, audited_database)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"ok      {first}  4 events" in result.stdout
    assert f"BROKEN  {second}  event seq 3" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "audit verify: 2 organizations, 1 broken"
