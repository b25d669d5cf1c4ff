"""Schedules made the way `/content schedule` makes them, for the schedule and approval tests, and
the beat that fires them with the clock a test gives (``Beat``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from bot.orgs.service import load_org_policy
from bot.process.runtime import Runtime
from bot.schedules import ScheduleInfo, ScheduleService, ScheduleTickReport, tick
from db.engine import Database
from db.models import Job, JobKind, Member, Schedule
from tests.support.approvals import EDITOR, TARGET, RecordingSender, actions_of


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


async def schedule(
    schedules: ScheduleService,
    database: Database,
    org: uuid.UUID,
    now: datetime,
    *,
    cron: str | None = None,
    run_at: datetime | None = None,
    who: str = EDITOR,
    tz: str | None = None,
) -> uuid.UUID:
    if tz is not None:
        async with database.tenant(org) as session:
            await session.execute(update(Member).where(Member.slack_user_id == who).values(timezone=tz))
    created = await create_text_schedule(
        schedules, database, org, who, prompt=f"Daily note {uuid.uuid4().hex[:6]}", cron=cron, run_at=run_at, now=now
    )
    return created.id


async def jobs_of(database: Database, org: uuid.UUID, schedule_id: uuid.UUID) -> list[Job]:
    async with database.tenant(org) as session:
        return list(
            (
                await session.scalars(select(Job).where(Job.schedule_id == schedule_id).order_by(Job.schedule_run_at))
            ).all()
        )


async def row(database: Database, org: uuid.UUID, schedule_id: uuid.UUID) -> Schedule:
    async with database.tenant(org) as session:
        return (await session.scalars(select(Schedule).where(Schedule.id == schedule_id))).one()


@dataclass
class Beat:
    """One organization's schedules and the beat that fires them, with the clock the test gives."""

    schedules: ScheduleService
    runtime: Runtime
    sender: RecordingSender
    database: Database
    org: uuid.UUID

    async def schedule(self, now: datetime, **options: Any) -> uuid.UUID:
        return await schedule(self.schedules, self.database, self.org, now, **options)

    async def tick(self, at: datetime, *, lead: timedelta = timedelta(0)) -> ScheduleTickReport:
        return await tick(self.runtime, at, sender=self.sender, lead=lead)

    async def tick_every(self, start: datetime, end: datetime, every: timedelta) -> None:
        now = start
        while now <= end:
            await self.tick(now)
            now += every

    async def jobs(self, schedule_id: uuid.UUID) -> list[Job]:
        return await jobs_of(self.database, self.org, schedule_id)

    async def row(self, schedule_id: uuid.UUID) -> Schedule:
        return await row(self.database, self.org, schedule_id)

    async def actions(self, prefix: str) -> list[str]:
        return await actions_of(self.database, self.org, prefix)
