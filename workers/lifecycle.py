"""A job's states and the only ways between them.

Every transition is one compare-and-set UPDATE under the job's tenant session, with its audit
event in the same transaction: a transition that did not happen leaves no event, and one that
happened always has one. A claim hands out a ``Lease`` whose ``attempt`` (the job's ``attempts``
after the claim) is a fencing token: a worker whose lease ran out and whose job another worker
took over finds every later update refused instead of overwriting the newer attempt's work.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Interval, Update, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import configure_mappers

from bot.brand import BrandKit
from bot.brand.service import BRAND_KIT_COLUMNS, kit_from_columns
from bot.orgs.service import POLICY_COLUMNS, OrgPolicy
from bot.quota.models import ModelCharge, Spend
from db.audit import record_event
from db.engine import Database
from db.models import Job, JobState

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
    # What the answering model reported and what the calls cost by the price table (millionths).
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_micros: int | None = None
    # ``cost_micros`` per model call, each booked to the model that served it (empty: unpriced lines
    # were not kept, as for an image).
    charges: tuple[ModelCharge, ...] = ()

    def values(self) -> dict[str, Any]:
        return {
            "result_text": self.text,
            "result_image": self.png,
            "model": self.model,
            "tokens_used": self.tokens_used,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_micros": self.cost_micros,
            "cached_input_tokens": self.cached_tokens if self.input_tokens is not None else None,
            "model_charges": [charge.to_json() for charge in self.charges] if self.charges else None,
        }

    @property
    def spend(self) -> Spend:
        return Spend(
            self.model or None,
            self.input_tokens or 0,
            self.output_tokens or 0,
            self.cost_micros or 0,
            cached_input_tokens=self.cached_tokens,
            charges=self.charges,
        )

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
    return JobResult(
        job.result_text,
        job.result_image,
        job.model or "",
        job.tokens_used or 0,
        cached_tokens=job.cached_input_tokens or 0,
        input_tokens=job.input_tokens,
        output_tokens=job.output_tokens,
        cost_micros=job.cost_micros,
        charges=tuple(ModelCharge.from_json(line) for line in job.model_charges or ()),
    )


@dataclass(frozen=True)
class Claim:
    job: Job
    lease: Lease
    # Read in the claim's statement: what the organization decided, and its brand kit, right now.
    policy: OrgPolicy
    kit: BrandKit = field(default_factory=BrandKit)
    # The job runs a Workflow Builder step (whose row is written before its job): the step is
    # completed as the job ends. Every other job skips looking for one.
    in_workflow_step: bool = False


def _interval(seconds: float) -> Any:
    return literal(timedelta(seconds=seconds), Interval)


# Every UPDATE here runs in a fresh session that holds no objects to keep in step with it, so the
# ORM's search for them (synchronize_session) is skipped on these hot statements.
def _held(lease: Lease) -> Any:
    return (Job.id == lease.job_id) & (Job.state == JobState.RUNNING) & (Job.attempts == lease.attempt)


def _update_held(lease: Lease) -> Update:
    """An UPDATE of the job only while ``lease`` still holds it (no ORM session sync: fresh sessions)."""
    return update(Job).execution_options(synchronize_session=False).where(_held(lease))


async def _audit(session: AsyncSession, job: Job, action: str, **detail: Any) -> None:
    await record_event(session, job.org_id, action, actor=ACTOR, job_id=job.id, detail=detail)


# -- the hot path: claim and post, on the connection's driver ----------------------------------
#
# A job's claim and its post are the statements every job runs; each is one statement with its
# audit events (a data-modifying CTE) inside one ``Database.tenant_driver`` transaction: three
# round trips instead of five, and no ORM session (whose execution path cost more CPU than the
# statements' own work). The SQL is written out here, its column lists taken from the models.

_JOB_COLUMNS = tuple(column.name for column in Job.metadata.tables[Job.__tablename__].columns)

_CLAIM_SQL = f"""
WITH claimed AS (
    UPDATE jobs
       SET state = 'running', attempts = jobs.attempts + 1,
           lease_until = now() + make_interval(secs => $2), updated_at = now()
      FROM organizations o
     WHERE jobs.id = $1 AND jobs.state = 'queued' AND o.id = jobs.org_id
 RETURNING {", ".join(f"jobs.{name}" for name in _JOB_COLUMNS)},
           {", ".join(f"o.{name} AS policy_{name}" for name in POLICY_COLUMNS)}
), event AS (
    INSERT INTO audit_events (org_id, actor, action, job_id, detail)
    SELECT org_id, $3, 'job.running', id, jsonb_build_object('attempt', attempts) FROM claimed
)
SELECT claimed.*,
       {", ".join(f"kit.{name} AS kit_{name}" for name in BRAND_KIT_COLUMNS)},
       EXISTS (SELECT 1 FROM workflow_steps step
                WHERE step.org_id = claimed.org_id AND step.job_id = claimed.id) AS in_workflow_step
  FROM claimed LEFT JOIN brand_kits kit ON kit.org_id = claimed.org_id
"""


def _detached_job(row: Any) -> Job:
    """A transient Job holding the claimed row: what the steps after the claim read, never flushed
    anywhere. Filled as the ORM fills a loaded row (straight into its ``__dict__``): the
    constructor's per-attribute change tracking, for a job nobody saves, was ~50 us of each claim."""
    mapper = Job.__mapper__
    if not mapper.configured:
        # The constructor configures the mappers on first use; a bare instance does not.
        configure_mappers()
    job: Job = mapper.class_manager.new_instance()
    job.__dict__.update(zip(_JOB_COLUMNS, (row[name] for name in _JOB_COLUMNS), strict=True))
    return job


async def claim_job(database: Database, org_id: uuid.UUID, job_id: uuid.UUID, lease_seconds: float) -> Claim | None:
    """``queued`` -> ``running`` for one attempt; None when the job is not there to claim (a
    duplicate delivery, or a job already running or past it). An approved job is ``queued`` again
    with its result and decision, so the same claim takes it to posting. The organization's
    policy and brand kit, and whether the job runs a workflow step, are read by the same
    statement: as of this moment, without a transaction of their own."""
    started = time.monotonic()
    async with database.tenant_driver(org_id, "claim_job") as driver:
        row = await driver.fetchrow(_CLAIM_SQL, job_id, float(lease_seconds), ACTOR)
    if row is None:
        return None
    job = _detached_job(row)
    policy = OrgPolicy.from_columns({name: row[f"policy_{name}"] for name in POLICY_COLUMNS})
    kit = kit_from_columns({name: row[f"kit_{name}"] for name in BRAND_KIT_COLUMNS})
    lease = Lease(job.id, job.org_id, job.attempts, lease_seconds, renewed_at=started)
    return Claim(job, lease, policy, kit=kit, in_workflow_step=row["in_workflow_step"])


async def extend_lease(database: Database, lease: Lease) -> bool:
    """The heartbeat: push the lease forward; False when the job is no longer ours."""
    started = time.monotonic()
    async with database.tenant(lease.org_id) as session:
        renewed = (
            await session.execute(
                _update_held(lease)
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


async def record_stream_ts(database: Database, lease: Lease, ts: str) -> None:
    """Keep the ts of the DM reply this attempt just opened, while the job is still ours (raise
    LeaseLost otherwise). Not a transition: updated_at stays, and no audit event is written. A
    retry finds it on the job and ends that message instead of opening another."""
    async with database.tenant(lease.org_id) as session:
        recorded = (
            await session.execute(_update_held(lease).values(stream_ts=ts, updated_at=Job.updated_at).returning(Job.id))
        ).first()
    if recorded is None:
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
                _update_held(lease)
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
    database: Database,
    lease: Lease,
    reason: str,
    *,
    result: JobResult | None = None,
    spent: tuple[int | None, Spend | None] = (None, None),
    **detail: Any,
) -> Job:
    """``running`` -> ``failed``; the PII mapping goes with it (the job is final). ``spent``: the
    tokens and the bill of calls that produced no result, kept on the job so that a settlement
    after a crash (the reaper's) charges them as the worker would have."""
    return await _transition(
        database,
        lease,
        {
            **_spend_values(*spent),
            "state": JobState.FAILED,
            "error": reason,
            "lease_until": None,
            "pii_mapping_enc": None,
        },
        "job.failed",
        {"reason": reason, **detail},
        result,
    )


def _spend_values(tokens_used: int | None, spend: Spend | None) -> dict[str, Any]:
    values: dict[str, Any] = {} if tokens_used is None else {"tokens_used": tokens_used}
    if spend is not None:
        values |= {
            "model": spend.model,
            "input_tokens": spend.input_tokens,
            "output_tokens": spend.output_tokens,
            "cost_micros": spend.cost_micros,
            "cached_input_tokens": spend.cached_input_tokens,
            "model_charges": [charge.to_json() for charge in spend.charges] or None,
        }
    return values


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


async def mark_cached(database: Database, lease: Lease, *, reused: bool) -> Job:
    """``running`` -> ``cached``: a pre-generated job's result is in the result cache (``reused``:
    it was there already); nothing is posted and nothing is kept on the job."""
    return await _transition(
        database,
        lease,
        {"state": JobState.CACHED, "lease_until": None, "pii_mapping_enc": None},
        "job.cached",
        {"reused": reused},
        None,
    )


_MARK_POSTED_SQL = """
WITH posted AS (
    UPDATE jobs
       SET state = 'posted', slack_ts = $2, lease_until = NULL, pii_mapping_enc = NULL, error = NULL,
           updated_at = now(),
           result_text = CASE WHEN $3 THEN $4 ELSE result_text END,
           result_image = CASE WHEN $3 THEN $5 ELSE result_image END,
           model = CASE WHEN $3 THEN $6 ELSE model END,
           tokens_used = CASE WHEN $3 THEN $7 ELSE tokens_used END,
           input_tokens = CASE WHEN $3 THEN $10 ELSE input_tokens END,
           output_tokens = CASE WHEN $3 THEN $11 ELSE output_tokens END,
           cost_micros = CASE WHEN $3 THEN $12 ELSE cost_micros END,
           cached_input_tokens = CASE WHEN $3 THEN $13 ELSE cached_input_tokens END,
           model_charges = CASE WHEN $3 THEN CAST($14 AS text)::jsonb ELSE model_charges END
     WHERE id = $1 AND state IN ('running', 'queued') AND slack_ts IS NULL
 RETURNING id, org_id
), events AS (
    INSERT INTO audit_events (org_id, actor, action, job_id, detail)
    SELECT posted.org_id, $8, event.value ->> 'action', posted.id, event.value -> 'detail'
      FROM posted, jsonb_array_elements(CAST($9 AS text)::jsonb) WITH ORDINALITY AS event(value, n)
     ORDER BY event.n
)
SELECT id FROM posted
"""


async def mark_posted(
    database: Database, lease: Lease, *, ts: str, channel: str, result: JobResult, store_result: bool
) -> bool:
    """``running`` -> ``posted`` with the message's ``ts`` (and ``result``, when this attempt made
    it and ``store_result`` says so), with its audit events in the same statement.

    Deliberately not fenced by the attempt: once Slack has accepted a post its ts is recorded even
    when this worker's lease ran out meanwhile (the job requeued by the sweeper, or claimed by a
    newer attempt), because a recorded ts is what stops every later attempt from posting again.
    False when another attempt recorded a post first (or the job ended otherwise meanwhile); the
    attempt that gets True is the one that settles the job's quota."""
    events = [("job.generated", result.audit_detail())] if store_result else []
    events.append(
        ("job.posted", {"channel": channel, "ts": ts, "model": result.model, "tokens_used": result.tokens_used})
    )
    audited = json.dumps(
        [{"action": action, "detail": {"attempt": lease.attempt, **detail}} for action, detail in events]
    )
    async with database.tenant_driver(lease.org_id, "mark_posted") as driver:
        # Only the id comes back: the hottest statement of the pipeline need not rebuild the job.
        updated = await driver.fetchval(
            _MARK_POSTED_SQL,
            lease.job_id,
            ts,
            store_result,
            result.text,
            result.png,
            result.model,
            result.tokens_used,
            ACTOR,
            audited,
            result.input_tokens,
            result.output_tokens,
            result.cost_micros,
            result.values()["cached_input_tokens"],
            json.dumps(result.values()["model_charges"]) if result.charges else None,
        )
    return updated is not None


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
