"""Builds a row in every tenant table for one organization, as the application would."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.audit import record_event
from db.models import (
    Installation,
    Job,
    Member,
    Organization,
    QuotaSettings,
    QuotaSettlement,
    Schedule,
    UsageLedger,
    WorkflowStep,
    Workspace,
)


async def fill_organization(session: AsyncSession, org_id: uuid.UUID, *, rows: int, tag: str) -> None:
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
        schedule_id = uuid.uuid4()
        session.add(
            Schedule(
                id=schedule_id,
                org_id=org_id,
                created_by=f"U{tag}",
                kind="text",
                masked_prompt=f"prompt {tag} {i}",
                target_channel="C1",
                cron="0 9 * * *",
                timezone="UTC",
                next_run_at=datetime(2030, 1, 1, tzinfo=UTC),
                state="active",
                injection_score=0.0,
            )
        )
        job_id = uuid.uuid4()
        await session.flush()
        session.add(
            Job(
                id=job_id,
                org_id=org_id,
                kind="text",
                state="queued",
                requester_id=f"U{tag}",
                target_channel="C1",
                masked_prompt=f"job {tag} {i}",
                tokens_reserved=5,
                quota_state="reserved",
                attempts=0,
                schedule_id=schedule_id,
            )
        )
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
