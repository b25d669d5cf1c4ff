"""A warmed scheduled run in one worker's event loop: generated ahead and held, released at its
due time and posted once from its stored result; a failure ahead of time is queued again."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
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
from tests.support.workers import GEMINI_KEY, MODELS, Submitter, in_process_worker, load_job, requests_with
from workers.flow import Outcome, run_job
from workers.loop import WorkerContext
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
    async with in_process_worker(runtime, quota, router) as context:
        yield context


@dataclass(frozen=True)
class Warmed:
    """One organization's jobs due in an hour, run in this process's worker context."""

    context: WorkerContext
    submitter: Submitter
    org_id: uuid.UUID
    database: Database
    gemini: FakeGemini
    slack: SlackSandbox

    async def job(self, prompt: str) -> tuple[uuid.UUID, str]:
        """A committed job due in an hour, and the channel it posts to."""
        channel = self.submitter.new_channel()
        [job_id] = await self.submitter.commit_unsent(self.org_id, [prompt], [channel])
        await self.due_at(job_id, datetime.now(UTC) + timedelta(hours=1))
        return job_id, channel

    async def due_at(self, job_id: uuid.UUID, post_at: datetime) -> None:
        async with self.database.tenant(self.org_id) as session:
            await session.execute(update(Job).where(Job.id == job_id).values(post_at=post_at))

    async def due_now(self, job_id: uuid.UUID) -> HeldJob:
        """What the clock reaching the due time looks like to the job."""
        post_at = datetime.now(UTC) - timedelta(milliseconds=1)
        await self.due_at(job_id, post_at)
        return HeldJob(job_id, self.org_id, "text", post_at)

    async def run(self, job_id: uuid.UUID) -> Outcome:
        return await run_job(self.context, job_id, self.org_id)

    async def load(self, job_id: uuid.UUID) -> Job:
        return await load_job(self.database, self.org_id, job_id)


@pytest.fixture
def warmed(
    context: WorkerContext,
    submitter: Submitter,
    org_id: uuid.UUID,
    app_db: Database,
    gemini: FakeGemini,
    slack: SlackSandbox,
) -> Warmed:
    return Warmed(context, submitter, org_id, app_db, gemini, slack)


async def test_a_warmed_run_is_held_then_posted_once_at_its_due_time_without_a_second_model_call(
    warmed: Warmed,
) -> None:
    tag = uuid.uuid4().hex[:12]
    job_id, channel = await warmed.job(f"Monday's team note {tag}")

    assert await warmed.run(job_id) == Outcome.HELD
    held = await warmed.load(job_id)
    assert held.state == JobState.HELD and held.result_text and held.quota_state != "reserved"
    assert warmed.slack.messages(channel) == [] and len(requests_with(warmed.gemini, tag)) == 1

    due = await warmed.due_now(job_id)
    sender = RecordingSender()
    assert await release_held_job(warmed.database, sender, due)
    assert not await release_held_job(warmed.database, sender, due)
    assert sender.sent == [job_id]

    assert await warmed.run(job_id) == Outcome.POSTED
    assert await warmed.run(job_id) == Outcome.SKIPPED  # a duplicate delivery
    assert len(warmed.slack.messages(channel)) == 1 and len(requests_with(warmed.gemini, tag)) == 1
    assert (await warmed.load(job_id)).state == JobState.POSTED


async def test_the_releaser_queues_an_overdue_held_job_at_once_and_once_however_many_ticks_see_it(
    warmed: Warmed,
) -> None:
    job_id, _channel = await warmed.job(f"note {uuid.uuid4().hex[:8]}")
    assert await warmed.run(job_id) == Outcome.HELD
    await warmed.due_now(job_id)
    sender = RecordingSender()
    releaser = HeldPostReleaser(warmed.database, sender, look_ahead=timedelta(seconds=5))
    try:
        await releaser.schedule_due()
        await releaser.schedule_due()
        await releaser.wait_for_timers()
        await releaser.schedule_due()  # queued now: nothing left to time
        await releaser.wait_for_timers()
    finally:
        await releaser.close()
    assert sender.sent.count(job_id) == 1
    assert (await warmed.load(job_id)).state == JobState.QUEUED


async def test_a_failure_ahead_of_the_due_time_is_queued_again_not_reported(warmed: Warmed) -> None:
    tag = uuid.uuid4().hex[:12]
    job_id, channel = await warmed.job(f"Friday wrap-up {tag}")
    warmed.gemini.inject(status=503, count=None, prompt_contains=tag)

    assert await warmed.run(job_id) == Outcome.REQUEUED
    job = await warmed.load(job_id)
    assert job.state == JobState.QUEUED and job.error is None
    assert warmed.slack.messages(channel) == []

    await warmed.due_now(job_id)  # past the due time it fails as any job does
    assert await warmed.run(job_id) == Outcome.FAILED


async def test_a_result_due_in_a_few_seconds_is_kept_by_the_worker_and_posted_no_earlier_than_due(
    warmed: Warmed,
) -> None:
    job_id, channel = await warmed.job(f"note {uuid.uuid4().hex[:8]}")
    post_at = datetime.now(UTC) + timedelta(seconds=1)
    await warmed.due_at(job_id, post_at)

    assert await warmed.run(job_id) == Outcome.POSTED

    [message] = warmed.slack.messages(channel)
    assert float(message["ts"]) >= post_at.timestamp()
