"""From a committed job to a Slack post, through a real Celery worker process."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.jobs.queueing import JobSender
from bot.process.runtime import Runtime
from bot.quota import QuotaService
from bot.result_cache import set_result_cache
from db.engine import Database
from db.models import JobKind, JobState
from sandbox.gemini import FakeGemini, prompt_tokens
from sandbox.slack import SlackSandbox
from tests.support.waiting import wait_until
from tests.support.workers import (
    Submitter,
    WorkerProcess,
    WorkerRig,
    audit_actions,
    broker_messages_naming,
    failure_note,
    load_job,
    notes_about,
    requests_with,
    set_policy,
    wait_for_job,
)
from workers.beat import beat_tick
from workers.loop import MAX_ATTEMPTS

pytestmark = pytest.mark.slow  # starts Celery workers: left out of `make test-fast`

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# How long an image job may take in a worker that diffuses on the CPU: its process imports torch
# and loads the pipeline on the first job, which on a 2-core machine running the other test lanes
# took over 60 s (26 s alone).
IMAGE_JOB_SECONDS = 180


@pytest.fixture(scope="session")
def tiny_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    try:
        from sandbox.tiny_diffusion import build_tiny_pipeline
    except ImportError:
        return None
    return build_tiny_pipeline(tmp_path_factory.mktemp("models") / "tiny-sd")


@pytest.fixture(scope="module", autouse=True)
def worker(
    worker_env: dict[str, str], tiny_pipeline: Path | None, start_worker: Callable[..., WorkerProcess]
) -> Iterator[WorkerProcess]:
    env = dict(worker_env)
    if tiny_pipeline is not None:
        env["DIFFUSION_MODEL"] = str(tiny_pipeline)
    process = start_worker(env)
    process.wait_ready()
    yield process
    process.stop()


def marker() -> str:
    return uuid.uuid4().hex[:12]


async def test_text_job_is_posted_and_the_model_sees_only_masked_text(
    submitter: Submitter, org_id: uuid.UUID, app_db: Database, gemini: FakeGemini, slack: SlackSandbox
) -> None:
    tag = marker()
    channel = submitter.new_channel()
    accepted = await submitter.submit(
        org_id, f"Write a welcome note {tag} for jane.doe@example.com and her team", channel
    )

    job = await wait_for_job(app_db, org_id, accepted.job_id)

    assert job.state == JobState.POSTED
    calls = requests_with(gemini, tag)
    assert len(calls) == 1
    assert "jane.doe@example.com" not in str(calls[0].body)
    messages = slack.messages(channel)
    assert len(messages) == 1
    assert messages[0]["ts"] == job.slack_ts
    blocks = messages[0]["blocks"]
    assert blocks[0]["type"] == "markdown" and "Generated for:" in blocks[0]["text"]
    [context] = [b["elements"][0]["text"] for b in blocks if b["type"] == "context"]
    assert f"<@{job.requester_id}>" in context and str(job.id) in context and job.model in context
    assert job.quota_state == "settled" and job.tokens_used and job.tokens_used > 0
    actions = [event.action for event in await audit_actions(app_db, org_id, job.id)]
    assert actions == ["job.queued", "job.running", "job.generated", "job.posted"]


async def test_an_identical_request_of_an_opted_in_organization_is_posted_from_the_cache_without_a_model_call(
    submitter: Submitter, org_id: uuid.UUID, app_db: Database, gemini: FakeGemini, slack: SlackSandbox
) -> None:
    await set_result_cache(app_db, org_id, enabled=True, actor="UADMIN")
    tag = marker()
    prompt = f"A haiku about the team's tea break {tag}"
    first_channel, second_channel = submitter.new_channel(), submitter.new_channel()

    first = await wait_for_job(app_db, org_id, (await submitter.submit(org_id, prompt, first_channel)).job_id)
    second = await wait_for_job(app_db, org_id, (await submitter.submit(org_id, prompt, second_channel)).job_id)

    assert first.state == second.state == JobState.POSTED
    assert len(requests_with(gemini, tag)) == 1  # counted at the fake: none for the hit
    assert first.tokens_used and second.tokens_used == 0 and second.result_text == first.result_text
    [message] = slack.messages(second_channel)
    [context] = [b["elements"][0]["text"] for b in message["blocks"] if b["type"] == "context"]
    assert "reused from an identical request" in context


async def test_duplicate_delivery_calls_the_model_once_and_posts_once(
    submitter: Submitter,
    org_id: uuid.UUID,
    app_db: Database,
    gemini: FakeGemini,
    slack: SlackSandbox,
    sender: JobSender,
    redis_url: str,
) -> None:
    tag = marker()
    channel = submitter.new_channel()
    accepted = await submitter.submit(org_id, f"Announce the picnic {tag}", channel)
    await asyncio.gather(*(sender.send_job(accepted.job_id, org_id, JobKind.TEXT) for _ in range(3)))

    job = await wait_for_job(app_db, org_id, accepted.job_id)
    # Every delivery consumed: none of the four is still queued or unacknowledged.
    await wait_until(
        lambda: broker_messages_naming(redis_url, job.id) == 0, "the broker still holds a delivery of the job"
    )

    assert job.state == JobState.POSTED
    assert len(requests_with(gemini, tag)) == 1
    assert len(slack.messages(channel)) == 1
    assert (await load_job(app_db, org_id, job.id)).attempts == 1
    actions = [event.action for event in await audit_actions(app_db, org_id, job.id)]
    assert actions.count("job.running") == 1 and actions.count("job.posted") == 1


async def test_rate_limited_model_is_retried_after_retry_after(
    submitter: Submitter, org_id: uuid.UUID, app_db: Database, gemini: FakeGemini, slack: SlackSandbox
) -> None:
    tag = marker()
    gemini.inject(model="gemini-a", status=429, retry_after=1, count=1)
    channel = submitter.new_channel()
    accepted = await submitter.submit(org_id, f"Summarize the release {tag}", channel)

    job = await wait_for_job(app_db, org_id, accepted.job_id)

    assert job.state == JobState.POSTED and job.model == "gemini-a"
    attempts = requests_with(gemini, tag)
    assert [r.model for r in attempts] == ["gemini-a", "gemini-a"]
    assert attempts[1].received_at - attempts[0].received_at >= 0.9
    assert len(slack.messages(channel)) == 1


async def test_overloaded_first_model_fails_over_to_the_second(
    submitter: Submitter, org_id: uuid.UUID, app_db: Database, gemini: FakeGemini, slack: SlackSandbox
) -> None:
    tag = marker()
    gemini.inject(model="gemini-a", status=503, count=None)
    channel = submitter.new_channel()
    accepted = await submitter.submit(org_id, f"Draft a product teaser {tag}", channel)

    job = await wait_for_job(app_db, org_id, accepted.job_id)

    assert job.state == JobState.POSTED and job.model == "gemini-b"
    models = [r.model for r in requests_with(gemini, tag)]
    assert models[-1] == "gemini-b" and set(models[:-1]) == {"gemini-a"}
    assert len(slack.messages(channel)) == 1


async def test_slack_rate_limit_on_posting_is_waited_out(
    submitter: Submitter, org_id: uuid.UUID, app_db: Database, slack: SlackSandbox
) -> None:
    channel = submitter.new_channel()
    slack.inject("chat.postMessage", error="ratelimited", retry_after=1, count=1)
    accepted = await submitter.submit(org_id, f"Write a haiku about tea {marker()}", channel)

    job = await wait_for_job(app_db, org_id, accepted.job_id)

    assert job.state == JobState.POSTED
    posts = slack.calls("chat.postMessage", channel)
    assert [c.status for c in posts] == [429, 200]
    assert len(slack.messages(channel)) == 1


async def test_bot_not_in_channel_fails_the_job_and_tells_the_requester_how_to_fix_it(
    submitter: Submitter, org_id: uuid.UUID, app_db: Database, slack: SlackSandbox
) -> None:
    channel = submitter.new_channel(bot_member=False)
    accepted = await submitter.submit(org_id, f"Write a retro summary {marker()}", channel)

    job = await wait_for_job(app_db, org_id, accepted.job_id)

    assert job.state == JobState.FAILED and "not a member" in (job.error or "")
    assert job.slack_ts is None
    assert job.quota_state == "settled"  # the model answered; its tokens are charged
    notes = notes_about(slack, job.id)
    assert len(notes) == 1 and "/invite @Content Factory" in notes[0]
    failed = [e for e in await audit_actions(app_db, org_id, job.id) if e.action == "job.failed"]
    assert failed[0].detail["slack_error"] == "not_in_channel"


async def test_restored_pii_is_posted_but_never_stored(
    submitter: Submitter, org_id: uuid.UUID, app_db: Database, gemini: FakeGemini, slack: SlackSandbox
) -> None:
    await set_policy(app_db, org_id, restore_pii=True)
    tag = marker()
    channel = submitter.new_channel()
    accepted = await submitter.submit(org_id, f"Thank jane.doe@example.com for {tag}", channel)

    job = await wait_for_job(app_db, org_id, accepted.job_id)

    assert job.state == JobState.POSTED
    assert "jane.doe@example.com" not in str(requests_with(gemini, tag)[0].body)
    assert "jane.doe@example.com" in slack.messages(channel)[0]["blocks"][0]["text"]
    assert "jane.doe@example.com" not in (job.result_text or "")
    assert job.pii_mapping_enc is None


async def test_a_job_committed_while_the_broker_is_down_is_sent_by_the_sweeper(
    submitter: Submitter,
    org_id: uuid.UUID,
    app_db: Database,
    slack: SlackSandbox,
    runtime: Runtime,
    sender: JobSender,
    quota: QuotaService,
    redis_url: str,
) -> None:
    channel = submitter.new_channel()
    dead_broker = JobSender("redis://127.0.0.1:1/0")
    try:
        accepted = await submitter.submit(org_id, f"Write the weekly digest {marker()}", channel, sender=dead_broker)
    finally:
        dead_broker.close()
    # The send failed, so no worker can ever see the job until the sweeper resends it.
    assert broker_messages_naming(redis_url, accepted.job_id) == 0
    assert (await load_job(app_db, org_id, accepted.job_id)).state == JobState.QUEUED

    report = await beat_tick(runtime, datetime.now(UTC), sender=sender, quota=quota, outbox_after=timedelta(0))

    assert report.sweep is not None and accepted.job_id in report.sweep.resent
    job = await wait_for_job(app_db, org_id, accepted.job_id)
    assert job.state == JobState.POSTED and len(slack.messages(channel)) == 1


async def test_image_job_uploads_a_png(
    submitter: Submitter,
    org_id: uuid.UUID,
    app_db: Database,
    slack: SlackSandbox,
    tiny_pipeline: Path | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if tiny_pipeline is None:
        pytest.skip("image support (the `image` extra) is not installed")
    # As Slack does, the upload's answer carries no share and the share lands a moment later.
    monkeypatch.setattr(slack, "file_share_delay_seconds", 1.0)
    channel = submitter.new_channel()
    accepted = await submitter.submit(org_id, f"a lighthouse at dusk {marker()}", channel, kind=JobKind.IMAGE)

    job = await wait_for_job(app_db, org_id, accepted.job_id, seconds=IMAGE_JOB_SECONDS)

    assert job.state == JobState.POSTED, job.error
    assert job.model == str(tiny_pipeline)
    uploads = [f for f in slack.uploaded_files() if channel in f.shares]
    assert len(uploads) == 1 and uploads[0].data and uploads[0].data.startswith(PNG_SIGNATURE)
    assert uploads[0].data == job.result_image
    # The upload is the post; the feedback buttons follow it as a reply in its thread.
    [message, buttons] = slack.messages(channel)
    assert message["ts"] == job.slack_ts and str(job.id) in message["text"]
    assert buttons["thread_ts"] == message["ts"]
    assert {element["action_id"] for block in buttons["blocks"] for element in block.get("elements", [])} >= {
        "feedback_good",
        "feedback_bad",
    }


def loads_torch(pid: int) -> bool:
    return "libtorch" in Path(f"/proc/{pid}/maps").read_text()


def children_of(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


async def test_only_the_image_process_loads_torch(
    worker: WorkerProcess, submitter: Submitter, org_id: uuid.UUID, app_db: Database, tiny_pipeline: Path | None
) -> None:
    """The text process runs the guard's spaCy pipelines on numpy alone; torch is for diffusion."""
    if tiny_pipeline is None:
        pytest.skip("image support (the `image` extra) is not installed")
    accepted = await submitter.submit(org_id, f"a red kite {marker()}", submitter.new_channel(), kind=JobKind.IMAGE)
    assert (await wait_for_job(app_db, org_id, accepted.job_id, seconds=IMAGE_JOB_SECONDS)).state == JobState.POSTED

    assert not loads_torch(worker.process.pid)
    [image_process] = children_of(worker.process.pid)
    assert loads_torch(image_process)


async def test_all_models_down_fails_the_job_releases_the_quota_and_says_why(rig: WorkerRig) -> None:
    rig.gemini.inject(status=503, count=None)
    channel = rig.submitter.new_channel()
    accepted = await rig.submitter.submit(rig.org_id, f"Write the outage notice {marker()}", channel)

    job = await wait_for_job(rig.app_db, rig.org_id, accepted.job_id, seconds=45)

    assert job.state == JobState.FAILED
    assert job.quota_state == "released"
    assert (await rig.quota.status(rig.org_id)).reserved == 0
    assert rig.slack.messages(channel) == []
    # The requester is told just after the quota is released.
    assert "could not be finished" in await failure_note(rig.slack, job.id)
    failed = [e for e in await audit_actions(rig.app_db, rig.org_id, job.id) if e.action == "job.failed"]
    assert len(failed) == 1 and "gemini-a" in failed[0].detail["reason"] and "gemini-b" in failed[0].detail["reason"]
    assert job.attempts <= MAX_ATTEMPTS


async def test_a_safety_blocked_job_is_charged_what_the_model_reported(rig: WorkerRig) -> None:
    prompt = f"Write the launch teaser {marker()}"
    rig.gemini.inject(finish_reason="SAFETY", prompt_contains=prompt, count=None)
    channel = rig.submitter.new_channel()
    before = (await rig.quota.status(rig.org_id)).used
    accepted = await rig.submitter.submit(rig.org_id, prompt, channel)

    job = await wait_for_job(rig.app_db, rig.org_id, accepted.job_id, seconds=45)

    assert job.state == JobState.FAILED and job.quota_state == "settled"
    [call] = requests_with(rig.gemini, prompt)
    charged = (await rig.quota.status(rig.org_id)).used - before
    assert charged == prompt_tokens(call.body) > 0
    assert (await rig.quota.status(rig.org_id)).reserved == 0
    assert rig.slack.messages(channel) == []
