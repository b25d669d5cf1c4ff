"""Two databases of one server migrated at the same moment: roles belong to the server, so both
migrations may create the same role at once, and neither may fail for it (the test lanes do
exactly this on a server that has never seen the project)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable
from typing import TypeVar

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from db.migrate import migrate
from db.rls import create_role_once_sql
from tests.support.database import TestDatabase, admin_execute, connected, fetch_value, run_database_name
from tests.support.waiting import wait_until

PASSWORD = "roles-at-once-test"
T = TypeVar("T")


@pytest.fixture
async def new_role(test_database: TestDatabase) -> AsyncIterator[str]:
    role = f"cf_at_once_{uuid.uuid4().hex[:8]}"
    try:
        yield role
    finally:
        await admin_execute(test_database.admin_url, f"DROP ROLE IF EXISTS {role}")


async def _waiting_for_a_lock(url: str, role: str) -> bool:
    """Whether some session's statement creating ``role`` waits for a lock now."""
    query = (
        f"SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ~ 'CREATE ROLE \"?{role}\"? '"
    )
    return bool(await fetch_value(url, query))


async def _finish_after_the_first_commits(url: str, first: asyncpg.Connection, second: Awaitable[T], role: str) -> T:
    """Let ``second`` run into the role ``first`` created but has not committed, then commit ``first``
    and give ``second``'s result (or raise its error)."""
    waiting = asyncio.ensure_future(second)
    try:
        await wait_until(lambda: _waiting_for_a_lock(url, role), "the second CREATE ROLE never waited for the first")
        await first.execute("COMMIT")
        return await asyncio.wait_for(waiting, timeout=30)
    finally:
        if not waiting.done():
            waiting.cancel()


async def test_the_role_statement_succeeds_when_another_session_creates_the_role_first(
    test_database: TestDatabase, new_role: str
) -> None:
    statement = create_role_once_sql(new_role, "NOLOGIN")
    url = test_database.admin_url
    async with connected(url) as first, connected(url) as second:
        await first.execute("BEGIN")
        await first.execute(statement)
        # The second finds no role (the first's is not committed), creates it, waits on its name.
        await _finish_after_the_first_commits(url, first, second.execute(statement), new_role)
    assert await fetch_value(url, f"SELECT count(*) FROM pg_roles WHERE rolname = '{new_role}'") == 1


async def test_migrate_succeeds_when_another_migration_creates_the_application_role_first(
    test_database: TestDatabase, new_role: str
) -> None:
    url = test_database.admin_url
    name = run_database_name("cf_at_once")
    await admin_execute(url, f'CREATE DATABASE "{name}"')
    admin_url = make_url(url).set(database=name).render_as_string(hide_password=False)
    app_url = make_url(admin_url).set(username=new_role, password=PASSWORD).render_as_string(hide_password=False)
    try:
        async with connected(url) as first:
            await first.execute("BEGIN")
            await first.execute(f"CREATE ROLE {new_role} LOGIN PASSWORD '{PASSWORD}'")
            report = await _finish_after_the_first_commits(url, first, migrate(admin_url, app_url), new_role)
        assert report.role_created is False
        # The role the other session made got the application role's grants all the same.
        assert await fetch_value(app_url, "SELECT count(*) FROM cf_list_org_ids()") == 0
    finally:
        await admin_execute(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
