"""The test run's PostgreSQL: the database the session made, its roles, and statements run as
its owner."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import asyncpg
from sqlalchemy.engine import make_url

from db.migrate import migrate_sync

APP_ROLE = "cf_app"
APP_PASSWORD = "cf_app_test"


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


async def admin_execute(url: str, *statements: str) -> None:
    async with connected(url) as conn:
        for statement in statements:
            await conn.execute(statement)


async def fetch_value(url: str, query: str) -> object:
    async with connected(url) as conn:
        return await conn.fetchval(query)


def new_team_id() -> str:
    return "T" + uuid.uuid4().hex[:10].upper()


@contextlib.contextmanager
def migrated_database(server_url: str, prefix: str = "cf_test") -> Iterator[TestDatabase]:
    """A new database on the run's server, migrated, with URLs for its owner and the application
    role; dropped when the block ends."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    asyncio.run(admin_execute(server_url, f'CREATE DATABASE "{name}"'))
    admin_url = with_database(server_url, name)
    app_url = make_url(admin_url).set(username=APP_ROLE, password=APP_PASSWORD).render_as_string(hide_password=False)
    migrate_sync(admin_url, app_url)
    try:
        yield TestDatabase(name=name, admin_url=admin_url, app_url=app_url)
    finally:
        asyncio.run(admin_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
