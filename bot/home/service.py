"""What the App Home shows a user: read in one tenant transaction, rendered by bot.home.views."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from db.engine import Database
from db.models import Job, JobState, Schedule, ScheduleState

RECENT_JOBS = 5
PENDING_APPROVALS = 10
SCHEDULES = 5


@dataclass(frozen=True)
class JobLine:
    id: uuid.UUID
    kind: str
    state: str
    channel: str
    requester: str
    prompt: str
    created_at: datetime


@dataclass(frozen=True)
class ScheduleLine:
    id: uuid.UUID
    kind: str
    state: str
    channel: str
    cron: str | None
    next_run_at: datetime | None
    timezone: str


@dataclass
class HomeSnapshot:
    recent_jobs: list[JobLine] = field(default_factory=list)
    pending_approvals: list[JobLine] = field(default_factory=list)
    schedules: list[ScheduleLine] = field(default_factory=list)


# Columns, not whole rows: a job row may carry a generated image.
_JOB_COLUMNS = (Job.id, Job.kind, Job.state, Job.target_channel, Job.requester_id, Job.masked_prompt, Job.created_at)


async def load_home(database: Database, org_id: uuid.UUID, user_id: str, *, with_approvals: bool) -> HomeSnapshot:
    snapshot = HomeSnapshot()
    async with database.tenant(org_id) as session:
        jobs = await session.execute(
            select(*_JOB_COLUMNS).where(Job.requester_id == user_id).order_by(Job.created_at.desc()).limit(RECENT_JOBS)
        )
        snapshot.recent_jobs = [JobLine(*row) for row in jobs]
        if with_approvals:
            pending = await session.execute(
                select(*_JOB_COLUMNS)
                .where(Job.state == JobState.AWAITING_APPROVAL)
                .order_by(Job.created_at)
                .limit(PENDING_APPROVALS)
            )
            snapshot.pending_approvals = [JobLine(*row) for row in pending]
        schedules = await session.execute(
            select(Schedule)
            .where(Schedule.created_by == user_id, Schedule.state.in_([ScheduleState.ACTIVE, ScheduleState.PAUSED]))
            .order_by(Schedule.next_run_at.asc().nulls_last())
            .limit(SCHEDULES)
        )
        snapshot.schedules = [
            ScheduleLine(s.id, s.kind, s.state, s.target_channel, s.cron, s.next_run_at, s.timezone)
            for s in schedules.scalars()
        ]
    return snapshot
