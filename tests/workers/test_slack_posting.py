"""Posting within Slack's limits: a channel's burst of results all arrive once, and a post or an
image upload Slack accepted just before its worker died is found instead of posted again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from db.models import JobKind, JobState
from sandbox.slack import SlackSandbox
from tests.support.waiting import wait_until
from tests.support.workers import (
    TEXT_ONLY,
    WorkerRig,
    audit_actions,
    hosted_image_catalogue,
    load_job,
    marker,
    wait_for_job,
)
from workers.beat import beat_tick

pytestmark = pytest.mark.slow  # starts Celery workers: left out of `make test-fast`


async def test_thirty_results_for_one_channel_all_arrive_once_within_its_rate_limit(rig: WorkerRig) -> None:
    rig.start(concurrency=64, queues=TEXT_ONLY)
    job_ids, [channel] = await rig.burst(marker(), 30, channels=1)

    jobs = await rig.all_posted(job_ids, seconds=120)

    rig.posted_once_each([channel], jobs)
    assert len(rig.slack.messages(channel)) == 30
    statuses = [call.status for call in rig.slack.calls("chat.postMessage", channel)]
    assert 429 in statuses  # the channel's limit was reached and waited out
    assert statuses.count(200) == 30
    assert all(job.attempts == 1 for job in jobs)


async def test_a_post_slack_accepted_as_its_worker_died_is_not_posted_again(rig: WorkerRig) -> None:
    lease_seconds = 2
    env = {**rig.env, "JOB_LEASE_SECONDS": str(lease_seconds)}
    first = rig.start(env, concurrency=4, queues=TEXT_ONLY)
    slack, org_id = rig.slack, rig.org_id
    channel = rig.submitter.new_channel()
    # Slack holds the post for a while and then accepts it: by then its worker is gone.
    slack.inject("chat.postMessage", delay=3, count=1)
    accepted = await rig.submitter.submit(org_id, f"Write the release note {marker()}", channel)
    await wait_until(lambda: len(slack.calls("chat.postMessage", channel)) == 1, "the worker never posted", seconds=30)
    first.kill()
    await wait_until(lambda: len(slack.messages(channel)) == 1, "Slack never showed the post", seconds=10)
    stranded = await load_job(rig.app_db, org_id, accepted.job_id)
    assert stranded.state == JobState.RUNNING and stranded.slack_ts is None

    second = rig.start(env, concurrency=4, queues=TEXT_ONLY, ready=False)
    await asyncio.sleep(lease_seconds + 0.5)
    report = await beat_tick(rig.runtime, datetime.now(UTC), sender=rig.sender, quota=rig.quota)
    assert report.sweep is not None and accepted.job_id in report.sweep.requeued
    second.wait_ready()
    job = await wait_for_job(rig.app_db, org_id, accepted.job_id, seconds=30)

    [message] = slack.messages(channel)
    assert job.state == JobState.POSTED and job.attempts == 2 and job.slack_ts == message["ts"]
    assert len(slack.calls("chat.postMessage", channel)) == 1
    assert slack.calls("conversations.history", channel)
    posted = [event for event in await audit_actions(rig.app_db, org_id, job.id) if event.action == "job.posted"]
    assert len(posted) == 1 and posted[0].detail["ts"] == message["ts"]


def _uploads_to(slack: SlackSandbox, channel: str) -> int:
    return len(slack.calls("files.completeUploadExternal", channel))


async def test_an_image_slack_shared_as_its_worker_died_is_not_uploaded_again(
    rig: WorkerRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    lease_seconds = 2
    env = {key: value for key, value in rig.env.items() if key != "DIFFUSION_MODEL"}
    env |= {
        "JOB_LEASE_SECONDS": str(lease_seconds),
        "MODEL_CATALOGUE": hosted_image_catalogue(rig.gemini.url, {"pics": ("gemini-image-a", 0.039)}),
    }
    first = rig.start(env, concurrency=1, queues="image,maintenance")
    slack, org_id = rig.slack, rig.org_id
    # Slack shares an upload a while after answering it; the worker dies waiting for the share.
    monkeypatch.setattr(slack, "file_share_delay_seconds", 3.0)
    channel = rig.submitter.new_channel()
    accepted = await rig.submitter.submit(org_id, f"a lighthouse at dusk {marker()}", channel, kind=JobKind.IMAGE)
    await wait_until(lambda: _uploads_to(slack, channel) == 1, "the worker never uploaded", seconds=30)
    first.kill()
    await wait_until(lambda: len(slack.messages(channel)) == 1, "Slack never shared the upload", seconds=10)
    stranded = await load_job(rig.app_db, org_id, accepted.job_id)
    assert stranded.state == JobState.RUNNING and stranded.slack_ts is None
    monkeypatch.setattr(slack, "file_share_delay_seconds", 0.0)

    await rig.take_over_after_lease(env, accepted.job_id, lease_seconds)
    job = await wait_for_job(rig.app_db, org_id, accepted.job_id, seconds=30)

    assert _uploads_to(slack, channel) == 1
    [share, buttons] = slack.messages(channel)
    assert job.state == JobState.POSTED and job.attempts == 2 and job.slack_ts == share["ts"]
    assert [file["name"] for file in share["files"]] == [f"content-{job.id}.png"]
    # The dead attempt never got to the buttons under its image; the attempt that found it posts them.
    assert buttons["thread_ts"] == share["ts"]
    assert f"feedback:{job.id}" in {block.get("block_id") for block in buttons["blocks"]}
    posted = [event for event in await audit_actions(rig.app_db, org_id, job.id) if event.action == "job.posted"]
    assert len(posted) == 1 and posted[0].detail["ts"] == share["ts"]
