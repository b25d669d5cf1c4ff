"""A web process opens its pool's connections before it serves: the first commands of a burst
find them open instead of each waiting for a connection's start-up at once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from db.engine import Database

POOL_SIZE = 3


@pytest.fixture
async def web_db(app_db: Database) -> AsyncIterator[Database]:
    database = Database(app_db.url, pool_size=POOL_SIZE, max_overflow=0, pre_ping=False)
    yield database
    await database.dispose()


async def open_backends(owner_db: Database) -> int:
    async with owner_db.engine.connect() as connection:
        found = await connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = 'content-factory' "
                "AND pid <> pg_backend_pid()"
            )
        )
        return int(found.scalar_one())


async def test_opening_the_pool_opens_every_connection_it_keeps(web_db: Database, owner_db: Database) -> None:
    before = await open_backends(owner_db)
    await web_db.open_pool()
    assert web_db.engine.sync_engine.pool.checkedin() == POOL_SIZE
    assert await open_backends(owner_db) - before == POOL_SIZE


async def test_an_opened_pool_serves_statements_on_its_kept_connections(web_db: Database) -> None:
    await web_db.open_pool()
    async with web_db.engine.connect() as connection:
        assert (await connection.execute(text("SELECT 1"))).scalar_one() == 1
    assert web_db.engine.sync_engine.pool.checkedin() == POOL_SIZE
