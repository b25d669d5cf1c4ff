"""A job asked for in the bot's DM, through a real Celery worker: the thread's status line, the
answer streamed into the thread with feedback and "Post to a channel", and approvals said there."""

from __future__ import annotations

import uuid

import pytest

from db.engine import Database
from db.models import JobState
from sandbox.slack import SlackSandbox
from tests.support.workers import REQUESTER, TEAM_ID, Submitter, set_policy, wait_for_job, wait_until, worker

__all__ = ["worker"]

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("worker")]  # starts a Celery worker

THREAD = "1700000000.000100"


def dm_channel(slack: SlackSandbox) -> str:
    channel, _ = slack.open_dm(slack.workspaces[TEAM_ID], REQUESTER)
    return channel.id


async def test_a_dm_text_job_streams_into_its_thread(
    submitter: Submitter, org_id: uuid.UUID, app_db: Database, slack: SlackSandbox
) -> None:
    channel = dm_channel(slack)
    tag = uuid.uuid4().hex[:12]
    accepted = await submitter.submit(org_id, f"A welcome note {tag}", channel, thread_ts=THREAD)

    job = await wait_for_job(app_db, org_id, accepted.job_id)

    assert job.state == JobState.POSTED
    statuses = [c.params.get("status") for c in slack.calls("assistant.threads.setStatus", channel)]
    assert "is generating…" in statuses
    [started] = [c for c in slack.calls("chat.startStream", channel) if c.ok]
    assert started.params.get("thread_ts") == THREAD
    message = slack.message(channel, str(job.slack_ts))
    assert message is not None and message["thread_ts"] == THREAD and message["streaming"] is False
    assert tag in message["text"]
    actions = [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert actions == ["feedback_good", "feedback_bad", "share_result"]
    assert message["metadata"]["event_payload"]["job_id"] == str(job.id)


async def test_a_dm_job_that_needs_approval_says_so_in_its_thread(
    submitter: Submitter, org_id: uuid.UUID, app_db: Database, slack: SlackSandbox
) -> None:
    channel = dm_channel(slack)
    thread = "1700000000.000200"
    await set_policy(app_db, org_id, approvals_required=True, approvers_channel=submitter.new_channel())
    accepted = await submitter.submit(org_id, "A launch post", channel, thread_ts=thread)

    job = await wait_for_job(app_db, org_id, accepted.job_id, states=frozenset({JobState.AWAITING_APPROVAL}))

    assert job.state == JobState.AWAITING_APPROVAL
    await wait_until(
        lambda: any(
            "waits for an admin's approval" in str(m.get("text")) and m.get("thread_ts") == thread
            for m in slack.messages(channel)
        )
    )
    assert not [c for c in slack.calls("chat.startStream", channel) if c.params.get("thread_ts") == thread]
