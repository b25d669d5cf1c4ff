"""Many jobs in flight in one worker process: against a slow model, past a time limit, through a
warm shutdown and a kill, and fairly across organizations."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.jobs.queueing import PRIORITY_BACKGROUND, QUEUE_TEXT, sub_queue
from bot.orgs.service import create_organization
from db.engine import Database
from db.models import Job, JobState
from tests.support.waiting import wait_until
from tests.support.workers import (
    TEXT_ONLY,
    WorkerRig,
    failure_note,
    load_job,
    marker,
    requests_with,
    wait_for_job,
)
from workers.beat import beat_tick

pytestmark = pytest.mark.slow  # starts Celery workers: left out of `make test-fast`


async def test_twenty_jobs_against_a_slow_model_are_all_in_flight_at_once(rig: WorkerRig) -> None:
    rig.start(concurrency=64, queues=TEXT_ONLY)
    tag = marker()
    rig.gemini.reset()
    rig.gemini.inject(delay=2, count=None, prompt_contains=tag)
    job_ids, channels = await rig.burst(tag, 20)

    jobs = await rig.all_posted(job_ids, seconds=60)

    # One model latency for all twenty, not twenty latencies: every call was out at once.
    assert rig.gemini.peak_in_flight >= 20
    assert len(requests_with(rig.gemini, tag)) == 20
    rig.posted_once_each(channels, jobs)


async def test_a_job_past_its_time_limit_is_stopped_and_the_others_are_untouched(rig: WorkerRig) -> None:
    # Far above what the quick jobs need even on a loaded machine, far below the stuck one's wait.
    rig.start({**rig.env, "JOB_TIME_LIMIT_SECONDS": "6"}, concurrency=8, queues=TEXT_ONLY)
    slow, quick = marker(), marker()
    rig.gemini.inject(delay=60, count=None, prompt_contains=slow)
    rig.gemini.inject(delay=0.5, count=None, prompt_contains=quick)
    await rig.roomy_quota()
    channel = rig.submitter.new_channel()
    stuck = await rig.submitter.submit(rig.org_id, f"Write the long essay {slow}", channel)
    others_ids, others_channels = await rig.burst(quick, 4)

    failed = await wait_for_job(rig.app_db, rig.org_id, stuck.job_id, seconds=60)
    others = await rig.all_posted(others_ids, seconds=60)

    assert failed.state == JobState.FAILED and "time limit of 6 seconds" in (failed.error or "")
    assert failed.quota_state == "released" and (await rig.quota.status(rig.org_id)).reserved == 0
    # The requester is told just after the reservation is released.
    assert "time limit" in await failure_note(rig.slack, failed.id)
    assert rig.slack.messages(channel) == []
    rig.posted_once_each(others_channels, others)
    assert all(job.attempts == 1 for job in others)


async def test_warm_shutdown_finishes_running_jobs_and_hands_back_the_waiting_ones(rig: WorkerRig) -> None:
    first = rig.start(concurrency=4, queues=TEXT_ONLY)
    tag = marker()
    rig.gemini.inject(delay=2, count=None, prompt_contains=tag)
    job_ids, channels = await rig.burst(tag, 12)
    await wait_until(
        lambda: len(requests_with(rig.gemini, tag)) >= 3, "the model never saw three of the jobs", seconds=30
    )

    assert first.terminate() == 0
    states = [(await load_job(rig.app_db, rig.org_id, job_id)).state for job_id in job_ids]
    assert JobState.RUNNING not in states  # each one finished, or was never started
    assert states.count(JobState.POSTED) >= 3

    rig.start(concurrency=4, queues=TEXT_ONLY)
    jobs = await rig.all_posted(job_ids, seconds=60)

    rig.posted_once_each(channels, jobs)
    assert all(job.attempts == 1 for job in jobs)  # nothing was cut off mid-job and retried
    assert len(requests_with(rig.gemini, tag)) == 12


async def test_twenty_jobs_of_a_killed_worker_are_each_posted_once_after_their_lease(rig: WorkerRig) -> None:
    # Long enough that the new worker's heartbeats keep its own attempts on a loaded machine.
    lease_seconds = 4
    env = {**rig.env, "JOB_LEASE_SECONDS": str(lease_seconds)}
    first = rig.start(env, concurrency=64, queues=TEXT_ONLY)
    tag = marker()
    rig.gemini.inject(delay=60, count=20, prompt_contains=tag)  # the first attempts hang
    job_ids, channels = await rig.burst(tag, 20)
    await wait_until(lambda: len(requests_with(rig.gemini, tag)) == 20, "the model never saw all 20 jobs", seconds=30)

    first.kill()
    second = rig.start(env, concurrency=64, queues=TEXT_ONLY, ready=False)
    await asyncio.sleep(lease_seconds + 0.5)
    report = await beat_tick(rig.runtime, datetime.now(UTC), sender=rig.sender, quota=rig.quota)
    assert report.sweep is not None and set(job_ids) <= set(report.sweep.requeued)
    second.wait_ready()
    jobs = await rig.all_posted(job_ids, seconds=60)

    rig.posted_once_each(channels, jobs)
    assert all(job.attempts == 2 and job.quota_state == "settled" for job in jobs)


async def test_another_organizations_job_is_not_held_back_by_a_burst_of_200(rig: WorkerRig) -> None:
    capacity = 8
    rig.start(concurrency=capacity, queues=TEXT_ONLY)
    tag = marker()
    rig.gemini.inject(delay=0.5, count=None, prompt_contains=tag)
    noisy_ids, noisy_channels = await rig.burst(tag, 200, channels=50)
    other = await org_in_another_sub_queue(rig.app_db, rig.org_id)
    await rig.roomy_quota(other)
    channel = rig.submitter.new_channel()
    quiet = await rig.submitter.submit(other, f"Write the one note {tag}", channel)

    quiet_job = await wait_for_job(rig.app_db, other, quiet.job_id, seconds=60)
    async with rig.owner_db.system() as session:
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
    noisy = await rig.all_posted(noisy_ids, seconds=120)

    assert quiet_job.state == JobState.POSTED
    # Within two model latencies: at most two rounds of the burst went out before it, where
    # taking the broker's order would have posted all 200 first.
    assert noisy_posted_first <= 2 * capacity
    rig.posted_once_each(noisy_channels, noisy)


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


async def test_one_model_rate_limit_holds_across_two_worker_processes(rig: WorkerRig) -> None:
    per_second, bucket = 2, 20  # 120 a minute, bursts of ten seconds' worth
    env = {**rig.env, "GEMINI_REQUESTS_PER_MINUTE": str(per_second * 60)}
    # Small windows, so that each process takes its share of the burst from the broker.
    workers = [rig.start(env, concurrency=8, queues=TEXT_ONLY, ready=False) for _ in range(2)]
    for worker in workers:
        worker.wait_ready()
    tag = marker()
    job_ids, channels = await rig.burst(tag, 36)

    jobs = await rig.all_posted(job_ids, seconds=90)

    rig.posted_once_each(channels, jobs)
    calls = [r.received_at for r in requests_with(rig.gemini, tag)]
    assert len(calls) == 36
    # Counted at the model: no stretch of the run saw more than one bucket plus its refill, give
    # or take a second of the calls' own trip from the workers to the model (calls let through
    # apart can arrive together on a loaded machine). Two buckets instead of one shared would let
    # all 36 through at once, far past that bound.
    for count, seconds in stretch_counts(calls):
        assert count <= bucket + per_second * (seconds + 1.0) + 1, (count, seconds)
    # ...and both processes drew from that one bucket (the Gemini SDK logs each call it makes).
    assert all(b"AFC is enabled" in worker.log_path.read_bytes() for worker in workers)


async def test_a_retry_after_from_the_model_pauses_it_for_every_worker(rig: WorkerRig) -> None:
    env = {**rig.env, "GEMINI_REQUESTS_PER_MINUTE": "60000"}
    for worker in [rig.start(env, concurrency=64, queues=TEXT_ONLY, ready=False) for _ in range(2)]:
        worker.wait_ready()
    refused, later = marker(), marker()
    rig.gemini.inject(model="gemini-a", status=429, retry_after=3, count=1, prompt_contains=refused)
    await rig.roomy_quota()
    first = await rig.submitter.submit(rig.org_id, f"Write the first note {refused}", rig.submitter.new_channel())
    await wait_until(
        lambda: len(requests_with(rig.gemini, refused)) >= 1, "the model never saw the first job", seconds=30
    )
    job_ids, _ = await rig.burst(later, 8)

    await rig.all_posted([first.job_id, *job_ids], seconds=60)

    paused_at = requests_with(rig.gemini, refused)[0].received_at
    assert min(r.received_at for r in requests_with(rig.gemini, later)) >= paused_at + 2.5


async def test_a_command_goes_before_scheduled_work_already_queued(rig: WorkerRig) -> None:
    rig.start(concurrency=1, queues=TEXT_ONLY)
    await rig.roomy_quota()
    slow = marker()
    rig.gemini.inject(delay=2, count=1, prompt_contains=slow)
    channels = [rig.submitter.new_channel() for _ in range(6)]
    holder, *scheduled, command = await rig.submitter.commit_unsent(
        rig.org_id, [f"Write note {n} {slow if n == 0 else marker()}" for n in range(6)], channels
    )
    await rig.sender.send_job(holder, rig.org_id, "text")
    await wait_until(lambda: len(requests_with(rig.gemini, slow)) == 1, "the model never saw the slow job", seconds=30)
    for job_id in scheduled:
        await rig.sender.send_job(job_id, rig.org_id, "text", priority=PRIORITY_BACKGROUND)
    await rig.sender.send_job(command, rig.org_id, "text")

    jobs = {job.id: job for job in await rig.all_posted([holder, *scheduled, command], seconds=60)}

    # One scheduled job may already sit in the worker's window; the rest wait behind the command.
    posted_after_command = [job_id for job_id in scheduled if jobs[job_id].updated_at > jobs[command].updated_at]
    assert len(posted_after_command) >= len(scheduled) - 1
