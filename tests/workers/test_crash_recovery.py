"""A worker killed mid-job: the job comes back after its lease and is posted once."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from db.models import JobState, QuotaSettlement
from tests.support.waiting import wait_until
from tests.support.workers import WorkerRig, audit_actions, load_job, requests_with, wait_for_job

pytestmark = pytest.mark.slow  # starts Celery workers: left out of `make test-fast`

LEASE_SECONDS = 2


async def test_job_of_a_killed_worker_is_posted_once_by_the_next_one(rig: WorkerRig) -> None:
    env = {**rig.env, "JOB_LEASE_SECONDS": str(LEASE_SECONDS)}
    app_db, org_id, gemini = rig.app_db, rig.org_id, rig.gemini
    first = rig.start(env, concurrency=1)
    tag = uuid.uuid4().hex[:12]
    gemini.inject(delay=30, count=1, prompt_contains=tag)  # holds this job's first model call in flight
    channel = rig.submitter.new_channel()
    accepted = await rig.submitter.submit(org_id, f"Write the launch post {tag}", channel)
    await wait_until(lambda: len(requests_with(gemini, tag)) == 1, "the model never saw the job", seconds=60)
    assert (await load_job(app_db, org_id, accepted.job_id)).state == JobState.RUNNING

    first.kill()
    await rig.take_over_after_lease(env, accepted.job_id, LEASE_SECONDS)

    job = await wait_for_job(app_db, org_id, accepted.job_id, seconds=30)
    assert job.state == JobState.POSTED and job.attempts == 2
    assert len(requests_with(gemini, tag)) == 2
    assert len(rig.slack.messages(channel)) == 1
    async with rig.owner_db.tenant(org_id) as session:
        settlements = await session.scalar(
            select(func.count()).select_from(QuotaSettlement).where(QuotaSettlement.job_id == job.id)
        )
    assert settlements == 1 and job.quota_state == "settled"
    actions = [event.action for event in await audit_actions(app_db, org_id, job.id)]
    assert actions == ["job.queued", "job.running", "job.requeued", "job.running", "job.generated", "job.posted"]
