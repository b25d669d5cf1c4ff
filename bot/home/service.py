"""What the App Home shows a user: read in one tenant transaction, rendered by bot.home.views."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import Database
from db.models import FeedbackRating, Job, JobFeedback, JobState, Schedule, ScheduleState

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
    # good / bad verdicts on the user's own results; on the whole organization's, for admins
    own_feedback: tuple[int, int] = (0, 0)
    org_feedback: tuple[int, int] | None = None


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
        snapshot.own_feedback = await _feedback_counts(session, Job.requester_id == user_id)
        if with_approvals:
            snapshot.org_feedback = await _feedback_counts(session, true())
        snapshot.schedules = [
            ScheduleLine(s.id, s.kind, s.state, s.target_channel, s.cron, s.next_run_at, s.timezone)
            for s in schedules.scalars()
        ]
    return snapshot


async def _feedback_counts(session: AsyncSession, which_jobs: ColumnElement[bool]) -> tuple[int, int]:
    rows = await session.execute(
        select(JobFeedback.rating, func.count())
        .join(Job, Job.id == JobFeedback.job_id)
        .where(which_jobs)
        .group_by(JobFeedback.rating)
    )
    counts = {rating: int(count) for rating, count in rows}
    return counts.get(FeedbackRating.GOOD, 0), counts.get(FeedbackRating.BAD, 0)
