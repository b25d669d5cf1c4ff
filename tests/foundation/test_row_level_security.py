"""The database, not the code, keeps tenants apart: pinned against the application role."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from db.engine import Database
from db.models import TENANT_TABLES
from db.rls import TENANT_POLICY_TABLES
from tests.support.database import TestDatabase, refused_by_postgres
from tests.support.rows import fill_organization


async def _count(session, table: str) -> int:
    return (await session.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()


async def _foreign_rows(session, table: str, org_id: uuid.UUID) -> int:
    column = TENANT_POLICY_TABLES[table]
    return (
        await session.execute(text(f"SELECT count(*) FROM {table} WHERE {column} <> :org"), {"org": org_id})
    ).scalar_one()


async def _scenario(app_url: str, row_counts: list[int]) -> None:
    database = Database(app_url, pool_size=2)
    try:
        org_ids = [uuid.uuid4() for _ in row_counts]
        for org_id, rows in zip(org_ids, row_counts, strict=True):
            async with database.tenant(org_id) as session:
                await fill_organization(session, org_id, rows=rows, tag=uuid.uuid4().hex[:8])
        for org_id, rows in zip(org_ids, row_counts, strict=True):
            async with database.tenant(org_id) as session:
                for table in TENANT_TABLES:
                    assert await _foreign_rows(session, table, org_id) == 0, table
                assert await _count(session, "members") == rows
                assert await _count(session, "jobs") == rows
                assert await _count(session, "audit_events") == rows
                assert await _count(session, "organizations") == 1
        async with database.system() as session:
            for table in TENANT_TABLES:
                assert await _count(session, table) == 0, table
    finally:
        await database.dispose()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row_counts=st.lists(st.integers(min_value=0, max_value=4), min_size=2, max_size=5))
def test_each_organization_sees_only_its_rows(test_database: TestDatabase, row_counts: list[int]) -> None:
    asyncio.run(_scenario(test_database.app_url, row_counts))


async def test_insert_naming_another_organization_is_refused(app_db: Database, org_id: uuid.UUID) -> None:
    other = uuid.uuid4()
    with refused_by_postgres('new row violates row-level security policy for table "members"'):
        async with app_db.tenant(org_id) as session:
            await session.execute(
                text("INSERT INTO members (org_id, slack_user_id, role, updated_at) VALUES (:o, 'U1', 'admin', now())"),
                {"o": other},
            )


async def test_update_moving_a_row_to_another_organization_is_refused(app_db: Database, org_id: uuid.UUID) -> None:
    with refused_by_postgres('new row violates row-level security policy for table "workspaces"'):
        async with app_db.tenant(org_id) as session:
            await session.execute(text("UPDATE workspaces SET org_id = :o"), {"o": uuid.uuid4()})


async def test_update_of_another_organizations_rows_touches_nothing(
    app_db: Database, owner_db: Database, org_id: uuid.UUID
) -> None:
    victim = uuid.uuid4()
    async with app_db.tenant(victim) as session:
        await fill_organization(session, victim, rows=1, tag=victim.hex[:8])
    async with app_db.tenant(org_id) as session:
        result = await session.execute(text("UPDATE members SET role = 'admin' WHERE org_id = :v"), {"v": victim})
        assert result.rowcount == 0
        result = await session.execute(text("DELETE FROM jobs WHERE org_id = :v"), {"v": victim})
        assert result.rowcount == 0
    async with owner_db.tenant(victim) as session:
        assert (
            await session.execute(text("SELECT role FROM members WHERE org_id = :v"), {"v": victim})
        ).scalar() == "editor"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'forged'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ],
)
async def test_audit_events_are_append_only(app_db: Database, org_id: uuid.UUID, statement: str) -> None:
    with refused_by_postgres("permission denied for table audit_events"):
        async with app_db.tenant(org_id) as session:
            await session.execute(text(statement))


@pytest.mark.parametrize(
    ("statement", "refusal"),
    [
        ("ALTER TABLE jobs DISABLE ROW LEVEL SECURITY", "must be owner of table jobs"),
        ("ALTER TABLE jobs NO FORCE ROW LEVEL SECURITY", "must be owner of table jobs"),
        # PostgreSQL names the table a "relation" in this one message.
        ("DROP POLICY tenant_isolation ON jobs", "must be owner of (relation|table) jobs"),
        ("CREATE POLICY open_door ON jobs USING (true)", "must be owner of table jobs"),
        ("SET ROLE postgres", 'permission denied to set role "postgres"'),
        ("SET ROLE content_factory_definer", 'permission denied to set role "content_factory_definer"'),
        ("SET SESSION AUTHORIZATION postgres", 'permission denied to set session authorization "postgres"'),
        ("ALTER ROLE cf_app BYPASSRLS", "must be superuser to change bypassrls attribute"),
        ("CREATE TABLE escape_hatch (id int)", "permission denied for schema public"),
    ],
)
async def test_application_role_cannot_escape_row_level_security(
    app_db: Database, org_id: uuid.UUID, statement: str, refusal: str
) -> None:
    with refused_by_postgres(refusal):
        async with app_db.tenant(org_id) as session:
            await session.execute(text(statement))


async def test_a_mistyped_statement_is_not_taken_for_a_refusal(app_db: Database, org_id: uuid.UUID) -> None:
    """The check above must be able to fail: a statement naming a table that does not exist is
    refused for a different reason, and ``refused_by_postgres`` says so."""
    with pytest.raises(AssertionError, match="SQLSTATE 42P01"):
        with refused_by_postgres("must be owner of table jobz"):
            async with app_db.tenant(org_id) as session:
                await session.execute(text("ALTER TABLE jobz DISABLE ROW LEVEL SECURITY"))


async def test_application_role_owns_nothing_and_cannot_bypass(app_db: Database) -> None:
    async with app_db.system() as session:
        role = (
            await session.execute(
                text("SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = current_user")
            )
        ).one()
        assert tuple(role) == (False, False, False)
        owned = (
            await session.execute(
                text(
                    "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
                )
            )
        ).scalar_one()
        assert owned == 0
        forced = (
            await session.execute(
                text(
                    "SELECT count(*) FROM pg_class WHERE relname = ANY(:t) AND relrowsecurity AND relforcerowsecurity"
                ),
                {"t": [*TENANT_TABLES, "oauth_states"]},
            )
        ).scalar_one()
        assert forced == len(TENANT_TABLES) + 1


async def test_pooled_connection_never_carries_a_tenant_over(test_database: TestDatabase) -> None:
    database = Database(test_database.app_url, pool_size=1)
    try:
        database.engine.pool._max_overflow = 0  # one connection: B must reuse A's
        org_a, org_b = uuid.uuid4(), uuid.uuid4()
        async with database.tenant(org_a) as session:
            await fill_organization(session, org_a, rows=2, tag=org_a.hex[:8])
            pid_a = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        async with database.tenant(org_b) as session:
            pid_b = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            assert (await session.execute(text("SELECT count(*) FROM jobs"))).scalar_one() == 0
            assert (await session.execute(text("SELECT current_setting('app.org_id', true)"))).scalar_one() == str(
                org_b
            )
        async with database.system() as session:
            pid_c = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            assert (
                await session.execute(text("SELECT coalesce(current_setting('app.org_id', true), '')"))
            ).scalar_one() == ""
            assert (await session.execute(text("SELECT count(*) FROM jobs"))).scalar_one() == 0
        assert pid_a == pid_b == pid_c
    finally:
        await database.dispose()


@pytest.mark.parametrize(
    "smuggled",
    [
        "'; SELECT set_config('app.org_id', '{other}', false); --",
        "{other}') OR 1=1 --",
        "SET app.org_id = '{other}'",
        "$$; RESET ALL; $$",
    ],
)
async def test_org_id_smuggled_in_user_text_has_no_effect(app_db: Database, org_id: uuid.UUID, smuggled: str) -> None:
    victim = uuid.uuid4()
    async with app_db.tenant(victim) as session:
        await fill_organization(session, victim, rows=1, tag=victim.hex[:8])
    prompt = smuggled.format(other=victim)
    async with app_db.tenant(org_id) as session:
        await session.execute(
            text(
                "INSERT INTO jobs (id, org_id, kind, state, requester_id, target_channel, masked_prompt, "
                "tokens_reserved, quota_state, attempts, created_at, updated_at) "
                "VALUES (:id, :org, 'text', 'queued', 'U1', 'C1', :p, 1, 'reserved', 0, now(), now())"
            ),
            {"id": uuid.uuid4(), "org": org_id, "p": prompt},
        )
    async with app_db.tenant(org_id) as session:
        stored = (await session.execute(text("SELECT masked_prompt FROM jobs"))).scalars().all()
        assert stored == [prompt]
        assert (await session.execute(select(func.count()).select_from(text("organizations")))).scalar_one() == 1
        assert await _foreign_rows(session, "jobs", org_id) == 0
