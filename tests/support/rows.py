"""Rows written straight into an organization's tables, as the application would leave them, for
tests that need the state without walking the path that makes it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.audit import record_event
from db.models import (
    Installation,
    Job,
    JobKind,
    JobState,
    Member,
    Organization,
    QuotaSettings,
    QuotaSettlement,
    Schedule,
    ScheduleState,
    UsageLedger,
    WorkflowStep,
    Workspace,
)

FAR_AHEAD = datetime(2030, 1, 1, tzinfo=UTC)


def active_schedule(
    org_id: uuid.UUID,
    created_by: str,
    target_channel: str,
    masked_prompt: str,
    *,
    kind: str = "text",
    cron: str = "0 9 * * *",
    timezone: str = "UTC",
    next_run_at: datetime = FAR_AHEAD,
    **columns: Any,
) -> Schedule:
    """A recurring schedule that has not run yet; ``columns`` set the rest (an id, a PII mapping)."""
    return Schedule(
        org_id=org_id,
        created_by=created_by,
        kind=kind,
        masked_prompt=masked_prompt,
        target_channel=target_channel,
        cron=cron,
        timezone=timezone,
        next_run_at=next_run_at,
        state=ScheduleState.ACTIVE,
        injection_score=0.0,
        **columns,
    )


def queued_job(org_id: uuid.UUID, requester_id: str, target_channel: str, masked_prompt: str, **columns: Any) -> Job:
    """A text job committed and waiting for a worker, its tokens reserved; ``columns`` set the rest."""
    return text_job(
        org_id,
        requester_id,
        target_channel,
        masked_prompt,
        state=JobState.QUEUED,
        tokens_reserved=5,
        quota_state="reserved",
        attempts=0,
        **columns,
    )


def posted_job(
    org_id: uuid.UUID,
    requester_id: str,
    target_channel: str,
    result_text: str,
    *,
    masked_prompt: str = "p",
    **columns: Any,
) -> Job:
    """A text job whose result is in the channel; ``columns`` set the rest."""
    return text_job(
        org_id,
        requester_id,
        target_channel,
        masked_prompt,
        state=JobState.POSTED,
        result_text=result_text,
        tokens_reserved=1,
        **columns,
    )


def text_job(org_id: uuid.UUID, requester_id: str, target_channel: str, masked_prompt: str, **columns: Any) -> Job:
    """A text job of ``requester_id`` for ``target_channel``; ``columns`` say how far it got."""
    return Job(
        org_id=org_id,
        kind="text",
        requester_id=requester_id,
        target_channel=target_channel,
        masked_prompt=masked_prompt,
        **columns,
    )


def job_to_generate(
    org_id: uuid.UUID, masked_prompt: str, *, tokens_reserved: int = 2000, brand_voice: bool = True, **columns: Any
) -> Job:
    """A text job as a worker holds it to generate its result (not stored); ``columns`` set the rest."""
    return Job(
        id=uuid.uuid4(),
        org_id=org_id,
        kind=JobKind.TEXT,
        masked_prompt=masked_prompt,
        tokens_reserved=tokens_reserved,
        brand_voice=brand_voice,
        **columns,
    )


async def fill_organization(session: AsyncSession, org_id: uuid.UUID, *, rows: int, tag: str) -> None:
    """A row in every tenant table for ``org_id``, as the application would write them: one
    organization, workspace, quota and ledger month, and ``rows`` of each of the rest (members,
    installations, schedules, jobs, settlements, workflow steps, audit events), named with ``tag``."""
    session.add(
        Organization(
            id=org_id,
            name=f"org {tag}",
            default_role="viewer",
            approvals_required=False,
            restore_pii=False,
            paused=False,
        )
    )
    await session.flush()
    session.add(Workspace(team_id=f"T{tag}", org_id=org_id, name=tag))
    session.add(QuotaSettings(org_id=org_id, monthly_budget=1000, rate_per_minute=100, burst=100, image_cost=10))
    session.add(UsageLedger(org_id=org_id, month=date(2026, 11, 1), tokens_used=rows, overrun=0))
    for i in range(rows):
        session.add(Member(org_id=org_id, slack_user_id=f"U{tag}{i}", role="editor"))
        session.add(
            Installation(
                org_id=org_id, team_id=f"T{tag}", user_id=f"U{tag}{i}", bot_token_enc=b"x", is_enterprise_install=False
            )
        )
        schedule_id, job_id = uuid.uuid4(), uuid.uuid4()
        session.add(active_schedule(org_id, f"U{tag}", "C1", f"prompt {tag} {i}", id=schedule_id))
        await session.flush()
        session.add(queued_job(org_id, f"U{tag}", "C1", f"job {tag} {i}", id=job_id, schedule_id=schedule_id))
        await session.flush()
        session.add(
            QuotaSettlement(job_id=job_id, org_id=org_id, month=date(2026, 11, 1), reserved=5, actual=1, overrun=0)
        )
        session.add(
            WorkflowStep(
                function_execution_id=f"Fx{tag}{i}", org_id=org_id, job_id=job_id, state="running", kind="text"
            )
        )
        await record_event(session, org_id, "test.event", actor=f"U{tag}", job_id=job_id, detail={"i": i})
