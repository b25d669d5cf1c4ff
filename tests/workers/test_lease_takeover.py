"""A job whose lease is taken over while its post is on the way to Slack: the attempt Slack
accepted records the post and settles the reservation; the newer attempt neither posts nor settles.

The attempts run in this process on one event loop (as a worker's do), so the test can take the
lease over at a chosen moment instead of waiting for a loaded machine to starve a heartbeat.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.process.runtime import Runtime
from bot.quota import QuotaService
from bot.quota.keys import org_keys
from db.models import JobState, QuotaSettlement
from sandbox.gemini import FakeGemini
from tests.support.waiting import wait_until
from tests.support.workers import (
    GEMINI_KEY,
    MODELS,
    WorkerRig,
    audit_actions,
    in_process_worker,
    load_job,
    requests_with,
)
from workers import lifecycle
from workers.flow import Outcome, run_job
from workers.loop import WorkerContext
from workers.providers import TextRouter

# Short, so each attempt's heartbeat beats several times while Slack holds the first post.
LEASE_SECONDS = 0.6
SLACK_DELAY_SECONDS = 1.5
# Longer than Slack's delay: the newer attempt is still generating when the first post lands.
NEWER_MODEL_DELAY_SECONDS = 3.0


@pytest.fixture
async def context(runtime: Runtime, quota: QuotaService, gemini: FakeGemini) -> AsyncIterator[WorkerContext]:
    router = TextRouter.from_settings(MODELS, GEMINI_KEY, gemini.url)
    async with in_process_worker(runtime, quota, router, lease_seconds=LEASE_SECONDS) as context:
        yield context


async def test_a_post_landing_after_its_lease_was_taken_over_is_recorded_and_settled_once(
    context: WorkerContext, rig: WorkerRig
) -> None:
    submitter, org_id, app_db, owner_db = rig.submitter, rig.org_id, rig.app_db, rig.owner_db
    gemini, slack, quota = rig.gemini, rig.slack, rig.quota
    tag = uuid.uuid4().hex[:12]
    channel = submitter.new_channel()
    [job_id] = await submitter.commit_unsent(org_id, [f"Write the release note {tag}"], [channel])
    slack.inject("chat.postMessage", delay=SLACK_DELAY_SECONDS)

    first = asyncio.create_task(run_job(context, job_id, org_id))
    await wait_until(
        lambda: len(slack.calls("chat.postMessage", channel)) == 1 or first.done(), "the first attempt never posted"
    )
    assert not first.done(), first.result()

    # The sweeper's move once a lease looks expired, then a newer attempt claims the job; its model
    # call is held so it is still generating when the first post lands.
    gemini.inject(delay=NEWER_MODEL_DELAY_SECONDS, count=1, prompt_contains=tag)
    later = datetime.now(UTC) + timedelta(hours=1)
    recovery = await lifecycle.recover_expired_lease(app_db, org_id, job_id, later, max_attempts=3)
    assert recovery is not None and recovery.requeued
    newer = asyncio.create_task(run_job(context, job_id, org_id))

    assert await first == Outcome.POSTED
    assert await newer == Outcome.LOST

    job = await load_job(app_db, org_id, job_id)
    assert job.state == JobState.POSTED and job.attempts == 2
    assert len(slack.messages(channel)) == 1 and job.slack_ts == slack.messages(channel)[0]["ts"]
    assert len(requests_with(gemini, tag)) == 2
    async with owner_db.tenant(org_id) as session:
        settlements = list(
            (await session.execute(select(QuotaSettlement).where(QuotaSettlement.job_id == job_id))).scalars()
        )
    assert job.quota_state == "settled"
    assert [(s.actual, s.reserved) for s in settlements] == [(job.tokens_used, job.tokens_reserved)]
    assert await quota.redis.hget(org_keys(org_id).reservations, str(job_id)) is None
    actions = [event.action for event in await audit_actions(app_db, org_id, job_id)]
    assert actions.count("job.posted") == 1


# Longer than the newer attempt takes to generate and post: the first attempt's resend comes after.
RETRY_AFTER_SECONDS = 3


async def test_a_post_waiting_out_slacks_rate_limit_is_dropped_once_its_lease_was_taken_over(
    context: WorkerContext, rig: WorkerRig
) -> None:
    submitter, org_id, app_db, slack = rig.submitter, rig.org_id, rig.app_db, rig.slack
    tag = uuid.uuid4().hex[:12]
    channel = submitter.new_channel()
    [job_id] = await submitter.commit_unsent(org_id, [f"Write the release note {tag}"], [channel])
    busy = slack.inject("chat.postMessage", error="ratelimited", retry_after=RETRY_AFTER_SECONDS, count=None)

    first = asyncio.create_task(run_job(context, job_id, org_id))
    await wait_until(
        lambda: len(slack.calls("chat.postMessage", channel)) == 1 or first.done(), "the first attempt never posted"
    )
    assert not first.done(), first.result()
    # The first attempt's lease is taken over while it waits out the 429; the channel then has room.
    later = datetime.now(UTC) + timedelta(hours=1)
    recovery = await lifecycle.recover_expired_lease(app_db, org_id, job_id, later, max_attempts=3)
    assert recovery is not None and recovery.requeued
    slack.remove_fault(busy)
    newer = asyncio.create_task(run_job(context, job_id, org_id))

    assert await newer == Outcome.POSTED
    assert await first == Outcome.LOST

    job = await load_job(app_db, org_id, job_id)
    [message] = slack.messages(channel)
    assert job.state == JobState.POSTED and job.attempts == 2 and job.slack_ts == message["ts"]
    # The first attempt's one request was refused; it sent no other.
    assert [call.status for call in slack.calls("chat.postMessage", channel)] == [429, 200]
    actions = [event.action for event in await audit_actions(app_db, org_id, job_id)]
    assert actions.count("job.posted") == 1
