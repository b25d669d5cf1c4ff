"""Many jobs in flight in one worker process: against a slow model, past a time limit, through a
warm shutdown and a kill, and fairly across organizations."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.jobs.queueing import PRIORITY_BACKGROUND, QUEUE_TEXT, JobSender, sub_queue
from bot.orgs.service import create_organization
from bot.process.runtime import Runtime
from bot.quota import QuotaService
from db.engine import Database
from db.models import Job, JobState
from sandbox.gemini import FakeGemini
from sandbox.slack import SlackSandbox
from tests.workers.harness import (
    Submitter,
    WorkerProcess,
    load_job,
    requests_with,
    wait_for_job,
    wait_until,
)
from workers.beat import beat_tick

pytestmark = pytest.mark.slow  # starts Celery workers: left out of `make test-fast`

TEXT_ONLY = "text,maintenance"


def marker() -> str:
    return uuid.uuid4().hex[:12]


async def roomy_quota(quota: QuotaService, org_id: uuid.UUID) -> None:
    """Budget and rate enough that a burst is never refused by the organization's own quota."""
    await quota.set_budget(org_id, 10**9, actor="test")
    await quota.set_limits(org_id, rate_per_minute=2**31 - 1, burst=2**31 - 1, actor="test")


async def burst(
    submitter: Submitter, quota: QuotaService, org_id: uuid.UUID, tag: str, count: int, *, channels: int | None = None
) -> tuple[list[uuid.UUID], list[str]]:
    """``count`` jobs committed and then sent at once, one channel each unless ``channels`` says fewer."""
    await roomy_quota(quota, org_id)
    names = [submitter.new_channel() for _ in range(channels or count)]
    job_ids = await submitter.commit_unsent(org_id, [f"Write team note {n} {tag}" for n in range(count)], names)
    await submitter.send_all(org_id, job_ids)
    return job_ids, names


async def all_posted(database: Database, org_id: uuid.UUID, job_ids: list[uuid.UUID], seconds: float) -> list[Job]:
    return [await wait_for_job(database, org_id, job_id, seconds=seconds) for job_id in job_ids]


def posted_once_each(slack: SlackSandbox, channels: list[str], jobs: list[Job]) -> None:
    assert all(job.state == JobState.POSTED for job in jobs), [(job.state, job.error) for job in jobs]
    for channel in channels:
        messages = slack.messages(channel)
        assert len(messages) == len([job for job in jobs if job.target_channel == channel])
    assert len({job.slack_ts for job in jobs}) == len(jobs)


async def test_twenty_jobs_against_a_slow_model_are_all_in_flight_at_once(
    worker_env: dict[str, str],
    start_worker: Callable[..., WorkerProcess],
    submitter: Submitter,
    org_id: uuid.UUID,
    app_db: Database,
    gemini: FakeGemini,
    slack: SlackSandbox,
    quota: QuotaService,
) -> None:
    worker = start_worker(worker_env, concurrency=64, queues=TEXT_ONLY)
    try:
        worker.wait_ready()
        tag = marker()
        gemini.reset()
        gemini.inject(delay=2, count=None, prompt_contains=tag)
        job_ids, channels = await burst(submitter, quota, org_id, tag, 20)

        jobs = await all_posted(app_db, org_id, job_ids, seconds=60)

        # One model latency for all twenty, not twenty latencies: every call was out at once.
        assert gemini.peak_in_flight >= 20
        assert len(requests_with(gemini, tag)) == 20
        posted_once_each(slack, channels, jobs)
    finally:
        worker.stop()


async def test_a_job_past_its_time_limit_is_stopped_and_the_others_are_untouched(
    worker_env: dict[str, str],
    start_worker: Callable[..., WorkerProcess],
    submitter: Submitter,
    org_id: uuid.UUID,
    app_db: Database,
    gemini: FakeGemini,
    slack: SlackSandbox,
    quota: QuotaService,
) -> None:
    # Far above what the quick jobs need even on a loaded machine, far below the stuck one's wait.
    worker = start_worker({**worker_env, "JOB_TIME_LIMIT_SECONDS": "6"}, concurrency=8, queues=TEXT_ONLY)
    try:
        worker.wait_ready()
        slow, quick = marker(), marker()
        gemini.inject(delay=60, count=None, prompt_contains=slow)
        gemini.inject(delay=0.5, count=None, prompt_contains=quick)
        await roomy_quota(quota, org_id)
        channel = submitter.new_channel()
        stuck = await submitter.submit(org_id, f"Write the long essay {slow}", channel)
        others_ids, others_channels = await burst(submitter, quota, org_id, quick, 4)

        failed = await wait_for_job(app_db, org_id, stuck.job_id, seconds=60)
        others = await all_posted(app_db, org_id, others_ids, seconds=60)

        assert failed.state == JobState.FAILED and "time limit of 6 seconds" in (failed.error or "")
        assert failed.quota_state == "released" and (await quota.status(org_id)).reserved == 0
        # The requester is told just after the reservation is released.
        await wait_until(lambda: any(str(failed.id) in r.get("text", "") for r in slack.responses()), seconds=10)
        notes = [r["text"] for r in slack.responses() if str(failed.id) in r.get("text", "")]
        assert len(notes) == 1 and "time limit" in notes[0]
        assert slack.messages(channel) == []
        posted_once_each(slack, others_channels, others)
        assert all(job.attempts == 1 for job in others)
    finally:
        worker.stop()


async def test_warm_shutdown_finishes_running_jobs_and_hands_back_the_waiting_ones(
    worker_env: dict[str, str],
    start_worker: Callable[..., WorkerProcess],
    submitter: Submitter,
    org_id: uuid.UUID,
    app_db: Database,
    gemini: FakeGemini,
    slack: SlackSandbox,
    quota: QuotaService,
) -> None:
    first = start_worker(worker_env, concurrency=4, queues=TEXT_ONLY)
    second: WorkerProcess | None = None
    try:
        first.wait_ready()
        tag = marker()
        gemini.inject(delay=2, count=None, prompt_contains=tag)
        job_ids, channels = await burst(submitter, quota, org_id, tag, 12)
        await wait_until(lambda: len(requests_with(gemini, tag)) >= 3, seconds=30)

        assert first.terminate() == 0
        states = [(await load_job(app_db, org_id, job_id)).state for job_id in job_ids]
        assert JobState.RUNNING not in states  # each one finished, or was never started
        assert states.count(JobState.POSTED) >= 3

        second = start_worker(worker_env, concurrency=4, queues=TEXT_ONLY)
        second.wait_ready()
        jobs = await all_posted(app_db, org_id, job_ids, seconds=60)

        posted_once_each(slack, channels, jobs)
        assert all(job.attempts == 1 for job in jobs)  # nothing was cut off mid-job and retried
        assert len(requests_with(gemini, tag)) == 12
    finally:
        first.stop()
        if second is not None:
            second.stop()


async def test_twenty_jobs_of_a_killed_worker_are_each_posted_once_after_their_lease(
    worker_env: dict[str, str],
    start_worker: Callable[..., WorkerProcess],
    submitter: Submitter,
    org_id: uuid.UUID,
    app_db: Database,
    gemini: FakeGemini,
    slack: SlackSandbox,
    quota: QuotaService,
    runtime: Runtime,
    sender: JobSender,
) -> None:
    # Long enough that the new worker's heartbeats keep its own attempts on a loaded machine.
    lease_seconds = 4
    env = {**worker_env, "JOB_LEASE_SECONDS": str(lease_seconds)}
    first = start_worker(env, concurrency=64, queues=TEXT_ONLY)
    second: WorkerProcess | None = None
    try:
        first.wait_ready()
        tag = marker()
        gemini.inject(delay=60, count=20, prompt_contains=tag)  # the first attempts hang
        job_ids, channels = await burst(submitter, quota, org_id, tag, 20)
        await wait_until(lambda: len(requests_with(gemini, tag)) == 20, seconds=30)

        first.kill()
        second = start_worker(env, concurrency=64, queues=TEXT_ONLY)
        await asyncio.sleep(lease_seconds + 0.5)
        report = await beat_tick(runtime, datetime.now(UTC), sender=sender, quota=quota)
        assert report.sweep is not None and set(job_ids) <= set(report.sweep.requeued)
        second.wait_ready()
        jobs = await all_posted(app_db, org_id, job_ids, seconds=60)

        posted_once_each(slack, channels, jobs)
        assert all(job.attempts == 2 and job.quota_state == "settled" for job in jobs)
    finally:
        first.stop()
        if second is not None:
            second.stop()


async def test_another_organizations_job_is_not_held_back_by_a_burst_of_200(
    worker_env: dict[str, str],
    start_worker: Callable[..., WorkerProcess],
    submitter: Submitter,
    org_id: uuid.UUID,
    app_db: Database,
    owner_db: Database,
    gemini: FakeGemini,
    slack: SlackSandbox,
    quota: QuotaService,
) -> None:
    capacity = 8
    worker = start_worker(worker_env, concurrency=capacity, queues=TEXT_ONLY)
    try:
        worker.wait_ready()
        tag = marker()
        gemini.inject(delay=0.5, count=None, prompt_contains=tag)
        noisy_ids, noisy_channels = await burst(submitter, quota, org_id, tag, 200, channels=50)
        other = await org_in_another_sub_queue(app_db, org_id)
        await roomy_quota(quota, other)
        channel = submitter.new_channel()
        quiet = await submitter.submit(other, f"Write the one note {tag}", channel)

        quiet_job = await wait_for_job(app_db, other, quiet.job_id, seconds=60)
        async with owner_db.system() as session:
            noisy_posted_first = len(
                (
                    await session.scalars(
                        select(Job.id).where(
                            Job.id.in_(noisy_ids),
                            Job.state == JobState.POSTED,
                            Job.updated_at < quiet_job.updated_at,
                        )
                    )
                ).all()
            )
        noisy = await all_posted(app_db, org_id, noisy_ids, seconds=120)

        assert quiet_job.state == JobState.POSTED
        # Within two model latencies: at most two rounds of the burst went out before it, where
        # taking the broker's order would have posted all 200 first.
        assert noisy_posted_first <= 2 * capacity
        posted_once_each(slack, noisy_channels, noisy)
    finally:
        worker.stop()


async def org_in_another_sub_queue(database: Database, noisy: uuid.UUID) -> uuid.UUID:
    """A second organization whose jobs do not share the first one's broker sub-queue (one in
    SUB_QUEUES would, and be served in turn only among the messages a worker holds)."""
    while True:
        other = await create_organization(
            database, name="Quiet org", team_id="T" + uuid.uuid4().hex[:10].upper(), admin_user_id="UADMIN"
        )
        if sub_queue(QUEUE_TEXT, other) != sub_queue(QUEUE_TEXT, noisy):
            return other


def stretch_counts(times: list[float]) -> list[tuple[int, float]]:
    """For every stretch between two calls: how many calls it held and how long it lasted."""
    ordered = sorted(times)
    return [(j - i + 1, ordered[j] - ordered[i]) for i in range(len(ordered)) for j in range(i, len(ordered))]


async def test_one_model_rate_limit_holds_across_two_worker_processes(
    worker_env: dict[str, str],
    start_worker: Callable[..., WorkerProcess],
    submitter: Submitter,
    org_id: uuid.UUID,
    app_db: Database,
    gemini: FakeGemini,
    slack: SlackSandbox,
    quota: QuotaService,
) -> None:
    per_second, bucket = 2, 20  # 120 a minute, bursts of ten seconds' worth
    env = {**worker_env, "GEMINI_REQUESTS_PER_MINUTE": str(per_second * 60)}
    # Small windows, so that each process takes its share of the burst from the broker.
    workers = [start_worker(env, concurrency=8, queues=TEXT_ONLY) for _ in range(2)]
    try:
        for worker in workers:
            worker.wait_ready()
        tag = marker()
        job_ids, channels = await burst(submitter, quota, org_id, tag, 36)

        jobs = await all_posted(app_db, org_id, job_ids, seconds=90)

        posted_once_each(slack, channels, jobs)
        calls = [r.received_at for r in requests_with(gemini, tag)]
        assert len(calls) == 36
        # Counted at the model: no stretch of the run saw more than one bucket plus its refill
        # (give or take half a second of the calls' own trip from the workers to the model).
        for count, seconds in stretch_counts(calls):
            assert count <= bucket + per_second * (seconds + 0.5) + 1, (count, seconds)
        # ...and both processes drew from that one bucket (the Gemini SDK logs each call it makes).
        assert all(b"AFC is enabled" in worker.log_path.read_bytes() for worker in workers)
    finally:
        for worker in workers:
            worker.stop()


async def test_a_retry_after_from_the_model_pauses_it_for_every_worker(
    worker_env: dict[str, str],
    start_worker: Callable[..., WorkerProcess],
    submitter: Submitter,
    org_id: uuid.UUID,
    app_db: Database,
    gemini: FakeGemini,
    slack: SlackSandbox,
    quota: QuotaService,
) -> None:
    env = {**worker_env, "GEMINI_REQUESTS_PER_MINUTE": "60000"}
    workers = [start_worker(env, concurrency=64, queues=TEXT_ONLY) for _ in range(2)]
    try:
        for worker in workers:
            worker.wait_ready()
        refused, later = marker(), marker()
        gemini.inject(model="gemini-a", status=429, retry_after=3, count=1, prompt_contains=refused)
        await roomy_quota(quota, org_id)
        first = await submitter.submit(org_id, f"Write the first note {refused}", submitter.new_channel())
        await wait_until(lambda: len(requests_with(gemini, refused)) >= 1, seconds=30)
        job_ids, _ = await burst(submitter, quota, org_id, later, 8)

        await all_posted(app_db, org_id, [first.job_id, *job_ids], seconds=60)

        paused_at = requests_with(gemini, refused)[0].received_at
        assert min(r.received_at for r in requests_with(gemini, later)) >= paused_at + 2.5
    finally:
        for worker in workers:
            worker.stop()


async def test_a_command_goes_before_scheduled_work_already_queued(
    worker_env: dict[str, str],
    start_worker: Callable[..., WorkerProcess],
    submitter: Submitter,
    org_id: uuid.UUID,
    app_db: Database,
    gemini: FakeGemini,
    quota: QuotaService,
    sender: JobSender,
) -> None:
    worker = start_worker(worker_env, concurrency=1, queues=TEXT_ONLY)
    try:
        worker.wait_ready()
        await roomy_quota(quota, org_id)
        slow = marker()
        gemini.inject(delay=2, count=1, prompt_contains=slow)
        channels = [submitter.new_channel() for _ in range(6)]
        holder, *scheduled, command = await submitter.commit_unsent(
            org_id, [f"Write note {n} {slow if n == 0 else marker()}" for n in range(6)], channels
        )
        await sender.send_job(holder, org_id, "text")
        await wait_until(lambda: len(requests_with(gemini, slow)) == 1, seconds=30)
        for job_id in scheduled:
            await sender.send_job(job_id, org_id, "text", priority=PRIORITY_BACKGROUND)
        await sender.send_job(command, org_id, "text")

        jobs = {job.id: job for job in await all_posted(app_db, org_id, [holder, *scheduled, command], seconds=60)}

        # One scheduled job may already sit in the worker's window; the rest wait behind the command.
        posted_after_command = [job_id for job_id in scheduled if jobs[job_id].updated_at > jobs[command].updated_at]
        assert len(posted_after_command) >= len(scheduled) - 1
    finally:
        worker.stop()
