"""The beat's tick, driven with an injected clock: each run fires once, at the right local time."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text, update

from bot.orgs.service import set_role
from bot.quota import QuotaService
from db.engine import Database
from db.models import JobKind, JobState, Organization, Role, Schedule, ScheduleState
from sandbox.slack import SlackSandbox
from tests.support.approvals import ADMIN, ADMIN2, EDITOR, TARGET
from tests.support.schedules import Beat

NEW_YORK = ZoneInfo("America/New_York")


async def test_a_one_off_fires_once_then_is_done(beat: Beat) -> None:
    now = datetime.now(UTC)
    schedule_id = await beat.schedule(now, run_at=(now + timedelta(minutes=5)).replace(tzinfo=None), tz="UTC")

    early = await beat.tick(now + timedelta(minutes=4))
    assert schedule_id not in [s for s, _ in early.fired]
    for _ in range(3):
        await beat.tick(now + timedelta(minutes=6))
    await beat.tick(now + timedelta(days=2))

    [job] = await beat.jobs(schedule_id)
    assert job.state == JobState.QUEUED and job.requester_id == EDITOR and job.target_channel == TARGET
    assert job.source_channel is None and job.response_url is None
    assert [s for s in beat.sender.jobs if s[0] == job.id] == [(job.id, beat.org, "text")]
    done = await beat.row(schedule_id)
    assert done.state == ScheduleState.DONE and done.next_run_at is None and done.claimed_until is None
    assert done.last_run_at == job.schedule_run_at
    assert "schedule.fired" in await beat.actions("schedule.")


async def _local_runs(beat: Beat, cron: str, start: datetime, days: int) -> list[str]:
    schedule_id = await beat.schedule(start, cron=cron, tz="America/New_York")
    await beat.tick_every(start, start + timedelta(days=days), timedelta(minutes=15))
    jobs = await beat.jobs(schedule_id)
    return [j.schedule_run_at.astimezone(NEW_YORK).strftime("%m-%d %H:%M %Z") for j in jobs]


SPRING, AUTUMN = datetime(2026, 3, 7, 0, tzinfo=UTC), datetime(2026, 10, 31, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "cron", "expected"),
    [
        (SPRING, "30 1 * * *", ["03-07 01:30 EST", "03-08 01:30 EST", "03-09 01:30 EDT"]),
        (SPRING, "0 9 * * *", ["03-07 09:00 EST", "03-08 09:00 EDT", "03-09 09:00 EDT"]),
        (AUTUMN, "30 1 * * *", ["10-31 01:30 EDT", "11-01 01:30 EDT", "11-02 01:30 EST"]),
        (AUTUMN, "0 9 * * *", ["10-31 09:00 EDT", "11-01 09:00 EST", "11-02 09:00 EST"]),
    ],
    ids=["spring-night", "spring-morning", "autumn-night", "autumn-morning"],
)
async def test_cron_fires_at_local_times_across_a_clock_change(
    beat: Beat, start: datetime, cron: str, expected: list[str]
) -> None:
    assert await _local_runs(beat, cron, start, 3) == expected


async def test_two_ticks_at_once_fire_each_run_once(beat: Beat) -> None:
    now = datetime.now(UTC)
    ids = [await beat.schedule(now, cron="*/15 * * * *", tz="UTC") for _ in range(3)] + [
        await beat.schedule(now, run_at=(now + timedelta(minutes=1)).replace(tzinfo=None), tz="UTC")
    ]

    for minutes in (16, 31, 46):
        at = now + timedelta(minutes=minutes)
        reports = await asyncio.gather(*(beat.tick(at) for _ in range(4)))
        fired = [s for report in reports for s, _ in report.fired]
        assert sorted(fired) == sorted(set(fired))

    for schedule_id in ids:
        jobs = await beat.jobs(schedule_id)
        run_times = [j.schedule_run_at for j in jobs]
        assert len(run_times) == len(set(run_times))
        assert len(jobs) == (1 if schedule_id == ids[-1] else 3)


async def test_a_run_fired_twice_after_a_crash_makes_one_job(beat: Beat, owner_db: Database) -> None:
    now = datetime.now(UTC)
    schedule_id = await beat.schedule(now, cron="0 * * * *", tz="UTC")
    first = await beat.row(schedule_id)
    await beat.tick(now + timedelta(hours=1))
    # As if the beat had died after submitting and before moving the schedule on.
    async with owner_db.system() as session:
        await session.execute(
            text("UPDATE schedules SET next_run_at = :at, claimed_until = NULL WHERE id = :id"),
            {"at": first.next_run_at, "id": schedule_id},
        )

    await beat.tick(now + timedelta(hours=1, minutes=1))

    [job] = await beat.jobs(schedule_id)
    assert job.schedule_run_at == first.next_run_at
    assert (await beat.row(schedule_id)).next_run_at > now + timedelta(hours=1)
    assert await beat.actions("schedule.fired") == ["schedule.fired", "schedule.fired"]


async def test_after_downtime_a_missed_period_fires_once(beat: Beat) -> None:
    start = datetime(2026, 6, 1, 0, tzinfo=UTC)
    schedule_id = await beat.schedule(start, cron="0 9 * * *", tz="America/New_York")

    back = datetime(2026, 6, 5, 18, tzinfo=UTC)  # five 09:00 runs were missed
    await beat.tick(back)
    await beat.tick(back + timedelta(minutes=1))

    jobs = await beat.jobs(schedule_id)
    assert len(jobs) == 1
    assert (await beat.row(schedule_id)).next_run_at == datetime(2026, 6, 6, 13, tzinfo=UTC)


async def test_a_run_denied_by_quota_is_skipped_audited_and_the_creator_told_once(
    beat: Beat, quota: QuotaService, slack: SlackSandbox
) -> None:
    now = datetime.now(UTC)
    schedule_id = await beat.schedule(now, cron="*/15 * * * *", tz="UTC")
    await quota.set_budget(beat.org, 1, actor=ADMIN)

    for _ in range(3):
        await beat.tick(now + timedelta(minutes=16))

    assert await beat.jobs(schedule_id) == []
    assert await beat.actions("schedule.skipped") == ["schedule.skipped"]
    notes = [m for m in slack.messages() if m["channel"].startswith("D") and str(schedule_id)[:8] in m["text"]]
    assert len(notes) == 1 and "skipped" in notes[0]["text"]
    moved = await beat.row(schedule_id)
    assert moved.state == ScheduleState.ACTIVE and moved.next_run_at > now + timedelta(minutes=16)


async def test_a_run_the_guard_now_refuses_is_skipped_and_the_creator_told(beat: Beat, slack: SlackSandbox) -> None:
    now = datetime.now(UTC)
    schedule_id = await beat.schedule(now, cron="*/15 * * * *", tz="UTC")
    async with beat.database.tenant(beat.org) as session:
        await session.execute(update(Schedule).where(Schedule.id == schedule_id).values(injection_score=0.6))
        await session.execute(update(Organization).where(Organization.id == beat.org).values(injection_threshold=0.5))

    report = await beat.tick(now + timedelta(minutes=16))

    assert (schedule_id, "guard") in report.skipped
    assert await beat.jobs(schedule_id) == []
    assert any("prompt guard" in m["text"] for m in slack.messages() if m["channel"].startswith("D"))


async def test_paused_organizations_and_cancelled_schedules_do_not_fire(beat: Beat) -> None:
    now = datetime.now(UTC)
    kept = await beat.schedule(now, cron="*/15 * * * *", tz="UTC")
    cancelled = await beat.schedule(now, cron="*/15 * * * *", tz="UTC")
    await beat.schedules.cancel(beat.org, str(cancelled), actor=EDITOR, role="editor")
    async with beat.database.tenant(beat.org) as session:
        await session.execute(update(Organization).where(Organization.id == beat.org).values(paused=True))

    report = await beat.tick(now + timedelta(minutes=16))

    assert (kept, "paused") in report.skipped
    assert await beat.jobs(kept) == [] and await beat.jobs(cancelled) == []


def _notes_to(slack: SlackSandbox, user: str, schedule_id: uuid.UUID) -> list[str]:
    dm = f"D{user[1:]}"
    return [m["text"] for m in slack.messages(dm) if str(schedule_id)[:8] in m["text"]]


async def test_a_demoted_creators_schedule_is_paused_with_a_notice_and_they_can_still_cancel_it(
    beat: Beat, slack: SlackSandbox
) -> None:
    now = datetime.now(UTC)
    schedule_id = await beat.schedule(now, cron="0 * * * *", tz="UTC")
    await set_role(beat.database, beat.org, EDITOR, Role.VIEWER, actor=ADMIN)

    first = await beat.tick(now + timedelta(hours=1, minutes=1))
    later = await beat.tick(now + timedelta(hours=3))

    assert first.paused == [(schedule_id, "role")] and first.fired == []
    assert later.paused == [] and later.fired == []  # a paused schedule is not claimed again
    assert await beat.jobs(schedule_id) == []
    assert (await beat.row(schedule_id)).state == ScheduleState.PAUSED
    assert await beat.actions("schedule.paused") == ["schedule.paused"]
    [note] = _notes_to(slack, EDITOR, schedule_id)
    assert "paused" in note and "editor role" in note and "you are a viewer now" in note

    cancelled = await beat.schedules.cancel(beat.org, str(schedule_id)[:8], actor=EDITOR, role=Role.VIEWER)
    assert cancelled.state == ScheduleState.CANCELLED


async def test_a_creator_who_left_the_channel_gets_the_schedule_paused(beat: Beat, slack: SlackSandbox) -> None:
    now = datetime.now(UTC)
    schedule_id = await beat.schedule(now, cron="0 * * * *", tz="UTC")
    slack.channels[TARGET].members = {ADMIN, ADMIN2}

    report = await beat.tick(now + timedelta(hours=1, minutes=1))

    assert report.paused == [(schedule_id, "channel")] and report.fired == []
    assert await beat.jobs(schedule_id) == []
    assert (await beat.row(schedule_id)).state == ScheduleState.PAUSED
    [note] = _notes_to(slack, EDITOR, schedule_id)
    assert "only where you are a member" in note and "You are not a member of" in note


async def test_when_slack_cannot_say_the_run_is_left_for_a_later_beat(beat: Beat, slack: SlackSandbox) -> None:
    now = datetime.now(UTC)
    schedule_id = await beat.schedule(now, cron="0 * * * *", tz="UTC")
    slack.inject("conversations.members", status=503, count=None)
    try:
        report = await beat.tick(now + timedelta(hours=1, minutes=1))
    finally:
        slack.clear_faults()
    assert report.failed == [schedule_id]
    assert (await beat.row(schedule_id)).state == ScheduleState.ACTIVE

    later = await beat.tick(now + timedelta(hours=1, minutes=5))
    assert [s for s, _ in later.fired] == [schedule_id]


async def test_a_schedule_made_before_the_floor_runs_at_most_every_fifteen_minutes(beat: Beat) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    async with beat.database.tenant(beat.org) as session:
        legacy = Schedule(
            id=uuid.uuid4(),
            org_id=beat.org,
            created_by=EDITOR,
            kind=JobKind.TEXT,
            masked_prompt="every minute, as was once allowed",
            target_channel=TARGET,
            cron="* * * * *",
            timezone="UTC",
            next_run_at=now + timedelta(minutes=1),
            state=ScheduleState.ACTIVE,
            injection_score=0.0,
        )
        session.add(legacy)

    await beat.tick_every(now + timedelta(minutes=1), now + timedelta(minutes=46), timedelta(minutes=1))

    runs = [j.schedule_run_at for j in await beat.jobs(legacy.id)]
    assert len(runs) == 4  # minutes 1, 16, 31 and 46, not 46 runs
    assert all(later - earlier >= timedelta(minutes=15) for earlier, later in itertools.pairwise(runs))
