"""Give back what dead work still holds: reservations whose lease ran out, and finished jobs whose
quota was never reconciled. Called periodically (a Celery beat task); safe to run concurrently and
repeatedly, since settling and releasing are exactly-once.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select

from bot.errors import ServiceUnavailable
from bot.quota.keys import org_keys
from bot.quota.models import ReapReport, SettleResult
from bot.quota.service import REDIS_ERRORS, QuotaService
from db.audit import record_event
from db.engine import Database, is_database_outage
from db.models import Job, JobState, QuotaSettlement
from db.system import list_org_ids, unsettled_jobs

log = logging.getLogger(__name__)

REAP_BATCH = 500
# A job that finished this recently may still be settling itself; leave it to its worker a while.
SETTLE_GRACE_SECONDS = 60
_STILL_WORKING = frozenset({JobState.QUEUED, JobState.RUNNING})
# States reached only after the model answered: without a usage figure the reservation is charged.
_MODEL_ANSWERED = frozenset({JobState.POSTED, JobState.REJECTED, JobState.AWAITING_APPROVAL})


@dataclass(frozen=True)
class _JobFacts:
    state: str | None  # None: no job row (it was never written, or is gone)
    tokens_used: int | None
    tokens_reserved: int
    settled_actual: int | None  # the ledger already has this job's settlement


def closing_charge(facts: _JobFacts) -> int | None:
    """What a held reservation is settled at, or None while its job is still being worked on.

    Release (0) when the model was never called (no usage recorded and no answer produced).
    """
    if facts.settled_actual is not None:
        return facts.settled_actual
    if facts.state in _STILL_WORKING:
        return None
    if facts.tokens_used is not None:
        return facts.tokens_used
    if facts.state in _MODEL_ANSWERED:
        return facts.tokens_reserved
    return 0


async def reap_reservations(quota: QuotaService, database: Database, *, now: float | None = None) -> ReapReport:
    """Close every expired reservation of a finished or vanished job, extend those of jobs still
    running, and reconcile finished jobs still marked 'reserved'. Each is returned once."""
    now = quota.clock() if now is None else now
    report = ReapReport()
    async with database.system() as session:
        org_ids = await list_org_ids(session)
        stranded = await unsettled_jobs(
            session, updated_before=datetime.fromtimestamp(now - SETTLE_GRACE_SECONDS, UTC), limit=REAP_BATCH
        )
    candidates: dict[uuid.UUID, set[uuid.UUID]] = {}
    held_long: dict[uuid.UUID, set[uuid.UUID]] = {}
    try:
        for org_id, expired in (await _leases_ending_before(quota, org_ids, now)).items():
            candidates.setdefault(org_id, set()).update(expired)
        # A worker that died between the ledger's settlement and Redis's leaves the reservation
        # open with a lease of minutes; one held past the grace is applied from the ledger now.
        settled_by = now + quota.lease_seconds - SETTLE_GRACE_SECONDS
        for org_id, held in (await _leases_ending_before(quota, org_ids, settled_by)).items():
            held_long.setdefault(org_id, set()).update(set(held) - candidates.get(org_id, set()))
    except REDIS_ERRORS:
        log.warning("Redis unreachable; reaping only what the ledger shows", exc_info=True)
    for job in stranded:
        candidates.setdefault(job.org_id, set()).add(job.id)
    for org_id, job_ids in candidates.items():
        await _reap_org(quota, database, org_id, sorted(job_ids), now, report)
    for org_id, job_ids in held_long.items():
        if job_ids:
            await _reap_org(quota, database, org_id, sorted(job_ids), now, report, only_settled=True)
    if report.returned or report.failed:
        log.info(
            "reaper: %d released, %d settled, %d extended, %d left for next time",
            len(report.released),
            len(report.settled),
            len(report.extended),
            len(report.failed),
        )
    return report


async def _leases_ending_before(
    quota: QuotaService, org_ids: list[uuid.UUID], now: float
) -> dict[uuid.UUID, list[uuid.UUID]]:
    expired: dict[uuid.UUID, list[uuid.UUID]] = {}
    for start in range(0, len(org_ids), REAP_BATCH):
        batch = org_ids[start : start + REAP_BATCH]
        async with quota.redis.pipeline(transaction=False) as pipe:
            for org_id in batch:
                pipe.zrangebyscore(org_keys(org_id, quota.key_space).leases, "-inf", now, start=0, num=REAP_BATCH)
            answers = await pipe.execute()
        for org_id, members in zip(batch, answers, strict=True):
            if members:
                expired[org_id] = [uuid.UUID(m.decode() if isinstance(m, bytes) else m) for m in members]
    return expired


async def _job_facts(database: Database, org_id: uuid.UUID, job_ids: list[uuid.UUID]) -> dict[uuid.UUID, _JobFacts]:
    async with database.tenant(org_id) as session:
        jobs = {
            row.id: row
            for row in await session.execute(
                select(Job.id, Job.state, Job.tokens_used, Job.tokens_reserved).where(Job.id.in_(job_ids))
            )
        }
        settled = {
            job_id: actual
            for job_id, actual in await session.execute(
                select(QuotaSettlement.job_id, QuotaSettlement.actual).where(QuotaSettlement.job_id.in_(job_ids))
            )
        }
    facts = {}
    for job_id in job_ids:
        job = jobs.get(job_id)
        facts[job_id] = _JobFacts(
            state=job.state if job else None,
            tokens_used=job.tokens_used if job else None,
            tokens_reserved=job.tokens_reserved if job else 0,
            settled_actual=settled.get(job_id),
        )
    return facts


async def _reap_org(
    quota: QuotaService,
    database: Database,
    org_id: uuid.UUID,
    job_ids: list[uuid.UUID],
    now: float,
    report: ReapReport,
    *,
    only_settled: bool = False,
) -> None:
    """Close what each job's facts allow; ``only_settled``: only reservations whose settlement the
    ledger already has (their lease has not run out, so nothing else is decided for them)."""
    try:
        facts = await _job_facts(database, org_id, job_ids)
    except Exception as error:
        if not is_database_outage(error):
            raise
        log.warning("reaper: cannot read jobs of organization %s", org_id, exc_info=True)
        report.failed.extend(job_ids)
        return
    for job_id in job_ids:
        if only_settled and facts[job_id].settled_actual is None:
            continue
        charge = closing_charge(facts[job_id])
        try:
            if charge is None:
                await quota.extend_lease(org_id, job_id, now=now)
                report.extended.append(job_id)
                continue
            outcome: Literal["settled", "released"] = (
                "released" if charge == 0 and facts[job_id].settled_actual is None else "settled"
            )
            result = await quota.close(org_id, job_id, charge, outcome=outcome)
        except ServiceUnavailable:
            report.failed.append(job_id)
            continue
        if not result.synced:
            report.failed.append(job_id)
        elif result.recorded or result.applied:
            (report.released if outcome == "released" else report.settled).append(job_id)
            await _audit(database, org_id, job_id, outcome, result)


async def _audit(database: Database, org_id: uuid.UUID, job_id: uuid.UUID, outcome: str, result: SettleResult) -> None:
    try:
        async with database.tenant(org_id) as session:
            await record_event(
                session,
                org_id,
                "quota.reaped",
                actor="reaper",
                job_id=job_id,
                detail={
                    "outcome": outcome,
                    "reserved": result.reserved,
                    "actual": result.actual,
                    "refunded": result.refunded,
                    "overrun": result.overrun,
                },
            )
    except Exception as error:
        if not is_database_outage(error):
            raise
        log.warning("reaper: could not audit job %s", job_id, exc_info=True)
