"""``is_database_outage`` tells a lost or unreachable PostgreSQL from a statement it refused, on
errors a real server raises."""

from __future__ import annotations

import aiohttp
import asyncpg
import pytest
from sqlalchemy import text

from db.engine import Database, is_database_outage
from sandbox.local_services import free_port


async def caught(database: Database, statement: str) -> BaseException:
    with pytest.raises(Exception) as raised:
        async with database.system() as session:
            await session.execute(text(statement))
    return raised.value


async def test_an_unreachable_server_is_an_outage() -> None:
    dead = Database(f"postgresql+asyncpg://nobody:x@127.0.0.1:{free_port()}/nothing")
    try:
        assert is_database_outage(await caught(dead, "SELECT 1"))
    finally:
        await dead.dispose()


async def test_a_connection_the_server_terminated_is_an_outage(app_db: Database, owner_db: Database) -> None:
    # What a restart does to every open connection: 57P01, "terminating connection due to
    # administrator command".
    async with app_db.engine.connect() as connection:
        pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        async with owner_db.engine.begin() as owner:
            await owner.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(Exception) as raised:
            await connection.execute(text("SELECT 1"))
    assert is_database_outage(raised.value)


async def test_refused_statements_are_not_outages(app_db: Database) -> None:
    assert not is_database_outage(await caught(app_db, "SELEC 1"))
    assert not is_database_outage(await caught(app_db, "SELECT * FROM no_such_table"))
    assert not is_database_outage(await caught(app_db, "SELECT 1 / 0"))


async def test_a_duplicate_is_not_an_outage(owner_db: Database) -> None:
    with pytest.raises(Exception) as raised:
        async with owner_db.system() as session:
            await session.execute(text("CREATE TEMPORARY TABLE seen (id int PRIMARY KEY) ON COMMIT DROP"))
            await session.execute(text("INSERT INTO seen VALUES (1), (1)"))
    assert "duplicate key" in str(raised.value)
    assert not is_database_outage(raised.value)


def test_asyncpg_refusing_a_new_connection_is_an_outage() -> None:
    # Raised by asyncpg itself while a server starts or stops; SQLAlchemy passes it through unwrapped.
    assert is_database_outage(asyncpg.exceptions.CannotConnectNowError("the database system is starting up"))
    assert is_database_outage(asyncpg.exceptions.AdminShutdownError("terminating connection"))
    assert not is_database_outage(asyncpg.exceptions.UniqueViolationError("duplicate key"))


async def test_slack_being_unreachable_is_not_a_database_outage() -> None:
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.ClientError) as raised:
            await http.post(f"http://127.0.0.1:{free_port()}/api/chat.postMessage")
    assert isinstance(raised.value, OSError)  # which is why it needs telling apart
    assert not is_database_outage(raised.value)


def test_errors_of_other_kinds_are_not_outages() -> None:
    assert not is_database_outage(ValueError("bad value"))
    assert not is_database_outage(KeyError("org_id"))
