"""The tick with a lead: a run due soon is fired ahead, once, with its due time as ``post_at``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from bot.process.runtime import Runtime
from bot.schedules import ScheduleService, tick
from bot.schedules.warming import release_held_job
from db.engine import Database
from db.models import Job, JobState, ScheduleState
from db.system import HeldJob
from tests.schedules.test_tick import jobs_of, row, schedule
from tests.support.approvals import EDITOR, RecordingSender, actions_of

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


async def _held_run(
    schedules: ScheduleService, runtime: Runtime, sender: RecordingSender, app_db: Database, org: uuid.UUID
) -> tuple[uuid.UUID, Job, datetime]:
    """A daily schedule (a cron stays active after a run, so it can be cancelled) whose next run
    was fired ahead: its job and due time."""
    now = datetime.now(UTC)
    due = (now + timedelta(minutes=25)).replace(second=0, microsecond=0)
    schedule_id = await schedule(schedules, app_db, org, now, cron=f"{due.minute} {due.hour} * * *", tz="UTC")
    await tick(runtime, due - timedelta(minutes=5), sender=sender, lead=LEAD)  # type: ignore[arg-type]
    [job] = await jobs_of(app_db, org, schedule_id)
    return schedule_id, job, due


async def _hold(app_db: Database, org: uuid.UUID, job: Job) -> None:
    async with app_db.tenant(org) as session:  # what the worker leaves: the result, held
        await session.execute(
            update(Job).where(Job.id == job.id).values(state=JobState.HELD, result_text="Monday's note")
        )


async def test_cancelling_a_schedule_cancels_its_held_run_at_once(
    schedules: ScheduleService, runtime: Runtime, sender: RecordingSender, app_db: Database, org: uuid.UUID
) -> None:
    schedule_id, job, due = await _held_run(schedules, runtime, sender, app_db, org)
    await _hold(app_db, org, job)

    await schedules.cancel(org, str(schedule_id), actor=EDITOR, role="editor")

    [cancelled] = await jobs_of(app_db, org, schedule_id)
    assert cancelled.state == JobState.CANCELLED
    assert "job.cancelled" in await actions_of(app_db, org, "job.")
    released = RecordingSender()
    assert not await release_held_job(app_db, released, HeldJob(job.id, org, "text", due))  # type: ignore[arg-type]
    assert released.jobs == []


async def test_a_run_held_after_its_schedule_was_cancelled_is_cancelled_at_its_due_time_not_posted(
    schedules: ScheduleService, runtime: Runtime, sender: RecordingSender, app_db: Database, org: uuid.UUID
) -> None:
    schedule_id, job, due = await _held_run(schedules, runtime, sender, app_db, org)
    await schedules.cancel(org, str(schedule_id), actor=EDITOR, role="editor")
    assert (await jobs_of(app_db, org, schedule_id))[0].state == JobState.QUEUED  # still being generated
    await _hold(app_db, org, job)
    released = RecordingSender()

    assert not await release_held_job(app_db, released, HeldJob(job.id, org, "text", due))  # type: ignore[arg-type]

    [cancelled] = await jobs_of(app_db, org, schedule_id)
    assert cancelled.state == JobState.CANCELLED and released.jobs == []
    assert "job.cancelled" in await actions_of(app_db, org, "job.")
