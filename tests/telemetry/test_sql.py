"""SQL spans record statements with placeholders; parameter values never reach a span."""

from __future__ import annotations

import uuid

from opentelemetry import trace
from sqlalchemy import text

from bot.telemetry import instrument_engine
from db.engine import Database
from tests.support.database import TestDatabase
from tests.support.telemetry import Telemetry

SECRET_VALUE = "jane.doe+secret@example.com"
tracer = trace.get_tracer("tests.telemetry")


async def length_of(database: Database, value: str) -> int:
    async with database.system() as session:
        result = await session.execute(text("SELECT length(:value) AS n"), {"value": value})
        return int(result.scalar_one())


async def test_statements_have_placeholders_not_values(telemetry: Telemetry, test_database: TestDatabase) -> None:
    database = Database(test_database.app_url, pool_size=1)
    instrument_engine(database.engine)
    instrument_engine(database.engine)  # a second call changes nothing
    try:
        with tracer.start_as_current_span("job.persist") as persist:
            assert await length_of(database, SECRET_VALUE) == len(SECRET_VALUE)
    finally:
        await database.dispose()
    (select,) = [span for span in telemetry.spans() if "length" in str((span.attributes or {}).get("db.statement"))]
    assert select.attributes is not None
    assert select.attributes["db.statement"] == "SELECT length($1) AS n"
    assert select.attributes["db.system"] == "postgresql"
    assert select.parent is not None and select.parent.span_id == persist.get_span_context().span_id
    assert all(
        SECRET_VALUE not in str(value) for span in telemetry.spans() for value in (span.attributes or {}).values()
    )


async def test_queries_outside_any_operation_are_not_traced(telemetry: Telemetry, test_database: TestDatabase) -> None:
    # Pool pings and pollers would otherwise each be a trace of their own.
    database = Database(test_database.app_url, pool_size=1)
    instrument_engine(database.engine)
    try:
        await length_of(database, "x")
    finally:
        await database.dispose()
    assert telemetry.spans() == []


async def test_a_driver_transaction_is_a_span_under_a_recording_one(
    telemetry: Telemetry, test_database: TestDatabase
) -> None:
    database = Database(test_database.app_url, pool_size=1)
    org_id = uuid.uuid4()
    try:
        async with database.tenant_driver(org_id, "count_jobs") as driver:
            await driver.fetchval("SELECT count(*) FROM jobs")  # outside any span: none made
        with tracer.start_as_current_span("job.run") as run:
            async with database.tenant_driver(org_id, "count_jobs") as driver:
                assert await driver.fetchval("SELECT count(*) FROM jobs") == 0
    finally:
        await database.dispose()
    (transaction,) = [span for span in telemetry.spans() if span.name == "postgresql count_jobs"]
    assert transaction.attributes is not None and transaction.attributes["db.system"] == "postgresql"
    assert transaction.parent is not None and transaction.parent.span_id == run.get_span_context().span_id
