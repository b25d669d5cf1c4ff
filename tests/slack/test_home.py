"""App Home: opening it publishes the user's role, the quota gauge, the user's jobs and schedules,
and for admins the jobs waiting for approval."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from db.models import Job, JobFeedback, JobState
from tests.support.rows import active_schedule, posted_job
from tests.support.slack import Service


def _published(service: Service, user: str) -> dict[str, Any]:
    views = service.sandbox.views(user)
    assert views, "no view was published"
    assert views[-1]["kind"] == "home"
    return views[-1]["view"]


async def test_home_shows_role_quota_jobs_and_schedules(single: Service, org: uuid.UUID) -> None:
    ws = single.workspace
    await single.command("text a haiku about tea", user=ws.editor)
    async with single.database.tenant(org) as session:
        session.add(
            active_schedule(
                org,
                ws.editor,
                ws.general,
                "a poster",
                kind="image",
                cron="0 9 * * 1",
                timezone="Europe/Berlin",
                next_run_at=datetime.now(UTC) + timedelta(days=2),
            )
        )
    assert await single.event({"type": "app_home_opened", "user": ws.editor, "tab": "home"}) == 200
    text = json.dumps(_published(single, ws.editor))
    assert "Your role: *editor*" in text
    assert "Quota for" in text and "tokens used or reserved" in text
    assert "a haiku about tea" in text
    assert "cron `0 9 * * 1` (Europe/Berlin)" in text
    assert "Waiting for approval" not in text


async def test_admins_see_what_waits_for_approval(single: Service, org: uuid.UUID) -> None:
    ws = single.workspace
    await single.command("text please approve me", user=ws.editor)
    async with single.database.tenant(org) as session:
        await session.execute(update(Job).values(state=JobState.AWAITING_APPROVAL))
    await single.event({"type": "app_home_opened", "user": ws.owner, "tab": "home"})
    text = json.dumps(_published(single, ws.owner))
    assert "Your role: *admin*" in text
    assert "Waiting for approval" in text and "please approve me" in text and f"<@{ws.editor}>" in text


async def test_the_messages_tab_publishes_nothing(single: Service, org: uuid.UUID) -> None:
    await single.event({"type": "app_home_opened", "user": single.workspace.viewer, "tab": "messages"})
    assert single.sandbox.views(single.workspace.viewer) == []


async def test_home_counts_feedback_on_your_results_and_admins_see_the_organizations(
    single: Service, org: uuid.UUID
) -> None:
    ws = single.workspace
    async with single.database.tenant(org) as session:
        job = posted_job(org, ws.editor, ws.general, "r")
        session.add(job)
        await session.flush()
        session.add_all(
            [
                JobFeedback(job_id=job.id, user_id=ws.viewer, org_id=org, rating="good"),
                JobFeedback(job_id=job.id, user_id=ws.owner, org_id=org, rating="bad", reason="too long"),
            ]
        )
    await single.event({"type": "app_home_opened", "user": ws.editor, "tab": "home"})
    editor_home = json.dumps(_published(single, ws.editor), ensure_ascii=False)
    assert "Feedback on your results" in editor_home and "1 good · :thumbsdown: 1 bad" in editor_home
    assert "Whole organization" not in editor_home
    await single.event({"type": "app_home_opened", "user": ws.owner, "tab": "home"})
    assert "Whole organization: :thumbsup: 1 · :thumbsdown: 1" in json.dumps(
        _published(single, ws.owner), ensure_ascii=False
    )
