"""An EU organization's requests are handled in the EU region alone: its rows exist only in the EU
database, its broker messages only in the EU Redis, and a button for its job pressed in a US
workspace finds nothing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bot.orgs.service import create_organization
from sandbox.say import build_block_action
from sandbox.slack import SlackSandbox
from tests.support.database import TestDatabase, rows_mentioning
from tests.support.redis_index import redis_text
from tests.support.regions import TwoRegions, command, eu_organizations_job, post
from tests.support.slack import SlackWorkspace, new_workspace


async def wait_for_text(url: str, needle: str) -> str:
    for _ in range(50):
        text = await redis_text(url)
        if needle in text:
            return text
        await asyncio.sleep(0.1)
    return await redis_text(url)


async def test_an_eu_organizations_rows_and_messages_exist_only_in_the_eu_region(
    two_regions: TwoRegions,
    sandbox: SlackSandbox,
    workspace: SlackWorkspace,
    test_database: TestDatabase,
    eu_database: TestDatabase,
    redis_url: str,
    eu_redis_url: str,
) -> None:
    ws = workspace
    marker = f"lighthouse{uuid.uuid4().hex[:10]}"
    org_id, job_id = await eu_organizations_job(two_regions, sandbox, ws, f"a haiku about the {marker}")
    when = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT09:00")
    scheduled = await command(two_regions, sandbox, ws, f"schedule {when} text a {marker} digest", ws.editor)
    assert "warning" not in scheduled, scheduled
    await command(two_regions, sandbox, ws, f"approvals on <#{ws.approvals}|approvals>", ws.owner)
    await command(two_regions, sandbox, ws, "audit 5", ws.owner)

    eu_rows = await rows_mentioning(eu_database, str(org_id))
    for table in ("organizations", "workspaces", "members", "jobs", "schedules", "audit_events"):
        assert eu_rows.get(table), (table, eu_rows)
    assert (await rows_mentioning(eu_database, marker)).get("jobs") == 1
    assert (await rows_mentioning(eu_database, job_id)).get("jobs") == 1

    # The US database holds the directory's pin (the organization's id and its region) and nothing else.
    assert await rows_mentioning(test_database, str(org_id)) == {"region_directory": 1}
    for needle in (job_id, marker, ws.team_id):
        found = await rows_mentioning(test_database, needle)
        assert found in ({}, {"region_directory": 1}), (needle, found)
    # The job went to the EU broker only.
    assert job_id in await wait_for_text(eu_redis_url, job_id)
    us_redis = await redis_text(redis_url)
    for needle in (str(org_id), job_id, marker):
        assert needle not in us_redis, needle


async def test_a_button_for_an_eu_job_pressed_in_a_us_workspace_finds_nothing(
    two_regions: TwoRegions, sandbox: SlackSandbox, workspace: SlackWorkspace, test_database: TestDatabase
) -> None:
    ws = workspace
    org_id, job_id = await eu_organizations_job(two_regions, sandbox, ws, "a note about tides")
    eu = two_regions.runtime("eu").database

    us_ws = new_workspace(sandbox)
    us = two_regions.runtime("us").database
    await create_organization(us, name="US org", team_id=us_ws.team_id, admin_user_id=us_ws.owner)
    response_url = sandbox.response_url(team_id=us_ws.team_id, channel_id=us_ws.general, user_id=us_ws.owner)
    for action in ("approve_job", "reject_job"):
        fields = build_block_action(
            action,
            job_id,
            team_id=us_ws.team_id,
            user_id=us_ws.owner,
            channel_id=us_ws.general,
            message_ts="1700000000.000100",
            response_url=response_url,
        )
        status, _ = await post(two_regions.url, fields)
        assert status == 200

    async with eu.tenant(org_id) as session:
        state = (await session.execute(text("SELECT state FROM jobs WHERE id = :id"), {"id": job_id})).scalar_one()
    assert state == "queued"
    assert await rows_mentioning(test_database, job_id) == {}
    refusals = sandbox.responses(response_url)
    assert len(refusals) == 2 and all("not valid any more" in r["text"] for r in refusals), refusals
