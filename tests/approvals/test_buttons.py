"""The approval buttons and the reject modal through the real aiohttp server, signed like Slack."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.approvals import views
from bot.approvals.views import APPROVE_ACTION, REJECT_ACTION, REJECT_MODAL
from bot.process.runtime import Runtime
from db.engine import Database
from db.models import JobState
from sandbox.slack import SlackSandbox
from tests.approvals.web import SIGNING_SECRET, Clicks, new_team, start_clicks
from tests.support.approvals import (
    ADMIN,
    ADMIN2,
    APPROVERS,
    EDITOR,
    TARGET,
    actions_of,
    awaiting_job,
    load_job,
    make_runtime,
    new_org,
    require_approvals,
    seed_workspace,
)
from workers.approval import request_approval


@dataclass
class Setting:
    clicks: Clicks
    runtime: Runtime
    org_id: uuid.UUID


@pytest.fixture
async def setting(
    service_env: dict[str, str], sandbox: SlackSandbox, app_db: Database, aredis: aioredis.Redis
) -> AsyncIterator[Setting]:
    team, token = new_team()
    seed_workspace(sandbox, team, token)
    runtime = make_runtime(
        service_env, sandbox, app_db, aredis, slack_bot_token=token, slack_signing_secret=SIGNING_SECRET
    )
    org_id = await new_org(app_db, team_id=team)
    await require_approvals(app_db, org_id, APPROVERS)
    clicks = await start_clicks(runtime, sandbox, team)
    yield Setting(clicks, runtime, org_id)
    await clicks.close()


async def ask(setting: Setting, app_db: Database) -> tuple[uuid.UUID, str]:
    job = await awaiting_job(app_db, setting.org_id)
    [(_channel, ts)] = await request_approval(job, setting.runtime)
    return job.id, ts


def opened_modal(sandbox: SlackSandbox) -> dict[str, Any]:
    """The one modal the test's clicks opened."""
    [opened] = [v["view"] for v in sandbox.views() if v["kind"] == "modal"]
    return opened


async def reject_modal_of(
    setting: Setting, app_db: Database, sandbox: SlackSandbox, user: str
) -> tuple[uuid.UUID, str, dict[str, Any]]:
    """A job asked for approval and its reject modal as ``user`` opened it: (job id, message ts, view)."""
    job_id, ts = await ask(setting, app_db)
    await setting.clicks.click(REJECT_ACTION, str(job_id), user=user, channel=APPROVERS, ts=ts)
    return job_id, ts, opened_modal(sandbox)


async def test_double_click_approves_once_and_sends_the_job_once(
    setting: Setting, app_db: Database, sandbox: SlackSandbox
) -> None:
    """Up to the send (a recording sender); that the job is then posted once through the real
    queue and worker is test_end_to_end.py::test_double_click_posts_once."""
    job_id, ts = await ask(setting, app_db)

    first, second = await asyncio.gather(
        setting.clicks.click(APPROVE_ACTION, str(job_id), user=ADMIN, channel=APPROVERS, ts=ts),
        setting.clicks.click(APPROVE_ACTION, str(job_id), user=ADMIN, channel=APPROVERS, ts=ts),
    )

    assert first.status == second.status == 200
    assert setting.clicks.sender.approved == [(job_id, setting.org_id)]
    answers = first.answers + second.answers
    assert len(answers) == 1 and f"<@{ADMIN}> already approved" in answers[0]
    assert (await load_job(app_db, setting.org_id, job_id)).state == JobState.QUEUED
    assert await actions_of(app_db, setting.org_id, "approval.") == ["approval.requested", "approval.approved"]
    message = sandbox.message(APPROVERS, ts)
    assert message is not None and "Approved" in message["text"]
    assert not any(block["type"] == "actions" for block in message["blocks"])
    [note] = sandbox.ephemerals(EDITOR, channel=TARGET)
    assert "approved" in note["text"]


async def test_two_admins_clicking_at_once_give_one_outcome(setting: Setting, app_db: Database) -> None:
    job_id, ts = await ask(setting, app_db)

    clicks = await asyncio.gather(
        setting.clicks.click(APPROVE_ACTION, str(job_id), user=ADMIN, channel=APPROVERS, ts=ts),
        setting.clicks.click(APPROVE_ACTION, str(job_id), user=ADMIN2, channel=APPROVERS, ts=ts),
    )

    stored = await load_job(app_db, setting.org_id, job_id)
    assert stored.decided_by in (ADMIN, ADMIN2)
    loser = ADMIN2 if stored.decided_by == ADMIN else ADMIN
    [answer] = [a for c in clicks for a in c.answers]
    assert f"<@{stored.decided_by}> already approved" in answer and loser not in answer
    assert setting.clicks.sender.approved == [(job_id, setting.org_id)]


async def test_editor_click_is_refused_and_changes_nothing(setting: Setting, app_db: Database) -> None:
    job_id, ts = await ask(setting, app_db)

    click = await setting.clicks.click(APPROVE_ACTION, str(job_id), user=EDITOR, channel=APPROVERS, ts=ts)

    assert click.status == 200
    assert len(click.answers) == 1 and "admin" in click.answers[0]
    assert (await load_job(app_db, setting.org_id, job_id)).state == JobState.AWAITING_APPROVAL
    assert setting.clicks.sender.approved == []


async def test_forged_values_are_refused_and_change_nothing(setting: Setting, app_db: Database) -> None:
    job_id, ts = await ask(setting, app_db)
    other_org = await new_org(app_db)
    theirs = await awaiting_job(app_db, other_org)

    for value in (str(theirs.id), "garbage", str(uuid.uuid4()), ""):
        for action in (APPROVE_ACTION, REJECT_ACTION):
            click = await setting.clicks.click(action, value, user=ADMIN, channel=APPROVERS, ts=ts)
            assert click.status == 200 and len(click.answers) == 1, (action, value)
            assert "not valid" in click.answers[0]

    assert (await load_job(app_db, other_org, theirs.id)).state == JobState.AWAITING_APPROVAL
    assert (await load_job(app_db, setting.org_id, job_id)).state == JobState.AWAITING_APPROVAL
    assert setting.clicks.sender.approved == []


async def test_reject_opens_a_modal_and_its_submission_rejects(
    setting: Setting, app_db: Database, sandbox: SlackSandbox
) -> None:
    job_id, ts = await ask(setting, app_db)

    click = await setting.clicks.click(REJECT_ACTION, str(job_id), user=ADMIN2, channel=APPROVERS, ts=ts)

    assert click.status == 200 and click.answers == []
    opened = opened_modal(sandbox)
    assert opened["callback_id"] == REJECT_MODAL and str(job_id) in opened["private_metadata"]
    assert (await load_job(app_db, setting.org_id, job_id)).state == JobState.AWAITING_APPROVAL

    ack = await setting.clicks.submit_view(opened, user=ADMIN2, reason="Wrong tone for this channel")

    assert ack == {}  # the modal closes
    stored = await load_job(app_db, setting.org_id, job_id)
    assert stored.state == JobState.REJECTED and stored.decided_by == ADMIN2
    assert stored.decision_reason == "Wrong tone for this channel"
    message = sandbox.message(APPROVERS, ts)
    assert message is not None and "Rejected" in message["text"] and "Wrong tone" in str(message["blocks"])
    [note] = sandbox.ephemerals(EDITOR, channel=TARGET)
    assert "Wrong tone for this channel" in note["text"]
    assert setting.clicks.sender.approved == []


@pytest.mark.parametrize(
    ("fault", "window", "told"),
    [
        ({"error": "expired_trigger_id"}, views.TRIGGER_WINDOW_SECONDS, "Slack answered `expired_trigger_id`"),
        # A window shorter than Slack's, so that running past it takes half a second (and the slow
        # answer, which the sandbox finishes before it stops, one second).
        ({"delay": 1.0}, 0.5, "Slack's time to open it ran out"),
    ],
    ids=["refused", "too-slow"],
)
async def test_a_reject_form_that_cannot_open_is_told_to_the_clicker_and_decides_nothing(
    setting: Setting,
    app_db: Database,
    sandbox: SlackSandbox,
    monkeypatch: pytest.MonkeyPatch,
    fault: dict[str, Any],
    window: float,
    told: str,
) -> None:
    monkeypatch.setattr(views, "TRIGGER_WINDOW_SECONDS", window)
    job_id, ts = await ask(setting, app_db)
    sandbox.inject("views.open", **fault)

    click = await setting.clicks.click(REJECT_ACTION, str(job_id), user=ADMIN2, channel=APPROVERS, ts=ts)

    assert click.status == 200
    [answer] = click.answers
    assert told in answer and "click *Reject* again" in answer
    assert (await load_job(app_db, setting.org_id, job_id)).state == JobState.AWAITING_APPROVAL


async def test_a_reject_form_that_cannot_open_is_told_even_through_slacks_rate_limit(
    setting: Setting, app_db: Database, sandbox: SlackSandbox
) -> None:
    job_id, ts = await ask(setting, app_db)
    sandbox.inject("views.open", error="expired_trigger_id")
    # Slack's rate limit on the response_url: the note waits it out instead of being dropped.
    sandbox.inject("response_url", error="ratelimited", retry_after=1)

    click = await setting.clicks.click(REJECT_ACTION, str(job_id), user=ADMIN2, channel=APPROVERS, ts=ts)

    assert click.status == 200
    [answer] = click.answers
    assert "Slack answered `expired_trigger_id`" in answer and "click *Reject* again" in answer
    assert [call.status for call in sandbox.calls("response_url")][-2:] == [429, 200]
    assert (await load_job(app_db, setting.org_id, job_id)).state == JobState.AWAITING_APPROVAL


async def test_a_modal_submitted_after_an_approval_changes_nothing(
    setting: Setting, app_db: Database, sandbox: SlackSandbox
) -> None:
    job_id, ts, opened = await reject_modal_of(setting, app_db, sandbox, ADMIN2)
    await setting.clicks.click(APPROVE_ACTION, str(job_id), user=ADMIN, channel=APPROVERS, ts=ts)

    ack = await setting.clicks.submit_view(opened, user=ADMIN2, reason="too late")

    assert ack["response_action"] == "update" and f"<@{ADMIN}> already approved" in str(ack["view"])
    assert (await load_job(app_db, setting.org_id, job_id)).state == JobState.QUEUED


async def test_a_modal_with_a_forged_job_or_a_long_reason_is_refused(
    setting: Setting, app_db: Database, sandbox: SlackSandbox
) -> None:
    job_id, _ts, opened = await reject_modal_of(setting, app_db, sandbox, ADMIN)

    too_long = await setting.clicks.submit_view(opened, user=ADMIN, reason="x" * 600)
    assert too_long["response_action"] == "errors" and "reason" in too_long["errors"]

    forged = await setting.clicks.submit_view(
        {**opened, "private_metadata": '{"job_id": "nope"}'}, user=ADMIN, reason=""
    )
    assert forged["response_action"] == "update"

    by_editor = await setting.clicks.submit_view(opened, user=EDITOR, reason="")
    assert by_editor["response_action"] == "update" and "admin" in str(by_editor["view"])

    assert (await load_job(app_db, setting.org_id, job_id)).state == JobState.AWAITING_APPROVAL
