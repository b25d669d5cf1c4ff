"""Two regions on the test server: the session's database and Redis are "us" (the default region,
which holds the directory), a second migrated database and the spare Redis index are "eu". Their
settings, the web service of both served on 127.0.0.1 with requests signed as Slack signs them, and
organizations placed in one region or the other."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text

from bot.orgs.service import create_organization, set_role
from bot.process.runtime import Runtime
from bot.process.settings import Settings, load_settings
from bot.slack.app import create_region_router
from bot.slack.directory_changes import CHANNEL
from bot.slack.region_directory import RegionDirectory, RegionRouter
from bot.slack.server import create_web_app
from db.engine import Database
from db.models import TENANT_TABLES, Role
from sandbox.say import build_slash_command, encode_form, sign_request
from sandbox.slack import SlackSandbox
from tests.support.database import TestDatabase
from tests.support.rows import fill_organization
from tests.support.slack import SIGNING_SECRET, SlackWorkspace, serve_locally

# One text model in each region; the router of a region picks only its own.
REGIONAL_CATALOGUE = json.dumps(
    {
        "models": [
            {"name": "flash-us", "provider": "gemini", "model": "gemini-2.5-flash", "region": "us"},
            {"name": "flash-eu", "provider": "gemini", "model": "gemini-2.5-flash", "region": "eu"},
        ]
    }
)


def regions_document(us: TestDatabase, us_redis: str, eu: TestDatabase, eu_redis: str) -> str:
    return json.dumps(
        {
            "us": {"database_url": us.app_url, "admin_url": us.admin_url, "redis_url": us_redis},
            "eu": {"database_url": eu.app_url, "admin_url": eu.admin_url, "redis_url": eu_redis},
        }
    )


def two_region_settings(
    test_database: TestDatabase, redis_url: str, eu_database: TestDatabase, eu_redis_url: str, **values: Any
) -> Settings:
    return load_settings(
        _env_file=None,
        regions=regions_document(test_database, redis_url, eu_database, eu_redis_url),
        default_region="us",
        database_url=None,
        database_admin_url=None,
        redis_url=None,
        **values,
    )


@dataclass
class TwoRegions:
    url: str
    router: RegionRouter
    runtimes: dict[str, Runtime]

    def runtime(self, region: str) -> Runtime:
        return self.runtimes[region]


@contextlib.asynccontextmanager
async def serving_two_regions(settings: Settings) -> AsyncIterator[TwoRegions]:
    runtimes = {name: Runtime.from_settings(settings.for_region(name), pre_ping=False) for name in ("us", "eu")}
    router = create_region_router(runtimes, "us")
    url, runner = await serve_locally(create_web_app(runtimes["us"], router=router))
    try:
        yield TwoRegions(url, router, runtimes)
    finally:
        await runner.cleanup()
        for runtime in runtimes.values():
            await runtime.close()


async def post(url: str, fields: dict[str, str]) -> tuple[int, str]:
    """``fields`` posted, form-encoded and signed, to the Slack events endpoint of the service at
    ``url``: the status and body of its answer."""
    body = encode_form(fields)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign_request(body, SIGNING_SECRET, None)}
    async with aiohttp.ClientSession() as http, http.post(f"{url}/slack/events", data=body, headers=headers) as answer:
        return answer.status, await answer.text()


async def command(service: TwoRegions, sandbox: SlackSandbox, ws: SlackWorkspace, text: str, user: str) -> str:
    """``/content <text>`` of ``user`` in ``ws``'s general channel, as Slack would send it; the ack."""
    response_url = sandbox.response_url(team_id=ws.team_id, channel_id=ws.general, user_id=user)
    fields = build_slash_command(
        text, team_id=ws.team_id, user_id=user, channel_id=ws.general, user_name=user, response_url=response_url
    )
    status, answer = await post(service.url, fields)
    assert status == 200, answer
    return answer


async def eu_organizations_job(
    service: TwoRegions, sandbox: SlackSandbox, ws: SlackWorkspace, prompt: str
) -> tuple[uuid.UUID, str]:
    """``ws`` as an organization of the EU region (its editor made an editor), and the id of the job
    its editor's ``text <prompt>`` queued."""
    eu = service.runtime("eu").database
    org_id = await create_organization(eu, name="EU org", team_id=ws.team_id, admin_user_id=ws.owner)
    await set_role(eu, org_id, ws.editor, Role.EDITOR, actor="test")
    await service.router.directory.pin(ws.team_id, None, org_id, "eu")
    answer = await command(service, sandbox, ws, f"text {prompt}", ws.editor)
    job_id = re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", answer)
    assert job_id, answer
    return org_id, job_id[0]


async def organization_in_us(app_db: Database, rows: int = 3) -> uuid.UUID:
    """A new organization with ``rows`` rows in every tenant table of ``app_db``, pinned to "us"."""
    org_id = uuid.uuid4()
    tag = org_id.hex[:8]
    async with app_db.tenant(org_id) as session:
        await fill_organization(session, org_id, rows=rows, tag=tag)
    await RegionDirectory(app_db).pin(f"T{tag}", None, org_id, "us")
    return org_id


async def tenant_row_counts(url: str, org_id: uuid.UUID) -> dict[str, int]:
    """How many rows of ``org_id`` each tenant table holds in the database at ``url``."""
    database = Database(url, pool_size=1)
    try:
        async with database.tenant(org_id) as session:
            found = {}
            for table in TENANT_TABLES:
                column = "id" if table == "organizations" else "org_id"
                query = text(f"SELECT count(*) FROM {table} WHERE {column} = :org")
                found[table] = (await session.execute(query, {"org": org_id})).scalar_one()
            return found
    finally:
        await database.dispose()


async def directory_changes_heard(
    directory: RegionDirectory, monkeypatch: pytest.MonkeyPatch, seconds: float = 20.0
) -> None:
    """Wait until ``directory``'s listener has heard every region directory change committed so far.

    PostgreSQL delivers one channel's notifications in the order they committed, so once a marker
    notified now has reached ``RegionDirectory.forget``, so has every change before it; a test that
    counts the directory's reads after a change made in its set-up starts from there, instead of
    racing the change's notice to the cache."""
    marker = f"heard-{uuid.uuid4().hex}"
    heard = asyncio.Event()
    forget = directory.forget

    def noting(key: str) -> None:
        if key == marker:
            heard.set()
        forget(key)

    with monkeypatch.context() as patched:
        patched.setattr(directory, "forget", noting)
        async with directory.database.system() as session:
            await session.execute(text("SELECT pg_notify(:channel, :key)"), {"channel": CHANNEL, "key": marker})
        try:
            await asyncio.wait_for(heard.wait(), timeout=seconds)
        except TimeoutError:
            raise AssertionError(f"the region directory's changes were not heard within {seconds:g} s") from None
