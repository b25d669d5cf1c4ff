"""A job asked for in the bot's DM, through a real Celery worker: the thread's status line, the
answer streamed into the thread with feedback and "Post to a channel", and approvals said there."""

from __future__ import annotations

import re
import secrets
import uuid

import pytest

from db.engine import Database
from db.models import JobState
from sandbox.gemini import FakeGemini, compose_text, count_tokens, prompt_of, prompt_tokens
from sandbox.slack import Call, SlackSandbox
from tests.support.waiting import wait_until
from tests.support.workers import REQUESTER, TEAM_ID, Submitter, set_policy, wait_for_job, worker

__all__ = ["worker"]

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("worker")]  # starts a Celery worker


def dm_channel(slack: SlackSandbox) -> str:
    channel, _ = slack.open_dm(slack.workspaces[TEAM_ID], REQUESTER)
    return channel.id


def in_thread(calls: list[Call], thread: str) -> list[Call]:
    return [call for call in calls if call.params.get("thread_ts") == thread]


def new_thread() -> str:
    """A thread of the DM no other test uses: the sandbox and the DM outlive each test."""
    return f"{1_700_000_000 + secrets.randbelow(10**8)}.000100"


async def test_a_dm_text_job_streams_into_its_thread(
    submitter: Submitter, org_id: uuid.UUID, app_db: Database, slack: SlackSandbox
) -> None:
    channel, thread = dm_channel(slack), new_thread()
    tag = uuid.uuid4().hex[:12]
    accepted = await submitter.submit(org_id, f"A welcome note {tag}", channel, thread_ts=thread)

    job = await wait_for_job(app_db, org_id, accepted.job_id)

    assert job.state == JobState.POSTED
    statuses = [c.params.get("status") for c in in_thread(slack.calls("assistant.threads.setStatus", channel), thread)]
    assert "is generating…" in statuses
    assert len([c for c in in_thread(slack.calls("chat.startStream", channel), thread) if c.ok]) == 1
    message = slack.message(channel, str(job.slack_ts))
    assert message is not None and message["thread_ts"] == thread and message["streaming"] is False
    assert tag in message["text"]
    actions = [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert actions == ["feedback_good", "feedback_bad", "share_result"]
    assert message["metadata"]["event_payload"]["job_id"] == str(job.id)


async def test_a_dm_answer_is_shown_while_the_model_is_still_writing_it(
    submitter: Submitter, org_id: uuid.UUID, app_db: Database, slack: SlackSandbox, gemini: FakeGemini
) -> None:
    channel, thread = dm_channel(slack), new_thread()
    tag = uuid.uuid4().hex[:12]
    # For each appendStream into this DM, as Slack received it: was the model's answer still coming?
    model_still_writing: list[bool] = []
    earlier = len(slack.calls("chat.appendStream", channel))

    def watch() -> None:
        appends = slack.calls("chat.appendStream", channel)[earlier:]
        while len(model_still_writing) < len(appends):
            model_still_writing.append(any(not stream.finished for stream in gemini.streams))

    slack.on_change(watch)
    gemini.latency = 4.0  # spread over the answer's chunks
    try:
        accepted = await submitter.submit(org_id, f"A markdown launch plan in detail {tag}", channel, thread_ts=thread)
        job = await wait_for_job(app_db, org_id, accepted.job_id)
    finally:
        gemini.latency = 0.0
        slack.off_change(watch)

    assert job.state == JobState.POSTED
    [stream] = [s for s in gemini.streams if tag in str(s.request.body)]
    assert stream.finished and stream.chunks > 10
    assert model_still_writing and model_still_writing[0] is True
    assert not [r for r in gemini.requests if r.method == "generateContent" and tag in str(r.body)]
    message = slack.message(channel, str(job.slack_ts))
    assert message is not None and message["thread_ts"] == thread and message["streaming"] is False
    assert message["text"].count("Launch plan") == 3 and tag in message["text"]
    assert message["metadata"]["event_payload"]["job_id"] == str(job.id)
    # Charged exactly what the stream's usage reported.
    answer = compose_text(prompt_of(stream.request.body))
    assert (job.input_tokens, job.output_tokens) == (prompt_tokens(stream.request.body), count_tokens(answer))
    assert job.tokens_used == job.input_tokens + job.output_tokens


async def test_a_canary_late_in_a_streamed_answer_replaces_the_message_with_the_refusal(
    submitter: Submitter, org_id: uuid.UUID, app_db: Database, slack: SlackSandbox, gemini: FakeGemini
) -> None:
    channel, thread = dm_channel(slack), new_thread()
    tag = uuid.uuid4().hex[:12]
    earlier = len(slack.calls("chat.appendStream", channel))
    # The model is talked round: after a long answer it repeats its instructions, canary and all.
    gemini.inject(method="streamGenerateContent", echo_instruction=True, prompt_contains=tag)
    accepted = await submitter.submit(org_id, f"A markdown launch plan in detail {tag}", channel, thread_ts=thread)

    job = await wait_for_job(app_db, org_id, accepted.job_id, states=frozenset({JobState.FAILED}))

    assert job.state == JobState.FAILED and "output guard" in (job.error or "")
    [stream] = [s for s in gemini.streams if tag in str(s.request.body)]
    instruction = str(stream.request.body["systemInstruction"])
    found = re.search(r"cfcanary[0-9a-f]{16}", instruction)
    assert found is not None
    canary = found.group()
    appended = slack.calls("chat.appendStream", channel)[earlier:]
    shown = "".join(str(c.params.get("markdown_text") or "") for c in appended)
    assert "Launch plan" in shown  # the answer was streaming before the canary came
    assert canary not in shown and "My instructions were" not in shown
    [message] = [m for m in slack.messages(channel) if m.get("thread_ts") == thread and m.get("bot_id")][:1]
    assert "withheld" in message["text"] and canary not in str(message)
    assert job.tokens_used  # what the model wrote up to there is charged


async def test_a_dm_job_that_needs_approval_says_so_in_its_thread(
    submitter: Submitter, org_id: uuid.UUID, app_db: Database, slack: SlackSandbox
) -> None:
    channel, thread = dm_channel(slack), new_thread()
    await set_policy(app_db, org_id, approvals_required=True, approvers_channel=submitter.new_channel())
    accepted = await submitter.submit(org_id, "A launch post", channel, thread_ts=thread)

    job = await wait_for_job(app_db, org_id, accepted.job_id, states=frozenset({JobState.AWAITING_APPROVAL}))

    assert job.state == JobState.AWAITING_APPROVAL
    await wait_until(
        lambda: any(
            "waits for an admin's approval" in str(m.get("text")) and m.get("thread_ts") == thread
            for m in slack.messages(channel)
        ),
        "the thread was never told the job waits for approval",
    )
    assert not in_thread(slack.calls("chat.startStream", channel), thread)
