"""Builds a row in every tenant table for one organization, as the application would."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from db.audit import record_event
from db.models import (
    Installation,
    Member,
    Organization,
    QuotaSettings,
    QuotaSettlement,
    UsageLedger,
    Workspace,
)
from tests.support.rows import active_schedule, queued_job


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
        schedule_id, job_id = uuid.uuid4(), uuid.uuid4()
        session.add(active_schedule(org_id, f"U{tag}", "C1", f"prompt {tag} {i}", id=schedule_id))
        await session.flush()
        session.add(queued_job(org_id, f"U{tag}", "C1", f"job {tag} {i}", id=job_id, schedule_id=schedule_id))
        await session.flush()
        session.add(
            QuotaSettlement(job_id=job_id, org_id=org_id, month=date(2026, 11, 1), reserved=5, actual=1, overrun=0)
        )
        await record_event(session, org_id, "test.event", actor=f"U{tag}", job_id=job_id, detail={"i": i})
