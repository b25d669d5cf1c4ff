"""A job's states and the only ways between them.

Every transition is one compare-and-set UPDATE under the job's tenant session, with its audit
event in the same transaction: a transition that did not happen leaves no event, and one that
happened always has one. A claim hands out a ``Lease`` whose ``attempt`` (the job's ``attempts``
after the claim) is a fencing token: a worker whose lease ran out and whose job another worker
took over finds every later update refused instead of overwriting the newer attempt's work.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Interval, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.orgs.service import OrgPolicy
from db.audit import record_event, record_events
from db.engine import Database
from db.models import Job, JobState, Organization

ACTOR = "worker"
# A lease is trusted without asking the database only during this first share of it: the
# database's clock and ours may drift, and a pause may sit between the check and the act.
LOCAL_TRUST_SHARE = 0.5


class LeaseLost(Exception):
    """The job is no longer this worker's: its lease ran out and it was requeued or finished."""


@dataclass
class Lease:
    job_id: uuid.UUID
    org_id: uuid.UUID
    attempt: int
    seconds: float
    renewed_at: float = field(default_factory=time.monotonic)

    def surely_held(self) -> bool:
        """True while the lease cannot have run out yet, so a database check can be skipped."""
        return time.monotonic() - self.renewed_at < self.seconds * LOCAL_TRUST_SHARE


@dataclass(frozen=True)
class JobResult:
    """Generated content, kept on the job in the same transaction as the state it leads to."""

    text: str | None
    png: bytes | None
    model: str
    tokens_used: int
    reused: bool = False  # taken from the result cache: no model was called
    cached_tokens: int = 0  # input tokens read from a provider's context cache

    def values(self) -> dict[str, Any]:
        return {
            "result_text": self.text,
            "result_image": self.png,
            "model": self.model,
            "tokens_used": self.tokens_used,
        }

    def audit_detail(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "tokens_used": self.tokens_used,
            "kind": "image" if self.png is not None else "text",
            **({"cached_tokens": self.cached_tokens} if self.cached_tokens else {}),
        }


def stored_result(job: Job) -> JobResult | None:
    """The result an earlier attempt kept on the job, if any."""
    if job.result_text is None and job.result_image is None:
        return None
    return JobResult(job.result_text, job.result_image, job.model or "", job.tokens_used or 0)


@dataclass(frozen=True)
class Claim:
    job: Job
    lease: Lease
    policy: OrgPolicy  # read in the claim's transaction: what the organization decided right now


def _interval(seconds: float) -> Any:
    return literal(timedelta(seconds=seconds), Interval)


# Every UPDATE here runs in a fresh session that holds no objects to keep in step with it, so the
# ORM's search for them (synchronize_session) is skipped on these hot statements.
def _held(lease: Lease) -> Any:
    return (Job.id == lease.job_id) & (Job.state == JobState.RUNNING) & (Job.attempts == lease.attempt)


async def _audit(session: AsyncSession, job: Job, action: str, **detail: Any) -> None:
    await record_event(session, job.org_id, action, actor=ACTOR, job_id=job.id, detail=detail)


async def claim_job(database: Database, org_id: uuid.UUID, job_id: uuid.UUID, lease_seconds: float) -> Claim | None:
    """``queued`` -> ``running`` for one attempt; None when the job is not there to claim (a
    duplicate delivery, or a job already running or past it). An approved job is ``queued`` again
    with its result and decision, so the same claim takes it to posting."""
    started = time.monotonic()
    async with database.tenant(org_id) as session:
        # One statement claims the job and reads its organization's policy as of this moment.
        row = (
            await session.execute(
                update(Job)
                .execution_options(synchronize_session=False)
                .where(Job.id == job_id, Job.state == JobState.QUEUED, Organization.id == Job.org_id)
                .values(
                    state=JobState.RUNNING,
                    attempts=Job.attempts + 1,
                    lease_until=func.now() + _interval(lease_seconds),
                    updated_at=func.now(),
                )
                .returning(Job, Organization)
            )
        ).one_or_none()
        if row is None:
            return None
        job, org = row.tuple()
        await _audit(session, job, "job.running", attempt=job.attempts)
    policy = OrgPolicy.of(org)
    return Claim(job, Lease(job.id, job.org_id, job.attempts, lease_seconds, renewed_at=started), policy)


async def extend_lease(database: Database, lease: Lease) -> bool:
    """The heartbeat: push the lease forward; False when the job is no longer ours."""
    started = time.monotonic()
    async with database.tenant(lease.org_id) as session:
        renewed = (
            await session.execute(
                update(Job)
                .execution_options(synchronize_session=False)
                .where(_held(lease))
                # Not a transition: updated_at stays, and no audit event is written.
                .values(lease_until=func.now() + _interval(lease.seconds), updated_at=Job.updated_at)
                .returning(Job.id)
            )
        ).first()
    if renewed is not None:
        lease.renewed_at = started
    return renewed is not None


async def confirm_lease(database: Database, lease: Lease) -> None:
    """Raise LeaseLost unless the job is still ours; free while the lease is surely held."""
    if lease.surely_held():
        return
    if not await extend_lease(database, lease):
        raise LeaseLost(str(lease.job_id))


async def _transition(
    database: Database,
    lease: Lease,
    values: dict[str, Any],
    action: str,
    detail: dict[str, Any],
    result: JobResult | None,
) -> Job:
    async with database.tenant(lease.org_id) as session:
        job = (
            await session.scalars(
                update(Job)
                .execution_options(synchronize_session=False)
                .where(_held(lease))
                .values(updated_at=func.now(), **(result.values() if result else {}), **values)
                .returning(Job)
            )
        ).one_or_none()
        if job is None:
            raise LeaseLost(str(lease.job_id))
        if result is not None:
            await _audit(session, job, "job.generated", attempt=lease.attempt, **result.audit_detail())
        await _audit(session, job, action, attempt=lease.attempt, **detail)
    return job


async def mark_awaiting_approval(
    database: Database, lease: Lease, *, approvers_channel: str | None, result: JobResult | None = None
) -> Job:
    return await _transition(
        database,
        lease,
        {"state": JobState.AWAITING_APPROVAL, "lease_until": None},
        "job.awaiting_approval",
        {"approvers_channel": approvers_channel},
        result,
    )


async def mark_failed(
    database: Database, lease: Lease, reason: str, *, result: JobResult | None = None, **detail: Any
) -> Job:
    """``running`` -> ``failed``; the PII mapping goes with it (the job is final)."""
    return await _transition(
        database,
        lease,
        {"state": JobState.FAILED, "error": reason, "lease_until": None, "pii_mapping_enc": None},
        "job.failed",
        {"reason": reason, **detail},
        result,
    )


async def requeue_job(database: Database, lease: Lease, reason: str, *, result: JobResult | None = None) -> Job:
    """``running`` -> ``queued`` after a passing outage, keeping any result so the retry only posts;
    the outbox sweeper sends it again."""
    return await _transition(
        database,
        lease,
        {"state": JobState.QUEUED, "lease_until": None},
        "job.requeued",
        {"reason": reason},
        result,
    )


async def mark_held(database: Database, lease: Lease, *, result: JobResult | None) -> Job:
    """``running`` -> ``held``: a warmed scheduled run has its result (and its approval, when one
    was needed) ahead of its due time; the beat queues it again at ``post_at`` and the claim that
    follows posts it without calling a model."""
    return await _transition(database, lease, {"state": JobState.HELD, "lease_until": None}, "job.held", {}, result)


async def mark_posted(
    database: Database, lease: Lease, *, ts: str, channel: str, result: JobResult, store_result: bool
) -> bool:
    """``running`` -> ``posted`` with the message's ``ts`` (and ``result``, when this attempt made
    it and ``store_result`` says so).

    Deliberately not fenced by the attempt: once Slack has accepted a post its ts is recorded even
    when this worker's lease ran out meanwhile (the job requeued by the sweeper, or claimed by a
    newer attempt), because a recorded ts is what stops every later attempt from posting again.
    False when another attempt recorded a post first (or the job ended otherwise meanwhile); the
    attempt that gets True is the one that settles the job's quota."""
    async with database.tenant(lease.org_id) as session:
        # Only the id comes back: the hottest statement of the pipeline need not rebuild the job.
        updated = (
            await session.execute(
                update(Job)
                .execution_options(synchronize_session=False)
                .where(
                    Job.id == lease.job_id,
                    Job.state.in_((JobState.RUNNING, JobState.QUEUED)),
                    Job.slack_ts.is_(None),
                )
                .values(
                    state=JobState.POSTED,
                    slack_ts=ts,
                    lease_until=None,
                    pii_mapping_enc=None,
                    error=None,
                    updated_at=func.now(),
                    **(result.values() if store_result else {}),
                )
                .returning(Job.id)
            )
        ).first()
        if updated is None:
            return False
        events = [("job.generated", result.audit_detail())] if store_result else []
        events.append(
            ("job.posted", {"channel": channel, "ts": ts, "model": result.model, "tokens_used": result.tokens_used})
        )
        await record_events(
            session,
            lease.org_id,
            [(action, {"attempt": lease.attempt, **detail}) for action, detail in events],
            actor=ACTOR,
            job_id=lease.job_id,
        )
    return True


# -- the sweeper's side: jobs nobody holds ------------------------------------------------------


async def touch_stale_queued(database: Database, org_id: uuid.UUID, job_id: uuid.UUID, before: datetime) -> Job | None:
    """Restart a still-``queued`` job's outbox clock before re-sending it, so the next sweep waits a
    full threshold again; None when a worker claimed it meanwhile."""
    async with database.tenant(org_id) as session:
        job = (
            await session.scalars(
                update(Job)
                .execution_options(synchronize_session=False)
                .where(Job.id == job_id, Job.state == JobState.QUEUED, Job.updated_at < before)
                .values(updated_at=func.now())
                .returning(Job)
            )
        ).one_or_none()
        if job is not None:
            await _audit(session, job, "job.resent", queued_since=job.created_at.isoformat())
    return job


@dataclass(frozen=True)
class Recovery:
    job: Job
    requeued: bool  # False: the job ran out of attempts and failed


async def recover_expired_lease(
    database: Database, org_id: uuid.UUID, job_id: uuid.UUID, now: datetime, *, max_attempts: int
) -> Recovery | None:
    """A ``running`` job whose lease ran out (its worker died): back to ``queued`` while attempts
    are left, else ``failed``. None when its worker renewed the lease or finished meanwhile."""
    async with database.tenant(org_id) as session:
        job = (
            await session.scalars(
                select(Job)
                .where(Job.id == job_id, Job.state == JobState.RUNNING, Job.lease_until < now)
                .with_for_update()
            )
        ).one_or_none()
        if job is None:
            return None
        requeued = job.attempts < max_attempts
        if requeued:
            job.state = JobState.QUEUED
            job.lease_until = None
            await session.flush()
            await _audit(session, job, "job.requeued", attempt=job.attempts, reason="its worker stopped answering")
        else:
            reason = f"the job was interrupted {job.attempts} times (a worker stopped while running it)"
            job.state = JobState.FAILED
            job.error = reason
            job.lease_until = None
            job.pii_mapping_enc = None
            await session.flush()
            await _audit(session, job, "job.failed", attempt=job.attempts, reason=reason)
    return Recovery(job, requeued)
