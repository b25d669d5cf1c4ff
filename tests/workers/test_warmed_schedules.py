"""Scheduled posts warmed ahead of their due time, through a real Celery worker process and the
beat's own loop: the run is fired ahead and generated once, held with its result, queued again by
the beat's timer and posted once at its due time; a generation that fails ahead of time is tried
again until the due time, then reported."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from bot.jobs.queueing import JobSender
from bot.jobs.service import JobService
from bot.orgs.service import load_org_policy, set_role
from bot.process.runtime import Runtime
from bot.quota import QuotaService
from bot.schedules import ScheduleService
from db.engine import Database
from db.models import JobKind, JobState, Role
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


async def _schedule_soon(
    runtime: Runtime,
    quota: QuotaService,
    sender: JobSender,
    app_db: Database,
    org_id: uuid.UUID,
    prompt: str,
    channel: str,
) -> tuple[uuid.UUID, datetime]:
    """A one-off text schedule due ``DUE_IN`` from now, well inside the default warm lead."""
    # The creator is a person of the sandbox's workspace, an editor, and in the target channel.
    await set_role(app_db, org_id, REQUESTER, Role.EDITOR, actor="test")
    schedules = ScheduleService(runtime, JobService(app_db, quota, sender, runtime.secrets))
    now = datetime.now(UTC)
    due = (now + DUE_IN).replace(microsecond=0)
    created = await schedules.create(
        org_id,
        REQUESTER,
        kind=JobKind.TEXT,
        prompt=prompt,
        target_channel=channel,
        cron=None,
        run_at=due,
        policy=await load_org_policy(app_db, org_id),
        typed_in=channel,
        now=now,
    )
    return created.id, due


async def test_a_warmed_run_is_generated_ahead_held_and_posted_once_at_its_due_time(
    runtime: Runtime,
    quota: QuotaService,
    sender: JobSender,
    submitter: Submitter,
    app_db: Database,
    org_id: uuid.UUID,
    gemini: FakeGemini,
    slack: SlackSandbox,
) -> None:
    tag = marker()
    channel = submitter.new_channel()
    schedule_id, due = await _schedule_soon(
        runtime, quota, sender, app_db, org_id, f"Monday's team note {tag}", channel
    )

    async with beat_running(runtime):
        # Fired on the beat's first tick (the default lead is minutes), generated and held.
        job = await wait_for_scheduled_job(app_db, org_id, schedule_id, states=frozenset({JobState.HELD}))
        assert datetime.now(UTC) < due and job.post_at == due and job.result_text
        assert slack.messages(channel) == [] and len(requests_with(gemini, tag)) == 1

        posted = await wait_for_job(app_db, org_id, job.id, seconds=60)

    assert posted.state == JobState.POSTED
    [message] = slack.messages(channel)
    assert message["ts"] == posted.slack_ts and float(message["ts"]) >= due.timestamp()
    assert len(requests_with(gemini, tag)) == 1  # posted from the held result
    actions = [event.action for event in await audit_actions(app_db, org_id, job.id)]
    assert actions.count("job.held") == 1 and actions.count("job.released") == 1 and actions.count("job.posted") == 1
    assert actions.index("job.held") < actions.index("job.released") < actions.index("job.posted")


async def test_a_generation_failing_ahead_of_time_is_tried_again_until_the_due_time_then_reported(
    runtime: Runtime,
    quota: QuotaService,
    sender: JobSender,
    submitter: Submitter,
    app_db: Database,
    org_id: uuid.UUID,
    gemini: FakeGemini,
    slack: SlackSandbox,
) -> None:
    tag = marker()
    channel = submitter.new_channel()
    gemini.inject(status=503, count=None, prompt_contains=tag)
    schedule_id, due = await _schedule_soon(runtime, quota, sender, app_db, org_id, f"Friday wrap-up {tag}", channel)

    async with beat_running(runtime):
        job = await wait_for_scheduled_job(app_db, org_id, schedule_id, states=frozenset({JobState.FAILED}), seconds=90)

    assert job.error and slack.messages(channel) == []
    events = await audit_actions(app_db, org_id, job.id)
    actions = [event.action for event in events]
    # Queued again ahead of the due time, not reported; the attempt at or past it is reported.
    assert actions.count("job.requeued") >= 1 and actions.count("job.failed") == 1
    assert actions.index("job.requeued") < actions.index("job.failed")
    [failed] = [event for event in events if event.action == "job.failed"]
    assert all(event.at < due for event in events if event.action == "job.requeued") and failed.at >= due
