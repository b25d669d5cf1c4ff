"""The tick with a lead: a run due soon is fired ahead, once, with its due time as ``post_at``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from bot.process.runtime import Runtime
from bot.schedules import ScheduleService, tick
from db.engine import Database
from db.models import JobState, ScheduleState
from tests.schedules.test_tick import jobs_of, row, schedule
from tests.support.approvals import RecordingSender

LEAD = timedelta(minutes=10)


async def test_a_run_due_within_the_lead_is_fired_ahead_once_with_its_due_time(
    schedules: ScheduleService, runtime: Runtime, sender: RecordingSender, app_db: Database, org: uuid.UUID
) -> None:
    now = datetime.now(UTC)
    due = (now + timedelta(minutes=25)).replace(second=0, microsecond=0)
    schedule_id = await schedule(schedules, app_db, org, now, run_at=due.replace(tzinfo=None), tz="UTC")

    too_early = await tick(runtime, due - LEAD - timedelta(minutes=1), sender=sender, lead=LEAD)  # type: ignore[arg-type]
    assert schedule_id not in [s for s, _ in too_early.fired]
    for _ in range(2):
        await tick(runtime, due - timedelta(minutes=9), sender=sender, lead=LEAD)  # type: ignore[arg-type]

    [job] = await jobs_of(app_db, org, schedule_id)
    assert job.state == JobState.QUEUED and job.post_at == due and job.schedule_run_at == due
    assert (await row(app_db, org, schedule_id)).state == ScheduleState.DONE


async def test_without_a_lead_a_run_fires_at_its_due_time_and_posts_at_once(
    schedules: ScheduleService, runtime: Runtime, sender: RecordingSender, app_db: Database, org: uuid.UUID
) -> None:
    now = datetime.now(UTC)
    due = (now + timedelta(minutes=25)).replace(second=0, microsecond=0)
    schedule_id = await schedule(schedules, app_db, org, now, run_at=due.replace(tzinfo=None), tz="UTC")
    await tick(runtime, due - timedelta(minutes=9), sender=sender)  # type: ignore[arg-type]
    assert await jobs_of(app_db, org, schedule_id) == []
    await tick(runtime, due + timedelta(seconds=1), sender=sender)  # type: ignore[arg-type]
    [job] = await jobs_of(app_db, org, schedule_id)
    assert job.post_at is None
