"""An answer streamed into the bot's DM that does not end the ordinary way: its worker killed or
its lease taken over part-way (the retry finishes the same message), the job's time limit reached
part-way (the message
becomes the failure note), the output guard refusing a later piece (charged what the model
reported for what it sent, and the same on the job and in the ledger).

The killed worker is a real worker process; the others run the worker's own job path in this
process (as tests/workers/test_lease_takeover.py does), against the run's PostgreSQL and Redis,
with Slack and Gemini faked by the sandbox.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.process.runtime import Runtime
from bot.quota import QuotaService
from bot.quota.keys import org_keys
from db.models import Job, JobState, QuotaSettlement, UsageLedger
from sandbox.gemini import FakeGemini, StreamProgress, compose_text, prompt_of, prompt_tokens
from sandbox.slack import SlackSandbox
from tests.support.waiting import wait_until
from tests.support.workers import (
    GEMINI_KEY,
    MODELS,
    REQUESTER,
    TEAM_ID,
    NoSend,
    WorkerRig,
    in_process_worker,
    load_job,
    wait_for_job,
)
from workers import lifecycle, views
from workers.flow import Outcome, run_job
from workers.loop import WorkerContext
from workers.providers import TextRouter
from workers.providers.tokens import estimate_tokens

pytestmark = pytest.mark.slow  # starts Celery workers: left out of `make test-fast`

PROMPT = "A markdown launch plan in detail"  # the fake's long answer: about 2,000 characters in 38 chunks
LEASE_SECONDS = 2
# Spread over the answer's chunks: the first append comes about a third of the way in.
SLOW_ANSWER_SECONDS = 40.0
TIME_LIMIT_SECONDS = 24.0


def dm_channel(slack: SlackSandbox) -> str:
    channel, _ = slack.open_dm(slack.workspaces[TEAM_ID], REQUESTER)
    return channel.id


def new_thread() -> str:
    return f"1700000001.{uuid.uuid4().int % 10**6:06d}"


def thread_replies(slack: SlackSandbox, channel: str, thread: str) -> list[dict[str, Any]]:
    return [m for m in slack.messages(channel) if m.get("thread_ts") == thread and m.get("bot_id")]


def streams_opened(slack: SlackSandbox, channel: str, thread: str) -> int:
    return len([c for c in slack.calls("chat.startStream", channel) if c.ok and c.params.get("thread_ts") == thread])


def appended(slack: SlackSandbox, channel: str, ts: str) -> int:
    return len([c for c in slack.calls("chat.appendStream", channel) if c.ok and c.params.get("ts") == ts])


def stream_of(gemini: FakeGemini, tag: str) -> StreamProgress:
    """The latest answer streamed for the prompt that carries ``tag``."""
    return [s for s in gemini.streams if tag in str(s.request.body)][-1]


@pytest.fixture
async def context(runtime: Runtime, quota: QuotaService, gemini: FakeGemini) -> AsyncIterator[WorkerContext]:
    router = TextRouter.from_settings(MODELS, GEMINI_KEY, gemini.url)
    async with in_process_worker(
        runtime, quota, router, lease_seconds=LEASE_SECONDS, text_time_limit=TIME_LIMIT_SECONDS
    ) as context:
        yield context


async def test_a_dm_answer_cut_off_by_a_killed_worker_is_finished_in_the_same_message(rig: WorkerRig) -> None:
    env = {**rig.env, "JOB_LEASE_SECONDS": str(LEASE_SECONDS)}
    app_db, org_id, gemini, slack = rig.app_db, rig.org_id, rig.gemini, rig.slack
    channel, thread, tag = dm_channel(slack), new_thread(), uuid.uuid4().hex[:12]
    first = rig.start(env, concurrency=1)
    gemini.inject(method="streamGenerateContent", delay=SLOW_ANSWER_SECONDS, count=1, prompt_contains=tag)
    accepted = await rig.submitter.submit(org_id, f"{PROMPT} {tag}", channel, thread_ts=thread)

    # Killed once the answer is part-way into its message.
    await wait_until(lambda: len(thread_replies(slack, channel, thread)) == 1, "the answer never started", seconds=60)
    [partial] = thread_replies(slack, channel, thread)
    await wait_until(lambda: appended(slack, channel, partial["ts"]) >= 1, "the answer never grew", seconds=60)
    first.kill()
    assert slack.message(channel, partial["ts"])["streaming"] is True
    assert (await load_job(app_db, org_id, accepted.job_id)).stream_ts == partial["ts"]

    await rig.take_over_after_lease(env, accepted.job_id, LEASE_SECONDS)
    job = await wait_for_job(app_db, org_id, accepted.job_id, seconds=60)

    assert job.state == JobState.POSTED and job.attempts == 2
    # One message for the job, the one the killed worker opened, now holding the whole answer.
    [message] = thread_replies(slack, channel, thread)
    assert message["ts"] == partial["ts"] == job.slack_ts
    assert streams_opened(slack, channel, thread) == 1
    assert message["streaming"] is False
    assert message["metadata"]["event_payload"]["job_id"] == str(job.id)
    assert len([s for s in gemini.streams if tag in str(s.request.body)]) == 2
    answer = compose_text(prompt_of(stream_of(gemini, tag).request.body))
    shown = message["blocks"][0]["text"]
    assert shown.count("Launch plan") == answer.count("Launch plan") == 3 and tag in shown
    actions = [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert "share_result" in actions and "feedback_good" in actions
    async with rig.owner_db.tenant(org_id) as session:
        settlements = await session.scalar(
            select(func.count()).select_from(QuotaSettlement).where(QuotaSettlement.job_id == job.id)
        )
    assert settlements == 1 and job.quota_state == "settled"


async def test_a_dm_answer_whose_lease_was_taken_over_mid_stream_ends_in_one_message(
    context: WorkerContext, rig: WorkerRig
) -> None:
    org_id, gemini, slack = rig.org_id, rig.gemini, rig.slack
    channel, thread, tag = dm_channel(slack), new_thread(), uuid.uuid4().hex[:12]
    gemini.inject(method="streamGenerateContent", delay=SLOW_ANSWER_SECONDS, count=1, prompt_contains=tag)
    accepted = await rig.submitter.submit(org_id, f"{PROMPT} {tag}", channel, thread_ts=thread, sender=NoSend())
    first = asyncio.create_task(run_job(context, accepted.job_id, org_id))
    await wait_until(
        lambda: len(thread_replies(slack, channel, thread)) == 1 or first.done(), "the answer never started", seconds=60
    )
    [partial] = thread_replies(slack, channel, thread)
    await wait_until(
        lambda: appended(slack, channel, partial["ts"]) >= 1 or first.done(), "the answer never grew", seconds=60
    )
    assert not first.done(), first.result()

    # The sweeper's move once a lease looks expired, then a newer attempt claims the job while the
    # first is still streaming.
    later = datetime.now(UTC) + timedelta(hours=1)
    recovery = await lifecycle.recover_expired_lease(rig.app_db, org_id, accepted.job_id, later, max_attempts=3)
    assert recovery is not None and recovery.requeued
    assert await run_job(context, accepted.job_id, org_id) == Outcome.POSTED
    assert await first == Outcome.LOST  # its stream was stopped under it: it never finished the message

    job = await load_job(rig.app_db, org_id, accepted.job_id)
    assert job.state == JobState.POSTED and job.attempts == 2
    [message] = thread_replies(slack, channel, thread)
    assert message["ts"] == partial["ts"] == job.slack_ts and streams_opened(slack, channel, thread) == 1
    assert message["metadata"]["event_payload"]["job_id"] == str(job.id)
    assert message["blocks"][0]["text"].count("Launch plan") == 3


async def test_a_dm_answer_stopped_by_the_time_limit_becomes_the_failure_note(
    context: WorkerContext, rig: WorkerRig
) -> None:
    org_id, gemini, slack, quota = rig.org_id, rig.gemini, rig.slack, rig.quota
    channel, thread, tag = dm_channel(slack), new_thread(), uuid.uuid4().hex[:12]
    # Slower than the time limit: part of the answer is shown when the limit is reached.
    gemini.inject(method="streamGenerateContent", delay=SLOW_ANSWER_SECONDS, count=1, prompt_contains=tag)
    accepted = await rig.submitter.submit(org_id, f"{PROMPT} {tag}", channel, thread_ts=thread, sender=NoSend())

    outcome = await run_job(context, accepted.job_id, org_id)

    assert outcome == Outcome.FAILED
    job = await wait_for_job(rig.app_db, org_id, accepted.job_id)
    assert job.state == JobState.FAILED and "time limit" in (job.error or "")
    [message] = thread_replies(slack, channel, thread)
    assert appended(slack, channel, message["ts"]) >= 1  # it was showing the answer when stopped
    assert message["streaming"] is False and message["ts"] == job.stream_ts
    note = views.failure_message(job, job.error or "")
    assert message["text"] == note and "Launch plan" not in str(message["blocks"])
    assert not stream_of(gemini, tag).finished  # the model was still writing
    assert job.quota_state == "released"
    assert await quota.redis.hget(org_keys(org_id).reservations, str(job.id)) is None


async def guarded_stop(
    context: WorkerContext, rig: WorkerRig, *, running_usage: bool, thoughts_tokens: int | None = None
) -> tuple[Job, QuotaSettlement, UsageLedger, list[str], StreamProgress]:
    """A DM job whose model repeats its instructions, canary and all, after a long answer; what
    the job, its settlement and the ledger say it cost, the text of each chunk the model sent,
    and the stream."""
    org_id, gemini, slack = rig.org_id, rig.gemini, rig.slack
    channel, thread, tag = dm_channel(slack), new_thread(), uuid.uuid4().hex[:12]
    gemini.inject(
        method="streamGenerateContent",
        echo_instruction=True,
        running_usage=running_usage,
        thoughts_tokens=thoughts_tokens,
        prompt_contains=tag,
    )
    accepted = await rig.submitter.submit(org_id, f"{PROMPT} {tag}", channel, thread_ts=thread, sender=NoSend())

    assert await run_job(context, accepted.job_id, org_id) == Outcome.FAILED

    job = await wait_for_job(rig.app_db, org_id, accepted.job_id)
    assert "output guard" in (job.error or "")
    [message] = thread_replies(slack, channel, thread)
    assert "withheld" in message["text"]
    async with rig.owner_db.tenant(org_id) as session:
        settlement = (
            await session.execute(select(QuotaSettlement).where(QuotaSettlement.job_id == job.id))
        ).scalar_one()
        ledger = (await session.execute(select(UsageLedger).where(UsageLedger.org_id == org_id))).scalar_one()
    stream = stream_of(gemini, tag)
    texts = ["".join(p.get("text", "") for p in c["candidates"][0]["content"]["parts"]) for c in stream.sent]
    return job, settlement, ledger, texts, stream


def refused_at(texts: list[str], body: dict[str, Any]) -> int:
    """The chunk that completed the canary: the one the guard refused."""
    found = re.search(r"cfcanary[0-9a-f]{16}", str(body["systemInstruction"]))
    assert found is not None
    return next(n for n in range(len(texts)) if found.group() in "".join(texts[: n + 1]))


async def test_a_stream_the_guard_stops_is_charged_the_usage_the_model_reported_so_far(
    context: WorkerContext, rig: WorkerRig
) -> None:
    job, settlement, ledger, texts, stream = await guarded_stop(context, rig, running_usage=True, thoughts_tokens=64)

    stopped = refused_at(texts, stream.request.body)
    assert stopped < len(texts) - 1  # stopped part-way: the last chunk's full usage never came
    reported = stream.sent[stopped]["usageMetadata"]
    written = reported["candidatesTokenCount"] + reported["thoughtsTokenCount"]
    assert (settlement.input_tokens, settlement.output_tokens) == (reported["promptTokenCount"], written)
    # The thinking is charged too, which an estimate from the received text could not know.
    assert written > estimate_tokens("".join(texts[: stopped + 1]))
    assert job.tokens_used == settlement.actual == reported["promptTokenCount"] + written == ledger.tokens_used
    assert job.quota_state == "settled"


async def test_a_stream_the_guard_stops_without_usage_so_far_is_charged_the_estimate(
    context: WorkerContext, rig: WorkerRig
) -> None:
    job, settlement, ledger, texts, stream = await guarded_stop(context, rig, running_usage=False)

    stopped = refused_at(texts, stream.request.body)
    assert stopped < len(texts) - 1
    # Every chunk reports the prompt; the answer's tokens are estimated from the text received.
    assert settlement.input_tokens == stream.sent[stopped]["usageMetadata"]["promptTokenCount"]
    assert settlement.input_tokens == prompt_tokens(stream.request.body)
    assert settlement.output_tokens == estimate_tokens("".join(texts[: stopped + 1]))
    assert job.tokens_used == settlement.actual == settlement.input_tokens + settlement.output_tokens
    assert ledger.tokens_used == job.tokens_used
