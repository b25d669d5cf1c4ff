"""The test run's PostgreSQL: the database the session made, its roles, statements run as its
owner, and a statement it refuses for want of privilege."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from db.migrate import migrate_sync

APP_ROLE = "cf_app"
APP_PASSWORD = "cf_app_test"

INSUFFICIENT_PRIVILEGE = "42501"  # SQLSTATE of both a privilege refusal and a row-level security violation

# Every database a test run makes carries the run's process id, so a later run can tell the
# databases of a run that died (and the stray workers still holding their connections) from
# those of a run beside it.
_RUN_DATABASE = re.compile(r"_p(\d+)_[0-9a-f]{8}$")


@dataclass(frozen=True)
class TestDatabase:
    __test__ = False  # a fixture value, not a test class

    name: str
    admin_url: str  # owner (superuser) on the test database
    app_url: str  # the application role: owns nothing, RLS applies


def with_database(url: str, name: str, driver: str = "postgresql+asyncpg") -> str:
    return make_url(url).set(drivername=driver, database=name).render_as_string(hide_password=False)


@contextlib.asynccontextmanager
async def connected(url: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain asyncpg connection to ``url`` (any role, any database), closed when the block ends."""
    parsed = make_url(url)
    conn = await asyncpg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        database=parsed.database,
    )
    try:
        yield conn
    finally:
        await conn.close()


@contextlib.contextmanager
def refused_by_postgres(message: str) -> Iterator[None]:
    """The statement fails with SQLSTATE 42501 and PostgreSQL's own words for why: a mistyped
    statement (42601, 42P01) or a dropped connection is a different error and fails the test."""
    with pytest.raises(DBAPIError) as raised:
        yield
    sqlstate = getattr(raised.value.orig, "sqlstate", None)
    assert sqlstate == INSUFFICIENT_PRIVILEGE, f"SQLSTATE {sqlstate}: {raised.value.orig}"
    assert re.search(message, str(raised.value.orig)), str(raised.value.orig)


async def rows_mentioning(database: TestDatabase, needle: str) -> dict[str, int]:
    """Every table of the database whose rows, as text, contain ``needle`` (read as the owner, a
    superuser on the test server, so Row-Level Security hides nothing)."""
    found: dict[str, int] = {}
    async with connected(database.admin_url) as conn:
        tables = [
            r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        for table in tables:
            count = await conn.fetchval(f'SELECT count(*) FROM "{table}" t WHERE t::text LIKE $1', f"%{needle}%")
            if count:
                found[table] = count
    return found


async def admin_execute(url: str, *statements: str) -> None:
    async with connected(url) as conn:
        for statement in statements:
            await conn.execute(statement)


async def fetch_value(url: str, query: str) -> object:
    async with connected(url) as conn:
        return await conn.fetchval(query)


def run_database_name(prefix: str) -> str:
    """A database name of this test run's own (see ``drop_orphaned_databases``)."""
    return f"{prefix}_p{os.getpid()}_{uuid.uuid4().hex[:8]}"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def drop_orphaned_databases(server_url: str) -> list[str]:
    """Drops the databases of test runs whose process is gone, disconnecting whatever they left
    behind: a killed run's workers otherwise hold the server's connection slots for good."""
    async with connected(server_url) as conn:
        names = [row["datname"] for row in await conn.fetch("SELECT datname FROM pg_database")]
        orphaned = [
            name for name in names if (match := _RUN_DATABASE.search(name)) and not _process_alive(int(match[1]))
        ]
        for name in orphaned:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return orphaned


def new_team_id() -> str:
    return "T" + uuid.uuid4().hex[:10].upper()


@contextlib.contextmanager
def migrated_database(server_url: str, prefix: str = "cf_test") -> Iterator[TestDatabase]:
    """A new database on the run's server, migrated, with URLs for its owner and the application
    role; dropped when the block ends."""
    name = run_database_name(prefix)
    # The database lives as long as the run: a commit need not wait for its WAL to reach the disk
    # (about 3.5 ms a commit on a shared CI disk, thousands of commits a run). Visibility, locking
    # and RLS are unchanged; only a crash of the server itself could lose the last commits.
    asyncio.run(
        admin_execute(server_url, f'CREATE DATABASE "{name}"', f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    )
    admin_url = with_database(server_url, name)
    app_url = make_url(admin_url).set(username=APP_ROLE, password=APP_PASSWORD).render_as_string(hide_password=False)
    migrate_sync(admin_url, app_url)
    try:
        yield TestDatabase(name=name, admin_url=admin_url, app_url=app_url)
    finally:
        asyncio.run(admin_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
