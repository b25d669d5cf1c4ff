"""Approval end to end with a real Celery worker process, the Slack sandbox and the fake Gemini:
schedule -> beat tick -> worker -> approval request -> Approve (signed click) -> posted once; a
warmed run asked and approved ahead of its due time, held, and posted once at it; and a double
click on Approve, both clicks at once, through the real queue -> posted once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis.asyncio as aioredis
from sqlalchemy import update

from bot.approvals.views import APPROVE_ACTION
from bot.jobs.queueing import JobSender
from bot.jobs.service import JobRequest, JobService
from bot.orgs.service import create_organization, load_org_policy, set_role
from bot.process.runtime import Runtime
from bot.quota import QuotaService
from bot.schedules import ScheduleService, tick
from db.engine import Database
from db.models import Job, JobKind, JobState, Member, Role
from sandbox.gemini import FakeGemini
from sandbox.slack import SlackSandbox
from tests.approvals.web import SIGNING_SECRET, start_clicks
from tests.support.approvals import make_runtime, require_approvals
from tests.support.schedules import create_text_schedule
from tests.support.waiting import wait_until
from tests.support.workers import (
    BOT_TOKEN,
    TEAM_ID,
    audit_actions,
    beat_running,
    broker_messages_naming,
    gemini,
    load_job,
    requests_with,
    slack,
    start_worker,
    wait_for_job,
    wait_for_scheduled_job,
    worker,
    worker_env,
)

__all__ = ["gemini", "slack", "start_worker", "worker", "worker_env"]

# starts Celery workers: left out of `make test-fast`
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("worker")]

ADMIN = "U0E2EADMIN"
EDITOR = "U0E2EEDITOR"


@pytest.fixture
def e2e_runtime(service_env: dict[str, str], slack: SlackSandbox, app_db: Database, aredis: aioredis.Redis) -> Runtime:
    return make_runtime(
        service_env, slack, app_db, aredis, slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET
    )


async def wait_for_approval_request(database: Database, org_id: uuid.UUID, job_id: uuid.UUID) -> Job:
    async def requested() -> Job | None:
        job = await load_job(database, org_id, job_id)
        return job if job.approval_ts is not None else None

    return await wait_until(requested, "the approval request was never recorded", seconds=30)


async def approvals_required(slack: SlackSandbox, app_db: Database) -> tuple[str, uuid.UUID, str, str]:
    """The workers' workspace as an organization that requires approval, with fresh approvers and
    target channels; returns (suffix, org id, approvers channel, target channel)."""
    suffix = uuid.uuid4().hex[:8].upper()
    approvers, target = f"C{suffix}APR", f"C{suffix}OUT"
    slack.add_user(TEAM_ID, ADMIN, name="ada", is_admin=True, tz="UTC")
    slack.add_user(TEAM_ID, EDITOR, name="eddie", tz="Europe/Berlin")
    slack.add_channel(TEAM_ID, approvers, f"approvers-{suffix.lower()}")
    slack.add_channel(TEAM_ID, target, f"news-{suffix.lower()}")
    org_id = await create_organization(app_db, name="End to end", team_id=TEAM_ID, admin_user_id=ADMIN)
    await set_role(app_db, org_id, ADMIN, Role.ADMIN, actor="test")
    await set_role(app_db, org_id, EDITOR, Role.EDITOR, actor="test")
    await require_approvals(app_db, org_id, approvers, paused=False)
    async with app_db.tenant(org_id) as session:
        await session.execute(update(Member).where(Member.slack_user_id == EDITOR).values(timezone="Europe/Berlin"))
    return suffix, org_id, approvers, target


@dataclass(frozen=True)
class EndToEnd:
    """An organization that requires approval, and jobs sent to the real broker as the web does."""

    runtime: Runtime
    jobs: JobService
    sender: JobSender
    org_id: uuid.UUID
    approvers: str
    target: str
    suffix: str


@pytest.fixture
async def e2e(e2e_runtime: Runtime, slack: SlackSandbox, app_db: Database, redis_url: str) -> AsyncIterator[EndToEnd]:
    suffix, org_id, approvers, target = await approvals_required(slack, app_db)
    sender = JobSender(redis_url)
    jobs = JobService(app_db, QuotaService(e2e_runtime.redis, app_db), sender, e2e_runtime.secrets)
    yield EndToEnd(e2e_runtime, jobs, sender, org_id, approvers, target, suffix)
    sender.close()


async def test_scheduled_result_waits_for_approval_and_is_posted_once_approved(
    e2e: EndToEnd, slack: SlackSandbox, app_db: Database, redis_url: str
) -> None:
    runtime, org_id, approvers, target = e2e.runtime, e2e.org_id, e2e.approvers, e2e.target
    schedules = ScheduleService(runtime, e2e.jobs)
    now = datetime.now(UTC)
    # In a minute, as the editor reads the clock in Berlin.
    when = (now + timedelta(minutes=1)).astimezone(ZoneInfo("Europe/Berlin")).replace(tzinfo=None)
    created = await create_text_schedule(
        schedules,
        app_db,
        org_id,
        EDITOR,
        prompt=f"A short note about the offsite {e2e.suffix}",
        target_channel=target,
        cron=None,
        run_at=when,
        now=now,
    )

    report = await tick(runtime, now + timedelta(minutes=2), sender=e2e.sender)
    [(schedule_id, job_id)] = [(s, j) for s, j in report.fired if s == created.id]

    job = await wait_for_job(app_db, org_id, job_id, states=frozenset({JobState.AWAITING_APPROVAL}), seconds=60)
    job = await wait_for_approval_request(app_db, org_id, job_id)
    assert job.approval_channel == approvers and job.approval_ts
    [request] = slack.messages(approvers)
    assert request["ts"] == job.approval_ts and "Approval needed" in request["text"]
    assert slack.messages(target) == []  # nothing posted before the decision

    clicks = await start_clicks(runtime, slack, TEAM_ID, sender=JobSender(redis_url))
    try:
        click = await clicks.click(APPROVE_ACTION, str(job_id), user=ADMIN, channel=approvers, ts=job.approval_ts)
        again = await clicks.click(APPROVE_ACTION, str(job_id), user=ADMIN, channel=approvers, ts=job.approval_ts)
    finally:
        await clicks.close()
    assert click.status == again.status == 200 and click.answers == []
    assert "already approved" in again.answers[0]

    posted: Job = await wait_for_job(app_db, org_id, job_id, seconds=60)
    assert posted.state == JobState.POSTED and posted.decided_by == ADMIN
    assert posted.schedule_id == schedule_id
    [message] = slack.messages(target)
    assert message["ts"] == posted.slack_ts
    decided = slack.message(approvers, job.approval_ts)
    assert decided is not None and "Approved" in decided["text"]


async def test_a_warmed_run_is_approved_ahead_of_its_due_time_and_posted_once_at_it(
    e2e: EndToEnd, slack: SlackSandbox, app_db: Database, gemini: FakeGemini, redis_url: str
) -> None:
    runtime, org_id, approvers, target = e2e.runtime, e2e.org_id, e2e.approvers, e2e.target
    schedules = ScheduleService(runtime, e2e.jobs)
    now = datetime.now(UTC)
    # Inside the default lead (minutes), and far enough ahead that the approved run is held.
    due = (now + timedelta(seconds=40)).replace(microsecond=0)
    created = await create_text_schedule(
        schedules,
        app_db,
        org_id,
        EDITOR,
        prompt=f"The offsite agenda {e2e.suffix}",
        target_channel=target,
        cron=None,
        run_at=due,
        now=now,
    )

    async with beat_running(runtime):
        waiting = frozenset({JobState.AWAITING_APPROVAL})
        job = await wait_for_scheduled_job(app_db, org_id, created.id, states=waiting)
        job = await wait_for_approval_request(app_db, org_id, job.id)
        assert datetime.now(UTC) < due and job.post_at == due  # the request went out ahead
        assert job.approval_ts is not None
        clicks = await start_clicks(runtime, slack, TEAM_ID, sender=JobSender(redis_url))
        try:
            click = await clicks.click(APPROVE_ACTION, str(job.id), user=ADMIN, channel=approvers, ts=job.approval_ts)
        finally:
            await clicks.close()
        assert click.status == 200

        held = await wait_for_job(app_db, org_id, job.id, states=frozenset({JobState.HELD}))
        assert datetime.now(UTC) < due and held.decided_by == ADMIN
        assert slack.messages(target) == []

        posted = await wait_for_job(app_db, org_id, job.id, seconds=60)

    assert posted.state == JobState.POSTED
    [message] = slack.messages(target)
    assert message["ts"] == posted.slack_ts and float(message["ts"]) >= due.timestamp()
    assert len(requests_with(gemini, e2e.suffix)) == 1  # generated once, ahead
    actions = [event.action for event in await audit_actions(app_db, org_id, job.id)]
    assert actions.index("approval.requested") < actions.index("job.held") < actions.index("job.posted")


async def test_double_click_posts_once(e2e: EndToEnd, slack: SlackSandbox, app_db: Database, redis_url: str) -> None:
    runtime, org_id, approvers, target = e2e.runtime, e2e.org_id, e2e.approvers, e2e.target
    accepted = await e2e.jobs.submit(
        JobRequest(
            org_id=org_id,
            requester_id=EDITOR,
            kind=JobKind.TEXT,
            prompt=f"Announce the new coffee machine {e2e.suffix}",
            target_channel=target,
            source_channel=target,
        ),
        await load_org_policy(app_db, org_id),
    )
    await wait_for_job(app_db, org_id, accepted.job_id, states=frozenset({JobState.AWAITING_APPROVAL}), seconds=60)
    job = await wait_for_approval_request(app_db, org_id, accepted.job_id)

    clicks = await start_clicks(runtime, slack, TEAM_ID, sender=e2e.sender)
    try:
        first, second = await asyncio.gather(
            clicks.click(APPROVE_ACTION, str(job.id), user=ADMIN, channel=approvers, ts=job.approval_ts),
            clicks.click(APPROVE_ACTION, str(job.id), user=ADMIN, channel=approvers, ts=job.approval_ts),
        )
    finally:
        await clicks.close()
    assert first.status == second.status == 200
    answers = first.answers + second.answers
    assert len(answers) == 1 and f"<@{ADMIN}> already approved" in answers[0]

    posted = await wait_for_job(app_db, org_id, job.id, seconds=60)
    # Whatever either click sent is consumed before counting: nothing for the job left queued
    # or unacknowledged in the broker.
    await wait_until(
        lambda: broker_messages_naming(redis_url, job.id) == 0,
        "the broker still holds a delivery of the job",
        seconds=60,
    )

    assert posted.state == JobState.POSTED and posted.decided_by == ADMIN
    [message] = slack.messages(target)
    assert message["ts"] == posted.slack_ts
    actions = [event.action for event in await audit_actions(app_db, org_id, job.id)]
    assert actions.count("approval.approved") == 1 and actions.count("job.posted") == 1
