"""Posting within Slack's limits: a channel's burst of results all arrive once, and a post Slack
accepted just before its worker died is found instead of posted again."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot.jobs.queueing import JobSender
from bot.process.runtime import Runtime
from bot.quota import QuotaService
from db.engine import Database
from db.models import JobState
from sandbox.slack import SlackSandbox
from tests.workers.harness import Submitter, WorkerProcess, audit_actions, load_job, wait_for_job, wait_until
from tests.workers.test_in_flight import TEXT_ONLY, all_posted, burst, marker, posted_once_each
from workers.beat import beat_tick

pytestmark = pytest.mark.slow  # starts Celery workers: left out of `make test-fast`


async def test_thirty_results_for_one_channel_all_arrive_once_within_its_rate_limit(
    worker_env: dict[str, str],
    start_worker: Callable[..., WorkerProcess],
    submitter: Submitter,
    org_id: uuid.UUID,
    app_db: Database,
    slack: SlackSandbox,
    quota: QuotaService,
) -> None:
    worker = start_worker(worker_env, concurrency=64, queues=TEXT_ONLY)
    try:
        worker.wait_ready()
        job_ids, [channel] = await burst(submitter, quota, org_id, marker(), 30, channels=1)

        jobs = await all_posted(app_db, org_id, job_ids, seconds=120)

        posted_once_each(slack, [channel], jobs)
        assert len(slack.messages(channel)) == 30
        statuses = [call.status for call in slack.calls("chat.postMessage", channel)]
        assert 429 in statuses  # the channel's limit was reached and waited out
        assert statuses.count(200) == 30
        assert all(job.attempts == 1 for job in jobs)
    finally:
        worker.stop()


async def test_a_post_slack_accepted_as_its_worker_died_is_not_posted_again(
    worker_env: dict[str, str],
    start_worker: Callable[..., WorkerProcess],
    submitter: Submitter,
    org_id: uuid.UUID,
    app_db: Database,
    slack: SlackSandbox,
    quota: QuotaService,
    runtime: Runtime,
    sender: JobSender,
) -> None:
    lease_seconds = 2
    env = {**worker_env, "JOB_LEASE_SECONDS": str(lease_seconds)}
    first = start_worker(env, concurrency=4, queues=TEXT_ONLY)
    second: WorkerProcess | None = None
    try:
        first.wait_ready()
        channel = submitter.new_channel()
        # Slack holds the post for a while and then accepts it: by then its worker is gone.
        slack.inject("chat.postMessage", delay=3, count=1)
        accepted = await submitter.submit(org_id, f"Write the release note {marker()}", channel)
        await wait_until(lambda: len(slack.calls("chat.postMessage", channel)) == 1, seconds=30)
        first.kill()
        await wait_until(lambda: len(slack.messages(channel)) == 1, seconds=10)
        stranded = await load_job(app_db, org_id, accepted.job_id)
        assert stranded.state == JobState.RUNNING and stranded.slack_ts is None

        second = start_worker(env, concurrency=4, queues=TEXT_ONLY)
        await asyncio.sleep(lease_seconds + 0.5)
        report = await beat_tick(runtime, datetime.now(UTC), sender=sender, quota=quota)
        assert report.sweep is not None and accepted.job_id in report.sweep.requeued
        second.wait_ready()
        job = await wait_for_job(app_db, org_id, accepted.job_id, seconds=30)

        [message] = slack.messages(channel)
        assert job.state == JobState.POSTED and job.attempts == 2 and job.slack_ts == message["ts"]
        assert len(slack.calls("chat.postMessage", channel)) == 1
        assert slack.calls("conversations.history", channel)
        posted = [event for event in await audit_actions(app_db, org_id, job.id) if event.action == "job.posted"]
        assert len(posted) == 1 and posted[0].detail["ts"] == message["ts"]
    finally:
        first.stop()
        if second is not None:
            second.stop()
