"""Image runs are warmed earlier than text runs, and inside the organization's off-peak window
a day ahead; the window is wall-clock time in its own zone, wrapping past midnight."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from bot.errors import BadInput
from bot.orgs.off_peak import OffPeakWindow, parse_window, set_off_peak
from bot.orgs.service import load_org_policy
from bot.process.runtime import Runtime
from bot.schedules import ScheduleService, tick
from db.engine import Database
from db.models import JobKind, Member
from tests.support.approvals import EDITOR, RecordingSender, actions_of
from tests.support.schedules import jobs_of

LEAD = timedelta(minutes=10)
IMAGE_LEAD = timedelta(minutes=60)


async def _schedule(
    schedules: ScheduleService, app_db: Database, org: uuid.UUID, now: datetime, due: datetime, kind: JobKind
) -> uuid.UUID:
    async with app_db.tenant(org) as session:
        await session.execute(update(Member).where(Member.slack_user_id == EDITOR).values(timezone="UTC"))
    created = await schedules.create(
        org,
        EDITOR,
        kind=kind,
        prompt=f"a {kind} about the harbour {uuid.uuid4().hex[:6]}",
        target_channel="C0TARGET",
        cron=None,
        run_at=due.replace(tzinfo=None),
        policy=await load_org_policy(app_db, org),
        now=now,
    )
    return created.id


def _window_around(moment: datetime, zone: str, *, minutes: int = 30) -> OffPeakWindow:
    local = moment.astimezone(ZoneInfo(zone))
    minute = local.hour * 60 + local.minute
    return OffPeakWindow((minute - minutes) % 1440, (minute + minutes) % 1440, zone)


async def test_an_image_run_is_fired_at_its_own_longer_lead_and_a_text_run_at_the_text_lead(
    schedules: ScheduleService, runtime: Runtime, sender: RecordingSender, app_db: Database, org: uuid.UUID
) -> None:
    now = datetime.now(UTC)
    due = (now + timedelta(hours=2)).replace(second=0, microsecond=0)
    image = await _schedule(schedules, app_db, org, now, due, JobKind.IMAGE)
    text = await _schedule(schedules, app_db, org, now, due, JobKind.TEXT)

    early = await tick(
        runtime, due - IMAGE_LEAD - timedelta(minutes=1), sender=sender, lead=LEAD, image_lead=IMAGE_LEAD
    )
    assert {image, text}.isdisjoint(s for s, _ in early.fired)
    within = await tick(runtime, due - timedelta(minutes=45), sender=sender, lead=LEAD, image_lead=IMAGE_LEAD)
    assert image in [s for s, _ in within.fired] and text not in [s for s, _ in within.fired]
    [job] = await jobs_of(app_db, org, image)
    assert job.kind == JobKind.IMAGE and job.post_at == due
    await tick(runtime, due - timedelta(minutes=9), sender=sender, lead=LEAD, image_lead=IMAGE_LEAD)
    [text_job] = await jobs_of(app_db, org, text)
    assert text_job.post_at == due


async def test_inside_the_off_peak_window_an_image_run_due_tomorrow_is_fired_now_and_held_for_its_due_time(
    schedules: ScheduleService, runtime: Runtime, sender: RecordingSender, app_db: Database, org: uuid.UUID
) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    due = now + timedelta(hours=20)
    image = await _schedule(schedules, app_db, org, now, due, JobKind.IMAGE)
    text = await _schedule(schedules, app_db, org, now, due, JobKind.TEXT)
    later = await _schedule(schedules, app_db, org, now, now + timedelta(hours=30), JobKind.IMAGE)

    # No window: only the lead counts.
    report = await tick(runtime, now, sender=sender, lead=LEAD, image_lead=IMAGE_LEAD)
    assert image not in [s for s, _ in report.fired]
    # A window elsewhere in the day (in Tokyo's wall-clock time): still nothing.
    await set_off_peak(app_db, org, _window_around(now + timedelta(hours=8), "Asia/Tokyo"), actor="UADMIN")
    report = await tick(runtime, now, sender=sender, lead=LEAD, image_lead=IMAGE_LEAD)
    assert image not in [s for s, _ in report.fired]

    await set_off_peak(app_db, org, _window_around(now, "Asia/Tokyo"), actor="UADMIN")
    report = await tick(runtime, now, sender=sender, lead=LEAD, image_lead=IMAGE_LEAD)

    fired = [s for s, _ in report.fired]
    assert image in fired
    assert text not in fired and later not in fired  # text keeps its lead; past the horizon waits
    [job] = await jobs_of(app_db, org, image)
    assert job.post_at == due
    assert "off_peak.set" in await actions_of(app_db, org, "off_peak.")


def test_a_window_wraps_past_midnight_in_its_own_time_zone() -> None:
    window = parse_window("22:00-06:00", "Europe/Paris")
    assert (window.start, window.end, window.timezone) == (22 * 60, 6 * 60, "Europe/Paris")
    paris = ZoneInfo("Europe/Paris")
    assert window.contains(datetime(2026, 1, 5, 23, 30, tzinfo=paris))
    assert window.contains(datetime(2026, 1, 6, 5, 59, tzinfo=paris))
    assert not window.contains(datetime(2026, 1, 6, 6, 0, tzinfo=paris))
    assert window.contains(datetime(2026, 1, 5, 21, 0, tzinfo=UTC))  # 22:00 in Paris
    assert not window.contains(datetime(2026, 1, 5, 20, 59, tzinfo=UTC))
    day = parse_window("01:30-04:00 Asia/Tokyo", "UTC")
    assert day.contains(datetime(2026, 1, 5, 17, 0, tzinfo=UTC))  # 02:00 in Tokyo
    assert not day.contains(datetime(2026, 1, 5, 20, 0, tzinfo=UTC))  # 05:00 in Tokyo


@pytest.mark.parametrize("text", ["22-06", "25:00-06:00", "06:00-06:00", "22:00-06:00 Mars/Olympus", ""])
def test_a_window_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(BadInput):
        parse_window(text, "UTC")
