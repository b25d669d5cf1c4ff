"""A warmed scheduled run in one worker's event loop: generated ahead and held, released at its
due time and posted once from its stored result; a failure ahead of time is queued again."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.process.runtime import Runtime
from bot.quota import QuotaService
from bot.schedules.warming import HeldPostReleaser, release_held_job
from db.engine import Database
from db.models import Job, JobState
from db.system import HeldJob
from sandbox.gemini import FakeGemini
from sandbox.slack import SlackSandbox
from tests.support.workers import GEMINI_KEY, MODELS, Submitter, load_job, requests_with
from workers.fair_gate import FairGate
from workers.flow import Outcome, run_job
from workers.loop import WorkerContext
from workers.posting import close_http_session
from workers.providers import TextRouter
from workers.providers.router import RetryPolicy


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[uuid.UUID] = []

    async def send_job(self, job_id: uuid.UUID, org_id: uuid.UUID, kind: str, priority: int = 0) -> None:
        self.sent.append(job_id)


@pytest.fixture
async def context(runtime: Runtime, quota: QuotaService, gemini: FakeGemini) -> AsyncIterator[WorkerContext]:
    quick = RetryPolicy(max_attempts_per_model=1, base_delay=0.01, max_delay=0.01)
    router = TextRouter.from_settings(MODELS, GEMINI_KEY, gemini.url, policy=quick)
    yield WorkerContext(runtime, quota, router, FairGate(4))
    await router.aclose()
    await close_http_session()


async def _warmed_job(submitter: Submitter, org_id: uuid.UUID, app_db: Database, prompt: str) -> tuple[uuid.UUID, str]:
    channel = submitter.new_channel()
    [job_id] = await submitter.commit_unsent(org_id, [prompt], [channel])
    async with app_db.tenant(org_id) as session:
        await session.execute(
            update(Job).where(Job.id == job_id).values(post_at=datetime.now(UTC) + timedelta(hours=1))
        )
    return job_id, channel


async def _due_now(app_db: Database, org_id: uuid.UUID, job_id: uuid.UUID) -> HeldJob:
    """What the clock reaching the due time looks like to the job."""
    post_at = datetime.now(UTC) - timedelta(milliseconds=1)
    async with app_db.tenant(org_id) as session:
        await session.execute(update(Job).where(Job.id == job_id).values(post_at=post_at))
    return HeldJob(job_id, org_id, "text", post_at)


async def test_a_warmed_run_is_held_then_posted_once_at_its_due_time_without_a_second_model_call(
    context: WorkerContext,
    submitter: Submitter,
    org_id: uuid.UUID,
    app_db: Database,
    gemini: FakeGemini,
    slack: SlackSandbox,
) -> None:
    tag = uuid.uuid4().hex[:12]
    job_id, channel = await _warmed_job(submitter, org_id, app_db, f"Monday's team note {tag}")

    assert await run_job(context, job_id, org_id) == Outcome.HELD
    held = await load_job(app_db, org_id, job_id)
    assert held.state == JobState.HELD and held.result_text and held.quota_state != "reserved"
    assert slack.messages(channel) == [] and len(requests_with(gemini, tag)) == 1

    due = await _due_now(app_db, org_id, job_id)
    sender = RecordingSender()
    assert await release_held_job(app_db, sender, due)  # type: ignore[arg-type]
    assert not await release_held_job(app_db, sender, due)  # type: ignore[arg-type]
    assert sender.sent == [job_id]

    assert await run_job(context, job_id, org_id) == Outcome.POSTED
    assert await run_job(context, job_id, org_id) == Outcome.SKIPPED  # a duplicate delivery
    assert len(slack.messages(channel)) == 1 and len(requests_with(gemini, tag)) == 1
    assert (await load_job(app_db, org_id, job_id)).state == JobState.POSTED


async def test_the_releaser_queues_an_overdue_held_job_at_once_and_once_however_many_ticks_see_it(
    context: WorkerContext, submitter: Submitter, org_id: uuid.UUID, app_db: Database
) -> None:
    job_id, _channel = await _warmed_job(submitter, org_id, app_db, f"note {uuid.uuid4().hex[:8]}")
    assert await run_job(context, job_id, org_id) == Outcome.HELD
    await _due_now(app_db, org_id, job_id)
    sender = RecordingSender()
    releaser = HeldPostReleaser(app_db, sender, look_ahead=timedelta(seconds=5))  # type: ignore[arg-type]
    try:
        await releaser.schedule_due()
        await releaser.schedule_due()
        await releaser.wait_for_timers()
        await releaser.schedule_due()  # queued now: nothing left to time
        await releaser.wait_for_timers()
    finally:
        await releaser.close()
    assert sender.sent.count(job_id) == 1
    assert (await load_job(app_db, org_id, job_id)).state == JobState.QUEUED


async def test_a_failure_ahead_of_the_due_time_is_queued_again_not_reported(
    context: WorkerContext,
    submitter: Submitter,
    org_id: uuid.UUID,
    app_db: Database,
    gemini: FakeGemini,
    slack: SlackSandbox,
) -> None:
    tag = uuid.uuid4().hex[:12]
    job_id, channel = await _warmed_job(submitter, org_id, app_db, f"Friday wrap-up {tag}")
    gemini.inject(status=503, count=None, prompt_contains=tag)

    assert await run_job(context, job_id, org_id) == Outcome.REQUEUED
    job = await load_job(app_db, org_id, job_id)
    assert job.state == JobState.QUEUED and job.error is None
    assert slack.messages(channel) == []

    await _due_now(app_db, org_id, job_id)  # past the due time it fails as any job does
    assert await run_job(context, job_id, org_id) == Outcome.FAILED


async def test_a_result_due_in_a_few_seconds_is_kept_by_the_worker_and_posted_no_earlier_than_due(
    context: WorkerContext, submitter: Submitter, org_id: uuid.UUID, app_db: Database, slack: SlackSandbox
) -> None:
    job_id, channel = await _warmed_job(submitter, org_id, app_db, f"note {uuid.uuid4().hex[:8]}")
    post_at = datetime.now(UTC) + timedelta(seconds=1)
    async with app_db.tenant(org_id) as session:
        await session.execute(update(Job).where(Job.id == job_id).values(post_at=post_at))

    assert await run_job(context, job_id, org_id) == Outcome.POSTED

    [message] = slack.messages(channel)
    assert float(message["ts"]) >= post_at.timestamp()
