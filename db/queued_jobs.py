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

The statement is written with SQLAlchemy Core and compiled once, at import, for asyncpg; each
command then sends it on the pooled connection's asyncpg driver itself (``Database.pooled_driver``),
which keeps it prepared per connection. SQLAlchemy's execution path (cache look-up, a type
processor per parameter, the result) cost as much CPU again as the statement's own work, on the
web tier's hottest path. The
pool, its renewal of connections a restart killed, and SQLAlchemy's ``IntegrityError`` for a
repeat stay as they were.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg
from sqlalchemy import UUID, bindparam, cast, func, insert, literal, select, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.util import greenlet_spawn

from db.engine import Database, is_database_outage
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
    "post_at",
    "seed",
    "brand_voice",
    "tokens_reserved",
    "cost_reserved_micros",
    "quota_state",
    "attempts",
    "trace_context",
    "thread_ts",
    "pregenerated",
)
# Columns a caller may leave out (written as NULL).
OPTIONAL_COLUMNS = frozenset({"thread_ts"})


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


def _compile_for_asyncpg(statement: Any) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """The statement's SQL for asyncpg ($1, $2, ...), the parameter names in that order, and the
    values of the literals SQLAlchemy turned into parameters."""
    # SQLAlchemy ships the dialect class without annotations on its constructor.
    compiled = statement.compile(dialect=asyncpg_dialect())  # type: ignore[no-untyped-call]  # unannotated __init__
    names = tuple(compiled.positiontup or ())
    literals = {name: value for name, value in compiled.params.items() if value is not None}
    return compiled.string, names, literals


QUEUE_JOB_SQL, _PARAMETER_ORDER, _LITERALS = _compile_for_asyncpg(QUEUE_JOB)
# What SQLAlchemy's type processors would do to these values: JSONB goes as JSON text (the pool's
# connections carry SQLAlchemy's jsonb codec, which takes text), enums as their plain string.
_AS_JSON = frozenset({"trace_context", "detail"})
_AS_TEXT = frozenset({"kind", "state"})


# Columns a caller may leave out: a job carries the brand kit and posts at once unless it says
# otherwise, a job no price table priced holds no money, and a job is someone's request unless it
# was pre-generated.
_DEFAULTS: dict[str, Any] = {"brand_voice": True, "post_at": None, "cost_reserved_micros": 0, "pregenerated": False}


def _arguments(params: dict[str, Any]) -> list[Any]:
    values = {**_LITERALS, **_DEFAULTS, **params}
    arguments = []
    for name in _PARAMETER_ORDER:
        value = values.get(name) if name in OPTIONAL_COLUMNS else values[name]
        if value is not None and name in _AS_JSON:
            value = json.dumps(value)
        elif value is not None and name in _AS_TEXT:
            value = str(value)
        arguments.append(value)
    return arguments


async def insert_queued_job(
    database: Database, org_id: uuid.UUID, job: dict[str, Any], *, actor: str, detail: dict[str, Any]
) -> None:
    """Write ``job`` (every name in ``JOB_COLUMNS``) with its ``job.queued`` event; a job id that
    exists already raises SQLAlchemy's ``IntegrityError`` (so does an organization that does not).

    A connection that a database restart killed fails its first statement; it is dropped from the
    pool, and the statement is sent once more on a fresh one. Should the first one have committed
    after all (the connection died with the answer on its way), the second meets its job row and
    changes nothing."""
    arguments = _arguments({**job, "tenant": str(org_id), "actor": actor, "detail": detail})
    try:
        await _execute(database, arguments)
    except _ConnectionLost:
        try:
            await _execute(database, arguments)
        except _ConnectionLost as lost:
            raise lost.error from None
        except IntegrityError as repeat:
            if getattr(repeat.orig, "sqlstate", None) != _UNIQUE_VIOLATION:
                raise


_UNIQUE_VIOLATION = "23505"


class _ConnectionLost(Exception):
    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


async def _execute(database: Database, arguments: list[Any]) -> None:
    async with database.pooled_driver() as pooled:
        driver = pooled.driver_connection
        assert driver is not None, "a pooled connection always has its asyncpg connection"
        try:
            await driver.execute(QUEUE_JOB_SQL, *arguments)
        except asyncpg.IntegrityConstraintViolationError as error:
            raise IntegrityError(QUEUE_JOB_SQL, None, error) from error
        except Exception as error:
            # asyncpg's own "connection is closed" carries no SQLSTATE: the driver says it is closed.
            if not (is_database_outage(error) or driver.is_closed()):
                raise
            # The pool must not hand this connection out again.
            await greenlet_spawn(pooled.invalidate, error)
            raise _ConnectionLost(error) from error
