"""Scheduled posts warmed ahead of their due time, through a real Celery worker process and the
beat's own loop: the run is fired ahead and generated once, held with its result, queued again by
the beat's timer and posted once at its due time; a generation that fails ahead of time is tried
again until the due time, then reported; image runs are drawn at their longer lead, and a day
ahead inside the organization's off-peak window."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.jobs.queueing import JobSender
from bot.jobs.service import JobService
from bot.orgs.off_peak import OffPeakWindow, set_off_peak
from bot.orgs.service import load_org_policy, set_role
from bot.process.runtime import Runtime
from bot.quota import QuotaService
from bot.schedules import ScheduleService
from db.engine import Database
from db.models import Job, JobKind, JobState, Role, Schedule, ScheduleState
from sandbox.gemini import FakeGemini
from sandbox.slack import SlackSandbox
from tests.support.workers import (
    REQUESTER,
    Submitter,
    audit_actions,
    beat_running,
    marker,
    requests_with,
    wait_for_job,
    wait_for_scheduled_job,
    worker,
)

__all__ = ["worker"]

# starts a Celery worker: left out of `make test-fast`
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("worker")]

# Far enough ahead that the run is held (bot.schedules.warming.HOLD_LONGER_THAN) on a loaded machine.
DUE_IN = timedelta(seconds=25)


@dataclass(frozen=True)
class Warming:
    """One organization's schedules, made as `/content schedule` makes them, with the worker's fakes."""

    runtime: Runtime
    quota: QuotaService
    sender: JobSender
    database: Database
    org_id: uuid.UUID
    submitter: Submitter
    gemini: FakeGemini
    slack: SlackSandbox

    async def schedule(self, prompt: str, channel: str, *, due: datetime, kind: JobKind = JobKind.TEXT) -> uuid.UUID:
        """A one-off schedule due at ``due``."""
        # The creator is a person of the sandbox's workspace, an editor, and in the target channel.
        await set_role(self.database, self.org_id, REQUESTER, Role.EDITOR, actor="test")
        schedules = ScheduleService(
            self.runtime, JobService(self.database, self.quota, self.sender, self.runtime.secrets)
        )
        created = await schedules.create(
            self.org_id,
            REQUESTER,
            kind=kind,
            prompt=prompt,
            target_channel=channel,
            cron=None,
            run_at=due,
            policy=await load_org_policy(self.database, self.org_id),
            typed_in=channel,
        )
        return created.id

    async def job_of(self, schedule_id: uuid.UUID, states: frozenset[str], seconds: float = 30.0) -> Job:
        return await wait_for_scheduled_job(self.database, self.org_id, schedule_id, states=states, seconds=seconds)

    async def jobs_of(self, schedule_id: uuid.UUID) -> list[Job]:
        async with self.database.tenant(self.org_id) as session:
            return list((await session.scalars(select(Job).where(Job.schedule_id == schedule_id))).all())


@pytest.fixture
def warming(
    runtime: Runtime,
    quota: QuotaService,
    sender: JobSender,
    app_db: Database,
    org_id: uuid.UUID,
    submitter: Submitter,
    gemini: FakeGemini,
    slack: SlackSandbox,
) -> Warming:
    return Warming(runtime, quota, sender, app_db, org_id, submitter, gemini, slack)


def _soon() -> datetime:
    """``DUE_IN`` from now, well inside the default warm lead."""
    return (datetime.now(UTC) + DUE_IN).replace(microsecond=0)


async def test_a_warmed_run_is_generated_ahead_held_and_posted_once_at_its_due_time(warming: Warming) -> None:
    tag = marker()
    channel = warming.submitter.new_channel()
    due = _soon()
    schedule_id = await warming.schedule(f"Monday's team note {tag}", channel, due=due)

    async with beat_running(warming.runtime):
        # Fired on the beat's first tick (the default lead is minutes), generated and held.
        job = await warming.job_of(schedule_id, frozenset({JobState.HELD}))
        assert datetime.now(UTC) < due and job.post_at == due and job.result_text
        assert warming.slack.messages(channel) == [] and len(requests_with(warming.gemini, tag)) == 1

        posted = await wait_for_job(warming.database, warming.org_id, job.id, seconds=60)

    assert posted.state == JobState.POSTED
    [message] = warming.slack.messages(channel)
    assert message["ts"] == posted.slack_ts and float(message["ts"]) >= due.timestamp()
    assert len(requests_with(warming.gemini, tag)) == 1  # posted from the held result
    actions = [event.action for event in await audit_actions(warming.database, warming.org_id, job.id)]
    assert actions.count("job.held") == 1 and actions.count("job.released") == 1 and actions.count("job.posted") == 1
    assert actions.index("job.held") < actions.index("job.released") < actions.index("job.posted")


async def test_a_generation_failing_ahead_of_time_is_tried_again_until_the_due_time_then_reported(
    warming: Warming,
) -> None:
    tag = marker()
    channel = warming.submitter.new_channel()
    warming.gemini.inject(status=503, count=None, prompt_contains=tag)
    due = _soon()
    schedule_id = await warming.schedule(f"Friday wrap-up {tag}", channel, due=due)

    async with beat_running(warming.runtime):
        job = await warming.job_of(schedule_id, frozenset({JobState.FAILED}), seconds=90)

    assert job.error and warming.slack.messages(channel) == []
    events = await audit_actions(warming.database, warming.org_id, job.id)
    actions = [event.action for event in events]
    # Queued again ahead of the due time, not reported; the attempt at or past it is reported.
    assert actions.count("job.requeued") >= 1 and actions.count("job.failed") == 1
    assert actions.index("job.requeued") < actions.index("job.failed")
    [failed] = [event for event in events if event.action == "job.failed"]
    assert all(event.at < due for event in events if event.action == "job.requeued") and failed.at >= due


async def test_image_runs_are_warmed_at_their_longer_lead_and_a_day_ahead_inside_the_off_peak_window(
    warming: Warming,
) -> None:
    tag = marker()
    channel = warming.submitter.new_channel()
    now = datetime.now(UTC).replace(microsecond=0)
    # Between the default text lead (10 minutes) and image lead (60 minutes); and past both.
    soon, tomorrow = now + timedelta(minutes=30), now + timedelta(hours=20)
    image = await warming.schedule(f"a lighthouse {tag}", channel, due=soon, kind=JobKind.IMAGE)
    text = await warming.schedule(f"a note on the lighthouse {tag}", channel, due=soon)
    overnight = await warming.schedule(f"a harbour at night {tag}", channel, due=tomorrow, kind=JobKind.IMAGE)
    held = frozenset({JobState.HELD})
    try:
        async with beat_running(warming.runtime):
            drawn = await warming.job_of(image, held)
            assert drawn.post_at == soon and drawn.result_image
            # The text run waits for its own lead; the image due tomorrow, for an off-peak window.
            assert await warming.jobs_of(text) == [] and await warming.jobs_of(overnight) == []

            minute = now.hour * 60 + now.minute
            window = OffPeakWindow((minute - 60) % 1440, (minute + 60) % 1440, "UTC")
            await set_off_peak(warming.database, warming.org_id, window, actor="UADMIN")
            drawn_tonight = await warming.job_of(overnight, held)

        assert drawn_tonight.post_at == tomorrow and drawn_tonight.result_image
        assert await warming.jobs_of(text) == []
        assert warming.slack.messages(channel) == []  # held for their due times
    finally:
        # Nothing of this test is left to fire or post when a later test's beat runs.
        async with warming.database.tenant(warming.org_id) as session:
            await session.execute(update(Schedule).values(state=ScheduleState.CANCELLED))
            await session.execute(
                update(Job).where(Job.state == JobState.HELD).values(state=JobState.CANCELLED, post_at=None)
            )
