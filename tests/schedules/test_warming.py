"""The tick with a lead: a run due soon is fired ahead, once, with its due time as ``post_at``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from bot.schedules.warming import release_held_job
from db.models import Job, JobState, ScheduleState
from db.system import HeldJob
from tests.support.approvals import EDITOR, RecordingSender
from tests.support.schedules import Beat

LEAD = timedelta(minutes=10)


def _due_in_25_minutes(now: datetime) -> datetime:
    return (now + timedelta(minutes=25)).replace(second=0, microsecond=0)


async def test_a_run_due_within_the_lead_is_fired_ahead_once_with_its_due_time(beat: Beat) -> None:
    now = datetime.now(UTC)
    due = _due_in_25_minutes(now)
    schedule_id = await beat.schedule(now, run_at=due.replace(tzinfo=None), tz="UTC")

    too_early = await beat.tick(due - LEAD - timedelta(minutes=1), lead=LEAD)
    assert schedule_id not in [s for s, _ in too_early.fired]
    for _ in range(2):
        await beat.tick(due - timedelta(minutes=9), lead=LEAD)

    [job] = await beat.jobs(schedule_id)
    assert job.state == JobState.QUEUED and job.post_at == due and job.schedule_run_at == due
    assert (await beat.row(schedule_id)).state == ScheduleState.DONE


async def test_without_a_lead_a_run_fires_at_its_due_time_and_posts_at_once(beat: Beat) -> None:
    now = datetime.now(UTC)
    due = _due_in_25_minutes(now)
    schedule_id = await beat.schedule(now, run_at=due.replace(tzinfo=None), tz="UTC")
    await beat.tick(due - timedelta(minutes=9))
    assert await beat.jobs(schedule_id) == []
    await beat.tick(due + timedelta(seconds=1))
    [job] = await beat.jobs(schedule_id)
    assert job.post_at is None


async def _held_run(beat: Beat) -> tuple[uuid.UUID, Job, datetime]:
    """A daily schedule (a cron stays active after a run, so it can be cancelled) whose next run
    was fired ahead: its job and due time."""
    now = datetime.now(UTC)
    due = _due_in_25_minutes(now)
    schedule_id = await beat.schedule(now, cron=f"{due.minute} {due.hour} * * *", tz="UTC")
    await beat.tick(due - timedelta(minutes=5), lead=LEAD)
    [job] = await beat.jobs(schedule_id)
    return schedule_id, job, due


async def _hold(beat: Beat, job: Job) -> None:
    async with beat.database.tenant(beat.org) as session:  # what the worker leaves: the result, held
        await session.execute(
            update(Job).where(Job.id == job.id).values(state=JobState.HELD, result_text="Monday's note")
        )


async def _released(beat: Beat, job: Job, due: datetime) -> list[tuple[uuid.UUID, uuid.UUID, str]]:
    """What releasing the held job at its due time sends (it must answer that it released nothing)."""
    released = RecordingSender()
    assert not await release_held_job(beat.database, released, HeldJob(job.id, beat.org, "text", due))
    return released.jobs


async def test_cancelling_a_schedule_cancels_its_held_run_at_once(beat: Beat) -> None:
    schedule_id, job, due = await _held_run(beat)
    await _hold(beat, job)

    await beat.schedules.cancel(beat.org, str(schedule_id), actor=EDITOR, role="editor")

    [cancelled] = await beat.jobs(schedule_id)
    assert cancelled.state == JobState.CANCELLED
    assert "job.cancelled" in await beat.actions("job.")
    assert await _released(beat, job, due) == []


async def test_a_run_held_after_its_schedule_was_cancelled_is_cancelled_at_its_due_time_not_posted(
    beat: Beat,
) -> None:
    schedule_id, job, due = await _held_run(beat)
    await beat.schedules.cancel(beat.org, str(schedule_id), actor=EDITOR, role="editor")
    assert (await beat.jobs(schedule_id))[0].state == JobState.QUEUED  # still being generated
    await _hold(beat, job)

    assert await _released(beat, job, due) == []

    [cancelled] = await beat.jobs(schedule_id)
    assert cancelled.state == JobState.CANCELLED
    assert "job.cancelled" in await beat.actions("job.")
