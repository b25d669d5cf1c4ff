"""A pool that pings only connections idle a while (the workers'): one the server terminated while
it sat in the pool is replaced on checkout, and a connection in steady use is not pinged."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from db.engine import Database

IDLE_SECONDS = 0.2


@pytest.fixture
async def worker_db(app_db: Database) -> AsyncIterator[Database]:
    database = Database(app_db.url, pool_size=1, ping_idle_after=IDLE_SECONDS)
    yield database
    await database.dispose()


async def backend_pid(database: Database) -> int:
    async with database.engine.connect() as connection:
        return int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_connection_terminated_while_idle_is_replaced_on_checkout(
    worker_db: Database, owner_db: Database
) -> None:
    first = await backend_pid(worker_db)
    async with owner_db.engine.begin() as owner:
        await owner.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    await asyncio.sleep(IDLE_SECONDS * 2)
    assert await backend_pid(worker_db) != first


async def test_a_connection_in_steady_use_is_not_pinged(worker_db: Database) -> None:
    pings: list[object] = []
    dialect = worker_db.engine.dialect
    ping = dialect.do_ping
    dialect.do_ping = lambda connection: pings.append(connection) or ping(connection)
    pids = {await backend_pid(worker_db) for _ in range(5)}
    assert len(pids) == 1 and pings == []
    await asyncio.sleep(IDLE_SECONDS * 2)
    assert await backend_pid(worker_db) in pids and len(pings) == 1
