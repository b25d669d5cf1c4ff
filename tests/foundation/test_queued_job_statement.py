"""The web tier's one statement: a queued job and its audit event, under the job's tenant, on the
audit chain; never twice; and written even through a pooled connection a restart killed."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import IntegrityError

from db.audit import verify_chain
from db.engine import Database
from db.models import AuditEvent, Job
from db.queued_jobs import insert_queued_job


def queued_job(**changes: Any) -> dict[str, Any]:
    job = {
        "id": uuid.uuid4(),
        "kind": "text",
        "state": "queued",
        "requester_id": "UEDITOR",
        "source_channel": "CGENERAL",
        "target_channel": "CGENERAL",
        "masked_prompt": "write to <EMAIL_ADDRESS_1>",
        "pii_mapping_enc": None,
        "response_url": None,
        "schedule_id": None,
        "schedule_run_at": None,
        "seed": None,
        "tokens_reserved": 120,
        "quota_state": "reserved",
        "attempts": 0,
        "trace_context": {"traceparent": "00-" + "1" * 32 + "-" + "2" * 16 + "-01"},
    }
    job.update(changes)
    return job


async def rows(database: Database, org_id: uuid.UUID, job_id: uuid.UUID) -> tuple[int, list[str]]:
    async with database.tenant(org_id) as session:
        jobs = (await session.execute(select(func.count()).select_from(Job).where(Job.id == job_id))).scalar_one()
        events = (await session.execute(select(AuditEvent.action).where(AuditEvent.job_id == job_id))).scalars()
        return jobs, list(events)


async def test_one_statement_writes_the_job_and_its_event_on_the_chain(app_db: Database, org_id: uuid.UUID) -> None:
    job = queued_job()
    await insert_queued_job(app_db, org_id, job, actor="UEDITOR", detail={"kind": "text", "tokens_reserved": 120})
    assert await rows(app_db, org_id, job["id"]) == (1, ["job.queued"])
    async with app_db.tenant(org_id) as session:
        stored = (await session.execute(select(Job).where(Job.id == job["id"]))).scalar_one()
        event = (await session.execute(select(AuditEvent).where(AuditEvent.job_id == job["id"]))).scalar_one()
        report = await verify_chain(session, org_id)
    assert stored.org_id == org_id and stored.masked_prompt == job["masked_prompt"]
    assert stored.trace_context == job["trace_context"]
    assert event.actor == "UEDITOR" and event.detail == {"kind": "text", "tokens_reserved": 120}
    assert report.ok and report.events == 2  # org.created, job.queued


async def test_concurrent_commands_keep_one_unbroken_chain(app_db: Database, org_id: uuid.UUID) -> None:
    await asyncio.gather(
        *(insert_queued_job(app_db, org_id, queued_job(), actor="UEDITOR", detail={"i": i}) for i in range(20))
    )
    async with app_db.tenant(org_id) as session:
        report = await verify_chain(session, org_id)
    assert report.ok and report.events == 21


async def test_a_job_is_never_written_twice(app_db: Database, org_id: uuid.UUID) -> None:
    job = queued_job()
    await insert_queued_job(app_db, org_id, job, actor="UEDITOR", detail={})
    with pytest.raises(IntegrityError):
        await insert_queued_job(app_db, org_id, job, actor="UEDITOR", detail={})
    assert await rows(app_db, org_id, job["id"]) == (1, ["job.queued"])


async def test_a_job_for_an_organization_that_does_not_exist_is_refused(app_db: Database, org_id: uuid.UUID) -> None:
    # The tenant is the row's organization by construction, and it must exist.
    job = queued_job()
    with pytest.raises(IntegrityError):
        await insert_queued_job(app_db, uuid.uuid4(), job, actor="UEDITOR", detail={})
    assert await rows(app_db, org_id, job["id"]) == (0, [])


async def test_a_connection_a_restart_killed_costs_no_command(
    test_database: Any, owner_db: Database, org_id: uuid.UUID
) -> None:
    database = Database(test_database.app_url, pool_size=1, pre_ping=False)
    try:
        job = queued_job()
        await insert_queued_job(database, org_id, job, actor="UEDITOR", detail={})
        async with database.engine.connect() as connection:
            pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        async with owner_db.engine.begin() as owner:
            await owner.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        second = queued_job()
        await insert_queued_job(database, org_id, second, actor="UEDITOR", detail={})
        assert await rows(database, org_id, second["id"]) == (1, ["job.queued"])
    finally:
        await database.dispose()


async def test_a_burst_of_commands_waits_for_the_web_pools_connections_instead_of_opening_more(
    test_database: Any, org_id: uuid.UUID
) -> None:
    # The web tier's pool shape (Runtime.for_web): no overflow connections opened and closed again.
    database = Database(test_database.app_url, pool_size=2, max_overflow=0, pre_ping=False)
    opened: list[object] = []
    event.listen(database.engine.sync_engine.pool, "connect", lambda connection, record: opened.append(record))
    try:
        jobs = [queued_job() for _ in range(20)]
        await asyncio.gather(*(insert_queued_job(database, org_id, job, actor="UEDITOR", detail={}) for job in jobs))
        assert len(opened) <= 2
        assert [await rows(database, org_id, job["id"]) for job in jobs] == [(1, ["job.queued"])] * 20
    finally:
        await database.dispose()
