"""Schedules made the way `/content schedule` makes them, for the schedule and approval tests."""

from __future__ import annotations

import uuid
from datetime import datetime

from bot.orgs.service import load_org_policy
from bot.schedules import ScheduleInfo, ScheduleService
from db.engine import Database
from db.models import JobKind
from tests.support.approvals import TARGET


async def create_text_schedule(
    schedules: ScheduleService,
    database: Database,
    org_id: uuid.UUID,
    who: str,
    *,
    prompt: str,
    cron: str | None,
    run_at: datetime | None,
    now: datetime,
    target_channel: str = TARGET,
) -> ScheduleInfo:
    """A text schedule by ``who`` under the organization's policy as it stands."""
    policy = await load_org_policy(database, org_id)
    return await schedules.create(
        org_id,
        who,
        kind=JobKind.TEXT,
        prompt=prompt,
        target_channel=target_channel,
        cron=cron,
        run_at=run_at,
        policy=policy,
        now=now,
    )
