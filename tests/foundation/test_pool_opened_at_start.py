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


async def test_opening_given_up_half_way_hands_back_what_it_opened(
    web_db: Database, monkeypatch: pytest.MonkeyPatch, recwarn: pytest.WarningsRecorder
) -> None:
    pool = web_db.engine.sync_engine.pool
    connect = pool.connect
    opened = 0

    def connect_until_the_database_stops_answering() -> object:
        nonlocal opened
        if opened == POOL_SIZE - 1:
            raise TimeoutError("the database stopped answering")
        opened += 1
        return connect()

    monkeypatch.setattr(pool, "connect", connect_until_the_database_stops_answering)

    with pytest.raises(TimeoutError):
        await web_db.open_pool()

    assert pool.checkedout() == 0
    assert pool.checkedin() == POOL_SIZE - 1
    # Handed back, not left for the garbage collector to find (SQLAlchemy warns when it does).
    assert not [warning for warning in recwarn if "garbage collector" in str(warning.message)]
