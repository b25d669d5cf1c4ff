"""Reading and writing the rows the quota touches, as the command path and workers do."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from db.engine import Database
from db.models import Job, JobState, QuotaSettlement, UsageLedger


async def insert_job(
    database: Database,
    org_id: uuid.UUID,
    job_id: uuid.UUID,
    tokens: int,
    *,
    state: JobState = JobState.QUEUED,
    tokens_used: int | None = None,
    cost_reserved_micros: int = 0,
) -> None:
    """The row the command path writes right after a reservation was granted."""
    async with database.tenant(org_id) as session:
        session.add(
            Job(
                id=job_id,
                org_id=org_id,
                kind="text",
                state=state,
                requester_id="UEDITOR",
                target_channel="C1",
                masked_prompt="a prompt",
                tokens_reserved=tokens,
                tokens_used=tokens_used,
                cost_reserved_micros=cost_reserved_micros,
                quota_state="reserved",
                attempts=0,
            )
        )


async def set_job(database: Database, org_id: uuid.UUID, job_id: uuid.UUID, **values: object) -> None:
    async with database.tenant(org_id) as session:
        await session.execute(update(Job).where(Job.id == job_id).values(**values))


async def job_quota_state(database: Database, org_id: uuid.UUID, job_id: uuid.UUID) -> tuple[str, int | None]:
    async with database.tenant(org_id) as session:
        row = (await session.execute(select(Job.quota_state, Job.tokens_used).where(Job.id == job_id))).one()
        return row.quota_state, row.tokens_used


async def ledger_used(database: Database, org_id: uuid.UUID) -> tuple[int, int]:
    """(tokens used, overrun) over every month of the organization's ledger."""
    async with database.tenant(org_id) as session:
        rows = (await session.execute(select(UsageLedger.tokens_used, UsageLedger.overrun))).all()
        return sum(r.tokens_used for r in rows), sum(r.overrun for r in rows)


async def settlements(database: Database, org_id: uuid.UUID) -> dict[uuid.UUID, QuotaSettlement]:
    async with database.tenant(org_id) as session:
        return {s.job_id: s for s in (await session.execute(select(QuotaSettlement))).scalars()}
