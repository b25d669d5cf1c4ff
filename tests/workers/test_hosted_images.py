"""A hosted image model (Gemini's image generation through google-genai, ``provider: gemini-image``)
named in the catalogue of a real worker process: the picture the fake Gemini draws is what is
posted, the ledger names the model and its price, and the fake's 503 and 429 are handled as they
are for text (the next model; the wait the server asked for). An image asked for in the bot's DM
lands in its thread, and its job keeps the ts of the message that shares it, as in a channel."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import JobKind, JobState, QuotaSettlement
from sandbox.gemini import FakeGemini, image_for, prompt_of
from sandbox.slack import SlackSandbox
from tests.support.workers import (
    GEMINI_KEY,
    REQUESTER,
    TEAM_ID,
    Submitter,
    WorkerProcess,
    hosted_image_catalogue,
    marker,
    requests_with,
    wait_for_job,
)

pytestmark = pytest.mark.slow  # starts a Celery worker: left out of `make test-fast`

FIRST, SECOND = "gemini-image-a", "gemini-image-b"
# Per image, in the catalogue's currency; millionths in the ledger.
FIRST_PRICE_MICROS, SECOND_PRICE_MICROS = 39_000, 20_000


@pytest.fixture(scope="module", autouse=True)
def worker(
    worker_env: dict[str, str], gemini: FakeGemini, start_worker: Callable[..., WorkerProcess]
) -> Iterator[WorkerProcess]:
    env = {k: v for k, v in worker_env.items() if k != "DIFFUSION_MODEL"}
    env["MODEL_CATALOGUE"] = hosted_image_catalogue(gemini.url, {"pics": (FIRST, 0.039), "pics-b": (SECOND, 0.02)})
    process = start_worker(env, queues="image,maintenance")
    process.wait_ready()
    yield process
    process.stop()


async def _settlement(database: Database, org_id: uuid.UUID, job_id: uuid.UUID) -> QuotaSettlement:
    async with database.tenant(org_id) as session:
        return (await session.execute(select(QuotaSettlement).where(QuotaSettlement.job_id == job_id))).scalar_one()


async def test_the_image_the_hosted_model_returns_is_posted_and_the_ledger_names_it(
    submitter: Submitter, org_id: uuid.UUID, app_db: Database, slack: SlackSandbox, gemini: FakeGemini
) -> None:
    tag = marker()
    channel = submitter.new_channel()
    accepted = await submitter.submit(org_id, f"a lighthouse at dusk {tag}", channel, kind=JobKind.IMAGE)

    job = await wait_for_job(app_db, org_id, accepted.job_id, seconds=60)

    assert job.state == JobState.POSTED, job.error
    assert job.model == "pics"
    [call] = requests_with(gemini, tag)
    assert call.model == FIRST and call.api_key == GEMINI_KEY
    assert call.body["generationConfig"]["responseModalities"] == ["IMAGE"]
    drawn = image_for(prompt_of(call.body))
    [upload] = [f for f in slack.uploaded_files() if channel in f.shares]
    assert upload.data == drawn == job.result_image
    row = await _settlement(app_db, org_id, job.id)
    assert (row.model, row.cost_micros) == ("pics", FIRST_PRICE_MICROS)


async def test_an_overloaded_image_model_hands_over_to_the_next_one(
    submitter: Submitter, org_id: uuid.UUID, app_db: Database, slack: SlackSandbox, gemini: FakeGemini
) -> None:
    tag = marker()
    gemini.inject(model=FIRST, status=503, prompt_contains=tag, count=None)
    channel = submitter.new_channel()
    accepted = await submitter.submit(org_id, f"a harbour in fog {tag}", channel, kind=JobKind.IMAGE)

    job = await wait_for_job(app_db, org_id, accepted.job_id, seconds=60)

    assert job.state == JobState.POSTED, job.error
    assert job.model == "pics-b"
    assert [r.model for r in requests_with(gemini, tag)] == [FIRST, SECOND]
    assert (await _settlement(app_db, org_id, job.id)).model == "pics-b"
    assert len([f for f in slack.uploaded_files() if channel in f.shares]) == 1


async def test_a_rate_limited_last_image_model_is_tried_again_after_retry_after(
    submitter: Submitter, org_id: uuid.UUID, app_db: Database, slack: SlackSandbox, gemini: FakeGemini
) -> None:
    tag = marker()
    gemini.inject(model=FIRST, status=503, prompt_contains=tag, count=None)
    gemini.inject(model=SECOND, status=429, retry_after=1, prompt_contains=tag, count=1)
    channel = submitter.new_channel()
    accepted = await submitter.submit(org_id, f"a windmill at noon {tag}", channel, kind=JobKind.IMAGE)

    job = await wait_for_job(app_db, org_id, accepted.job_id, seconds=60)

    assert job.state == JobState.POSTED, job.error
    assert job.model == "pics-b"
    calls = requests_with(gemini, tag)
    assert [r.model for r in calls] == [FIRST, SECOND, SECOND]
    assert calls[2].received_at - calls[1].received_at >= 0.9
    assert len([f for f in slack.uploaded_files() if channel in f.shares]) == 1


async def test_an_image_asked_for_in_the_dm_keeps_the_ts_of_the_message_sharing_it_in_the_thread(
    submitter: Submitter,
    org_id: uuid.UUID,
    app_db: Database,
    slack: SlackSandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As Slack does, the upload's answer carries no share and the share lands a moment later.
    monkeypatch.setattr(slack, "file_share_delay_seconds", 1.0)
    dm, _ = slack.open_dm(slack.workspaces[TEAM_ID], REQUESTER)
    channel, prompt = dm.id, f"a kite over the dunes {marker()}"
    thread = f"{1_700_000_000 + secrets.randbelow(10**8)}.000100"  # a thread no other test uses
    # The requester's message that opened the thread, as Slack keeps it.
    slack.post_message(dm, {"type": "message", "user": REQUESTER, "text": f"image: {prompt}", "ts": thread})
    accepted = await submitter.submit(org_id, prompt, channel, kind=JobKind.IMAGE, thread_ts=thread)

    job = await wait_for_job(app_db, org_id, accepted.job_id, seconds=60)

    assert job.state == JobState.POSTED, job.error
    image = slack.message(channel, str(job.slack_ts))
    assert image is not None and image["thread_ts"] == thread and image["files"], job.slack_ts
    # The buttons answer the image, so they follow it in the thread.
    [first, buttons] = [m for m in slack.messages(channel) if m.get("thread_ts") == thread]
    assert first["ts"] == image["ts"] and "share_result" in str(buttons["blocks"])
