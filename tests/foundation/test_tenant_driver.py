"""``Database.tenant_driver``: a tenant transaction on the pooled connection's asyncpg driver, as the
workers' per-job statements use it. Row-Level Security holds as in ``Database.tenant``, and a
connection goes back to the pool only outside any transaction and without a tenant."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.orgs.service import create_organization
from db.engine import Database
from db.models import Organization
from tests.support.database import TestDatabase, new_team_id


@pytest.fixture
async def one_connection(test_database: TestDatabase) -> AsyncIterator[Database]:
    """A pool that hands out the same connection again whenever it is free."""
    database = Database(test_database.app_url, pool_size=1)
    yield database
    await database.dispose()


async def connection_state(database: Database) -> tuple[int, str, bool]:
    """The backend a plain checkout gets, whether it came inside a transaction, and its tenant."""
    async with database.single_statement() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        in_transaction = driver.is_in_transaction()
        row = await driver.fetchrow("SELECT pg_backend_pid(), coalesce(current_setting('app.org_id', true), '')")
    return row[0], row[1], in_transaction


async def test_a_driver_transaction_sees_only_its_organization(app_db: Database, org_id: uuid.UUID) -> None:
    await create_organization(app_db, name="Neighbour", team_id=new_team_id())
    async with app_db.tenant_driver(org_id) as driver:
        visible = [row["id"] for row in await driver.fetch("SELECT id FROM organizations")]
    assert visible == [org_id]


async def test_a_driver_transaction_commits_what_it_wrote(app_db: Database, org_id: uuid.UUID) -> None:
    async with app_db.tenant_driver(org_id) as driver:
        await driver.execute("UPDATE organizations SET name = 'Renamed by the driver'")
    async with app_db.tenant(org_id) as session:
        name = (await session.execute(select(Organization.name))).scalar_one()
    assert name == "Renamed by the driver"


async def test_an_error_rolls_back_and_the_connection_returns_clean(
    one_connection: Database, org_id: uuid.UUID
) -> None:
    backend, _, _ = await connection_state(one_connection)
    with pytest.raises(ValueError):
        async with one_connection.tenant_driver(org_id) as driver:
            await driver.execute("UPDATE organizations SET name = 'Never committed'")
            raise ValueError("the caller gave up")
    assert await connection_state(one_connection) == (backend, "", False)
    async with one_connection.tenant(org_id) as session:
        assert (await session.execute(select(Organization.name))).scalar_one() != "Never committed"


async def test_a_statement_the_database_refuses_leaves_the_connection_usable(
    one_connection: Database, org_id: uuid.UUID
) -> None:
    backend, _, _ = await connection_state(one_connection)
    with pytest.raises(Exception, match="division by zero"):
        async with one_connection.tenant_driver(org_id) as driver:
            await driver.execute("SELECT 1 / 0")
    assert await connection_state(one_connection) == (backend, "", False)


async def test_a_cancelled_statement_never_returns_its_connection_to_the_pool(
    one_connection: Database, org_id: uuid.UUID
) -> None:
    backend, _, _ = await connection_state(one_connection)
    started = asyncio.Event()

    async def sleep_in_a_transaction() -> None:
        async with one_connection.tenant_driver(org_id) as driver:
            started.set()
            await driver.execute("SELECT pg_sleep(30)")

    task = asyncio.create_task(sleep_in_a_transaction())
    await started.wait()
    await asyncio.sleep(0.2)  # the sleep is on the server now
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    fresh_backend, tenant, in_transaction = await connection_state(one_connection)
    assert fresh_backend != backend
    assert (tenant, in_transaction) == ("", False)


async def test_a_driver_transaction_refuses_an_organization_that_is_not_a_uuid(app_db: Database) -> None:
    with pytest.raises(TypeError):
        async with app_db.tenant_driver("'; DROP TABLE jobs; --"):
            pass
