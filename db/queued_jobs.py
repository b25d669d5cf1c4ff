"""A queued job and its audit event, written by one statement in one round trip.

The web tier writes one of these per command, so the usual transaction (BEGIN, set the tenant,
INSERT the job, INSERT the event, COMMIT: five round trips and an ORM flush) is folded into one
statement that runs as its own transaction:

    WITH new_job AS (INSERT INTO jobs ... VALUES (..., set_config('app.org_id', :org, true)::uuid, ...)
                     RETURNING id, org_id)
    INSERT INTO audit_events (org_id, actor, action, job_id, detail)
    SELECT org_id, :actor, 'job.queued', id, :detail FROM new_job

The tenant is set by the very expression that yields the row's ``org_id``, so it is in place
before Row-Level Security checks the row; it lasts as long as the statement. The audit row is
numbered and chained by the same trigger as every other event (``cf_audit_chain``). The job id is
chosen by the caller, so a repeat cannot make a second job (or a second event): it fails on the
job's primary key, which tells that the first one did commit.

SQLAlchemy Core's ``insert`` (not the PostgreSQL dialect's, whose statements SQLAlchemy does not
cache) keeps the compiled form in SQLAlchemy's cache; asyncpg keeps the prepared form per connection.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import UUID, bindparam, cast, func, insert, literal, select, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError, IntegrityError

from db.engine import Database
from db.models import AuditEvent, Job

# The Table objects (``__table__`` is typed as any FromClause).
_jobs = Job.metadata.tables[Job.__tablename__]
_audit = AuditEvent.metadata.tables[AuditEvent.__tablename__]

# Every column a queued job is written with; ``org_id`` comes from the tenant setting.
JOB_COLUMNS = (
    "id",
    "kind",
    "state",
    "requester_id",
    "source_channel",
    "target_channel",
    "masked_prompt",
    "pii_mapping_enc",
    "response_url",
    "schedule_id",
    "schedule_run_at",
    "seed",
    "tokens_reserved",
    "quota_state",
    "attempts",
    "trace_context",
)


def _build_statement() -> Any:
    tenant = cast(func.set_config(literal("app.org_id"), bindparam("tenant"), true()), UUID)
    values: dict[str, Any] = {name: bindparam(name, type_=_jobs.c[name].type) for name in JOB_COLUMNS}
    new_job = insert(_jobs).values(org_id=tenant, **values).returning(_jobs.c.id, _jobs.c.org_id).cte("new_job")
    event = select(
        new_job.c.org_id,
        bindparam("actor", type_=_audit.c.actor.type),
        literal("job.queued", type_=_audit.c.action.type),
        new_job.c.id,
        bindparam("detail", type_=JSONB),
    )
    return insert(_audit).from_select(["org_id", "actor", "action", "job_id", "detail"], event).add_cte(new_job)


QUEUE_JOB = _build_statement()


async def insert_queued_job(
    database: Database, org_id: uuid.UUID, job: dict[str, Any], *, actor: str, detail: dict[str, Any]
) -> None:
    """Write ``job`` (every name in ``JOB_COLUMNS``) with its ``job.queued`` event.

    A connection that a database restart killed fails its first statement; the pool renews its
    connections on that error, and the statement is sent once more on a fresh one. Should the
    first one have committed after all (the connection died with the answer on its way), the
    second meets its job row and changes nothing."""
    params = {**job, "tenant": str(org_id), "actor": actor, "detail": detail}
    try:
        await _execute(database, params)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        try:
            await _execute(database, params)
        except IntegrityError as repeat:
            if getattr(repeat.orig, "sqlstate", None) != _UNIQUE_VIOLATION:
                raise


_UNIQUE_VIOLATION = "23505"


async def _execute(database: Database, params: dict[str, Any]) -> None:
    async with database.single_statement() as connection:
        await connection.execute(QUEUE_JOB, params)
