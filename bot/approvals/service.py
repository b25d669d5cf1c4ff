"""Approving or rejecting a generated result before it is posted.

Exactly one decision wins: each one is a single compare-and-set ``UPDATE ... WHERE state =
'awaiting_approval' AND decided_at IS NULL`` in the clicker's own tenant session, so a double
click, two admins at once, or an expiry racing a click leave one outcome and one audit event.
Another organization's job id is simply not found there (RLS), and the clicker's role is read in
the same transaction, so a role revoked a moment ago counts at once.

An approved job goes back to ``queued`` with its decision recorded: the worker claims it, sees the
stored result and the decision, and posts it through the one posting path; if the send to the
broker is lost, the outbox sweeper re-sends it like any other queued job.

This module knows no Slack: what the approvers and the requester see is bot.approvals.views,
sent by handlers.actions (web) and workers.approval (workers).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import BadInput, NotAllowed, NotFound, UserError
from bot.jobs.queueing import JobSender
from bot.orgs.roles import require_role
from bot.process.settings import get_settings
from bot.workflows.completion import runs_a_step
from db.audit import record_event
from db.engine import Database
from db.models import AuditEvent, Job, JobState, Member
from db.system import pending_approvals

log = logging.getLogger(__name__)

# A job handed to approvers whose request message never got out (Slack down or rate limiting,
# the bot not yet invited, a worker killed) is asked again after this long, and then at most this
# often (workers.approval spaces the tries).
REDELIVER_AFTER = timedelta(minutes=1)
MAX_REASON_CHARS = 500
EXPIRED_REASON = "no admin decided in time"
EXPIRY_BATCH = 200


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


_AUDIT_ACTION = {Decision.APPROVE: "approval.approved", Decision.REJECT: "approval.rejected"}


@dataclass(frozen=True)
class DecidedJob:
    """What a decision changed, for the messages that follow it."""

    job_id: uuid.UUID
    org_id: uuid.UUID
    decision: Decision | None  # None: expired
    decided_by: str | None
    decided_at: datetime
    reason: str | None
    kind: str
    requester_id: str
    target_channel: str
    source_channel: str | None
    model: str | None
    tokens_used: int | None
    approval_messages: tuple[tuple[str, str], ...]  # (channel, ts) of every request message
    # A Workflow Builder step asked for the job: the step's completion tells its runner how it ended.
    runs_workflow_step: bool

    @classmethod
    def of(
        cls,
        job: Job,
        decision: Decision | None,
        messages: tuple[tuple[str, str], ...],
        *,
        runs_workflow_step: bool,
    ) -> DecidedJob:
        assert job.decided_at is not None
        return cls(
            job_id=job.id,
            org_id=job.org_id,
            decision=decision,
            decided_by=job.decided_by,
            decided_at=job.decided_at,
            reason=job.decision_reason,
            kind=job.kind,
            requester_id=job.requester_id,
            target_channel=job.target_channel,
            source_channel=job.source_channel,
            model=job.model,
            tokens_used=job.tokens_used,
            approval_messages=messages,
            runs_workflow_step=runs_workflow_step,
        )


class AlreadyDecided(UserError):
    """The loser of a race, or a late click: the decision that stands is someone else's."""

    kind = "already_decided"

    def __init__(self, job: Job) -> None:
        self.job_id = job.id
        self.decided_by = job.decided_by
        self.state = job.state
        super().__init__(_decided_text(job))


def _decided_text(job: Job) -> str:
    if job.decided_by is None:
        return f"This approval request expired ({EXPIRED_REASON}); nothing was posted."
    verb = "rejected" if job.state == JobState.REJECTED else "approved"
    return f"<@{job.decided_by}> already {verb} this result."


def parse_job_id(value: str | None) -> uuid.UUID:
    """The button's ``value``; anything but a job id is answered, never trusted."""
    try:
        return uuid.UUID(str(value or "").strip())
    except ValueError:
        raise NotFound("That approval request is not valid any more.") from None


def clean_reason(reason: str | None) -> str | None:
    reason = " ".join((reason or "").split())
    if len(reason) > MAX_REASON_CHARS:
        raise BadInput(f"The reason is {len(reason):,} characters long; keep it under {MAX_REASON_CHARS}.")
    return reason or None


@dataclass(frozen=True)
class PendingApproval:
    """An awaiting job as the approvers' preview shows it."""

    job: Job
    approvers_channel: str | None


@dataclass(frozen=True)
class ExpiryReport:
    expired: list[DecidedJob]
    undelivered: list[tuple[uuid.UUID, uuid.UUID]]  # (org_id, job_id) whose request message is missing


class ApprovalService:
    def __init__(self, database: Database, sender: JobSender | None, *, expiry: timedelta | None = None) -> None:
        self.database = database
        self.sender = sender
        self.expiry = expiry or timedelta(hours=get_settings().approval_expiry_hours)

    async def decide(
        self,
        org_id: uuid.UUID,
        job_ref: str | uuid.UUID | None,
        clicker: str,
        decision: Decision,
        reason: str | None = None,
    ) -> DecidedJob:
        """Record ``clicker``'s decision on an awaiting job; the one winner returns, everyone else
        gets a UserError saying why (not an admin, no such job, already decided by whom)."""
        job_id = job_ref if isinstance(job_ref, uuid.UUID) else parse_job_id(job_ref)
        reason = clean_reason(reason) if decision == Decision.REJECT else None
        async with self.database.tenant(org_id) as session:
            await self._require_approver(session, org_id, clicker, job_id)
            values: dict[str, Any] = {
                "decided_by": clicker,
                "decided_at": func.now(),
                "decision_reason": reason,
                "updated_at": func.now(),
            }
            if decision == Decision.APPROVE:
                values["state"] = JobState.QUEUED
            else:
                # Final: the PII mapping goes with it, as with every final job.
                values.update(state=JobState.REJECTED, pii_mapping_enc=None)
            job = await _decide_once(session, job_id, values)
            if job is None:
                raise await _why_not_pending(session, job_id)
            await record_event(
                session,
                org_id,
                _AUDIT_ACTION[decision],
                actor=clicker,
                job_id=job.id,
                detail={"reason": reason, "channel": job.target_channel},
            )
            messages = await approval_messages(session, job)
            in_step = await runs_a_step(session, job.id)
        if decision == Decision.APPROVE:
            await self._send_approved(job.id, org_id)
        return DecidedJob.of(job, decision, messages, runs_workflow_step=in_step)

    async def _send_approved(self, job_id: uuid.UUID, org_id: uuid.UUID) -> None:
        # After commit, like every send; a lost send only delays the post (the sweeper re-sends).
        if self.sender is None:
            return
        try:
            await self.sender.send_approved(job_id, org_id)
        except Exception:
            log.warning("broker unavailable; approved job %s waits for the sweeper", job_id, exc_info=True)

    async def decidable(self, org_id: uuid.UUID, job_ref: str | uuid.UUID | None, clicker: str) -> Job:
        """The job, if ``clicker`` may decide on it now (checked again when the decision is made):
        what the reject button checks before it opens the reason modal."""
        job_id = job_ref if isinstance(job_ref, uuid.UUID) else parse_job_id(job_ref)
        async with self.database.tenant(org_id) as session:
            await self._require_approver(session, org_id, clicker, job_id)
            job = (
                await session.scalars(
                    select(Job).where(
                        Job.id == job_id, Job.state == JobState.AWAITING_APPROVAL, Job.decided_at.is_(None)
                    )
                )
            ).one_or_none()
            if job is None:
                raise await _why_not_pending(session, job_id)
        return job

    async def _require_approver(
        self, session: AsyncSession, org_id: uuid.UUID, clicker: str, job_id: uuid.UUID
    ) -> None:
        role = await _role_of(session, clicker)
        try:
            require_role(role, "approve")
        except NotAllowed:
            # A refused click is a security event; its own transaction, as the caller's rolls back.
            async with self.database.tenant(org_id) as audit:
                await record_event(
                    audit, org_id, "approval.refused", actor=clicker, job_id=job_id, detail={"role": role}
                )
            raise

    async def record_request(
        self, org_id: uuid.UUID, job_id: uuid.UUID, messages: list[tuple[str, str]], *, actor: str = "worker"
    ) -> bool:
        """Remember where the approval request went; False when the job was decided meanwhile (a
        click on a copy not yet recorded: the click replaces the copy it came from)."""
        if not messages:
            return False
        channel, ts = messages[0]
        async with self.database.tenant(org_id) as session:
            stored = (
                await session.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.state == JobState.AWAITING_APPROVAL, Job.decided_at.is_(None))
                    .values(approval_channel=channel, approval_ts=ts, updated_at=func.now())
                    .returning(Job.id)
                )
            ).first()
            if stored is None:
                return False
            await record_event(
                session,
                org_id,
                "approval.requested",
                actor=actor,
                job_id=job_id,
                detail={"messages": [{"channel": c, "ts": t} for c, t in messages]},
            )
        return True

    async def expire_pending(self, now: datetime, *, limit: int = EXPIRY_BATCH) -> ExpiryReport:
        """Cancel approval requests older than the expiry (nothing is released: the quota was
        settled when the result was generated) and list those whose request never got out."""
        async with self.database.system() as session:
            found = await pending_approvals(
                session, requested_before=now - self.expiry, unsent_before=now - REDELIVER_AFTER, limit=limit
            )
        expired: list[DecidedJob] = []
        undelivered: list[tuple[uuid.UUID, uuid.UUID]] = []
        for row in found:
            if not row.expired:
                undelivered.append((row.org_id, row.id))
                continue
            decided = await self.expire_one(row.org_id, row.id)
            if decided is not None:
                expired.append(decided)
        return ExpiryReport(expired, undelivered)

    async def expire_one(self, org_id: uuid.UUID, job_id: uuid.UUID) -> DecidedJob | None:
        async with self.database.tenant(org_id) as session:
            job = await _decide_once(
                session,
                job_id,
                {
                    "state": JobState.CANCELLED,
                    "decided_at": func.now(),
                    "decision_reason": EXPIRED_REASON,
                    "pii_mapping_enc": None,
                    "updated_at": func.now(),
                },
            )
            if job is None:
                return None  # an admin decided first
            await record_event(
                session, org_id, "approval.expired", actor="system", job_id=job.id, detail={"after": str(self.expiry)}
            )
            messages = await approval_messages(session, job)
            in_step = await runs_a_step(session, job.id)
        return DecidedJob.of(job, None, messages, runs_workflow_step=in_step)


async def _role_of(session: AsyncSession, user_id: str) -> str | None:
    return (await session.execute(select(Member.role).where(Member.slack_user_id == user_id))).scalar_one_or_none()


async def _decide_once(session: AsyncSession, job_id: uuid.UUID, values: dict[str, Any]) -> Job | None:
    return (
        await session.scalars(
            update(Job)
            .where(Job.id == job_id, Job.state == JobState.AWAITING_APPROVAL, Job.decided_at.is_(None))
            .values(**values)
            .returning(Job)
        )
    ).one_or_none()


async def _why_not_pending(session: AsyncSession, job_id: uuid.UUID) -> UserError:
    job = (await session.scalars(select(Job).where(Job.id == job_id))).one_or_none()
    if job is None:
        # Also what another organization's job looks like from here.
        return NotFound("That approval request is not valid any more.")
    if job.decided_at is not None:
        return AlreadyDecided(job)
    return NotFound(f"This job is not waiting for approval (it is {job.state}).")


async def approval_messages(session: AsyncSession, job: Job) -> tuple[tuple[str, str], ...]:
    """Every message that asked for a decision on ``job`` (one channel, or one DM per admin)."""
    detail = (
        await session.scalars(
            select(AuditEvent.detail)
            .where(AuditEvent.job_id == job.id, AuditEvent.action == "approval.requested")
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        )
    ).first()
    messages = [(str(m["channel"]), str(m["ts"])) for m in (detail or {}).get("messages", []) if m.get("ts")]
    if not messages and job.approval_channel and job.approval_ts:
        messages = [(job.approval_channel, job.approval_ts)]
    return tuple(messages)
