"""Asking the approvers: the preview goes to the approvers' channel, or to each admin by DM, and
where it landed is stored so the decision can replace it in place."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from bot.approvals.messages import announce_decision
from bot.approvals.service import ApprovalService, Decision
from bot.approvals.views import APPROVE_ACTION, REJECT_ACTION
from bot.process.runtime import Runtime
from bot.slack.client import make_web_client
from db.engine import Database
from db.models import Job, JobKind, JobState
from sandbox.slack import SlackSandbox
from tests.support.approvals import (
    ADMIN,
    ADMIN2,
    APPROVERS,
    EDITOR,
    NO_BOT,
    TARGET,
    TOKEN,
    RecordingSender,
    actions_of,
    awaiting_job,
    load_job,
    require_approvals,
)
from workers.approval import request_approval, sweep_approvals

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def buttons(message: dict) -> dict[str, str]:
    actions = next(b for b in message["blocks"] if b["type"] == "actions")
    return {e["action_id"]: e["value"] for e in actions["elements"]}


async def awaiting_job_for(app_db: Database, org: uuid.UUID, approvers: str) -> Job:
    """A text job awaiting approval in an organization whose approvers sit in ``approvers``."""
    await require_approvals(app_db, org, approvers)
    return await awaiting_job(app_db, org)


async def test_preview_goes_to_the_approvers_channel_with_both_buttons(
    runtime: Runtime, slack: SlackSandbox, app_db: Database, org: uuid.UUID
) -> None:
    await require_approvals(app_db, org, APPROVERS)
    job = await awaiting_job(app_db, org, text="Launch day is <!channel> Friday & more")

    landed = await request_approval(job, runtime)

    [message] = slack.messages(APPROVERS)
    assert landed == [(APPROVERS, message["ts"])]
    assert buttons(message) == {APPROVE_ACTION: str(job.id), REJECT_ACTION: str(job.id)}
    shown = str(message["blocks"])
    assert f"<@{EDITOR}>" in shown and f"<#{TARGET}>" in shown and "gemini-a" in shown and "120 tokens" in shown
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown  # model output never pings anyone
    stored = await load_job(app_db, org, job.id)
    assert (stored.approval_channel, stored.approval_ts) == (APPROVERS, message["ts"])
    assert await actions_of(app_db, org, "approval.") == ["approval.requested"]


async def test_without_a_channel_every_admin_gets_a_dm_and_every_copy_is_updated(
    runtime: Runtime, slack: SlackSandbox, app_db: Database, org: uuid.UUID
) -> None:
    job = await awaiting_job_for(app_db, org, None)

    landed = await request_approval(job, runtime)

    assert len(landed) == 2
    assert {c.params["users"] for c in slack.calls("conversations.open")} == {ADMIN, ADMIN2}
    for channel, _ts in landed:
        assert channel.startswith("D")
        [message] = slack.messages(channel)
        assert buttons(message)[APPROVE_ACTION] == str(job.id)

    decided = await ApprovalService(app_db, RecordingSender()).decide(org, job.id, ADMIN2, Decision.REJECT, "no")
    await announce_decision(make_web_client(TOKEN, base_url=slack.api_url), decided)

    for channel, ts in landed:
        message = slack.message(channel, ts)
        assert message is not None and "Rejected" in message["text"] and f"<@{ADMIN2}>" in message["text"]
        assert not any(b["type"] == "actions" for b in message["blocks"])
    [note] = slack.ephemerals(EDITOR, channel=TARGET)
    assert "rejected" in note["text"] and "Reason: no" in note["text"]


async def test_an_image_preview_is_uploaded_before_the_buttons(
    runtime: Runtime, slack: SlackSandbox, app_db: Database, org: uuid.UUID
) -> None:
    await require_approvals(app_db, org, APPROVERS)
    job = await awaiting_job(app_db, org, kind=JobKind.IMAGE, image=PNG)

    landed = await request_approval(job, runtime)

    assert len(landed) == 1
    [upload] = slack.uploaded_files()
    assert APPROVERS in upload.shares
    assert buttons(slack.message(APPROVERS, landed[0][1]) or {})[APPROVE_ACTION] == str(job.id)


async def test_unreachable_approvers_are_reported_to_the_requester_and_asked_again_later(
    runtime: Runtime, slack: SlackSandbox, app_db: Database, org: uuid.UUID
) -> None:
    job = await awaiting_job_for(app_db, org, NO_BOT)

    assert await request_approval(job, runtime) == []

    [note] = slack.ephemerals(EDITOR, channel=TARGET)
    assert "could not reach the approvers" in note["text"] and "not_in_channel" in note["text"]
    assert (await load_job(app_db, org, job.id)).approval_ts is None

    slack.channels[NO_BOT].bot_member = True
    await sweep_approvals(runtime, datetime.now(UTC) + timedelta(minutes=10))

    stored = await load_job(app_db, org, job.id)
    assert stored.approval_channel == NO_BOT and stored.approval_ts is not None
    assert len(slack.messages(NO_BOT)) == 1


async def test_a_rate_limited_request_is_asked_again_without_troubling_the_requester(
    runtime: Runtime, slack: SlackSandbox, app_db: Database, org: uuid.UUID
) -> None:
    job = await awaiting_job_for(app_db, org, APPROVERS)
    slack.inject("chat.postMessage", error="service_unavailable", count=1)

    assert await request_approval(job, runtime) == []
    assert slack.ephemerals(EDITOR) == [] and slack.responses() == []

    await sweep_approvals(runtime, datetime.now(UTC) + timedelta(minutes=2))
    stored = await load_job(app_db, org, job.id)
    assert stored.approval_channel == APPROVERS and stored.approval_ts is not None


async def test_a_request_that_keeps_failing_is_tried_once_a_minute_and_reported_once(
    runtime: Runtime, slack: SlackSandbox, app_db: Database, org: uuid.UUID
) -> None:
    job = await awaiting_job_for(app_db, org, NO_BOT)
    assert await request_approval(job, runtime) == []
    assert len(slack.ephemerals(EDITOR, channel=TARGET)) == 1

    later = datetime.now(UTC) + timedelta(minutes=2)
    for _tick in range(3):
        await sweep_approvals(runtime, later)

    assert len(slack.calls("chat.postMessage", channel=NO_BOT)) == 2  # the first try and one re-ask
    assert len(slack.ephemerals(EDITOR, channel=TARGET)) == 1
    assert (await load_job(app_db, org, job.id)).approval_ts is None


async def test_beat_expires_old_requests_and_shows_it_in_place(
    runtime: Runtime, slack: SlackSandbox, app_db: Database, org: uuid.UUID
) -> None:
    job = await awaiting_job_for(app_db, org, APPROVERS)
    [(channel, ts)] = await request_approval(job, runtime)

    report = await sweep_approvals(runtime, datetime.now(UTC) + timedelta(days=8))

    assert job.id in [d.job_id for d in report.expired]
    message = slack.message(channel, ts)
    assert message is not None and "Expired" in message["text"]
    assert (await load_job(app_db, org, job.id)).state == JobState.CANCELLED
    assert any("expired" in e["text"] for e in slack.ephemerals(EDITOR))
