"""A worker killed mid-job: the job comes back after its lease and is posted once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.queueing import JobSender
from bot.quota import QuotaService
from bot.runtime import Runtime
from bot.sandbox.gemini import FakeGemini
from bot.sandbox.slack import SlackSandbox
from db.engine import Database
from db.models import JobState, QuotaSettlement
from tests.workers.harness import (
    Submitter,
    WorkerProcess,
    audit_actions,
    load_job,
    requests_with,
    wait_for_job,
    wait_until,
)
from workers.beat import beat_tick

LEASE_SECONDS = 2


async def test_job_of_a_killed_worker_is_posted_once_by_the_next_one(
    worker_env: dict[str, str],
    start_worker: Callable[..., WorkerProcess],
    submitter: Submitter,
    org_id: uuid.UUID,
    app_db: Database,
    owner_db: Database,
    gemini: FakeGemini,
    slack: SlackSandbox,
    runtime: Runtime,
    sender: JobSender,
    quota: QuotaService,
) -> None:
    env = {**worker_env, "JOB_LEASE_SECONDS": str(LEASE_SECONDS)}
    print("T", __import__("time").monotonic(), 'env = {**worker_env, "JOB_LEASE_SECONDS"', flush=True)
    first = start_worker(env, concurrency=1)
    print("T", __import__("time").monotonic(), 'first = start_worker(env, concurrency=1)', flush=True)
    first.wait_ready()
    print("T", __import__("time").monotonic(), 'first.wait_ready()', flush=True)
    tag = uuid.uuid4().hex[:12]
    print("T", __import__("time").monotonic(), 'tag = uuid.uuid4().hex[:12]', flush=True)
    gemini.inject(delay=30, count=1)  # holds the first model call in flight
    print("T", __import__("time").monotonic(), 'gemini.inject(delay=30, count=1)  # hold', flush=True)
    channel = submitter.new_channel()
    print("T", __import__("time").monotonic(), 'channel = submitter.new_channel()', flush=True)
    accepted = await submitter.submit(org_id, f"Write the launch post {tag}", channel)
    print("T", __import__("time").monotonic(), 'accepted = await submitter.submit(org_id', flush=True)
    await wait_until(lambda: len(requests_with(gemini, tag)) == 1)
    print("T", __import__("time").monotonic(), 'await wait_until(lambda: len(requests_wi', flush=True)
    assert (await load_job(app_db, org_id, accepted.job_id)).state == JobState.RUNNING

    first.kill()
    print("T", __import__("time").monotonic(), 'first.kill()', flush=True)
    second = start_worker(env, concurrency=1)
    print("T", __import__("time").monotonic(), 'second = start_worker(env, concurrency=1', flush=True)
    await asyncio.sleep(LEASE_SECONDS + 0.5)
    print("T", __import__("time").monotonic(), 'await asyncio.sleep(LEASE_SECONDS + 0.5)', flush=True)
    report = await beat_tick(runtime, datetime.now(UTC), sender=sender, quota=quota)
    print("T", __import__("time").monotonic(), 'report = await beat_tick(runtime, dateti', flush=True)
    assert report.sweep is not None and accepted.job_id in report.sweep.requeued
    second.wait_ready()
    print("T", __import__("time").monotonic(), 'second.wait_ready()', flush=True)

    job = await wait_for_job(app_db, org_id, accepted.job_id, seconds=30)
    print("T", __import__("time").monotonic(), 'job = await wait_for_job(app_db, org_id,', flush=True)
    assert job.state == JobState.POSTED and job.attempts == 2
    assert len(requests_with(gemini, tag)) == 2
    assert len(slack.messages(channel)) == 1
    async with owner_db.tenant(org_id) as session:
        settlements = await session.scalar(
            select(func.count()).select_from(QuotaSettlement).where(QuotaSettlement.job_id == job.id)
        )
    assert settlements == 1 and job.quota_state == "settled"
    actions = [event.action for event in await audit_actions(app_db, org_id, job.id)]
    print("T", __import__("time").monotonic(), 'actions = [event.action for event in awa', flush=True)
    assert actions == ["job.queued", "job.running", "job.requeued", "job.running", "job.generated", "job.posted"]
    second.stop()
    print("T", __import__("time").monotonic(), 'second.stop()', flush=True)
