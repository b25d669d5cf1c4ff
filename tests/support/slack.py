"""The Slack-facing service for tests: a sandbox workspace, settings, a running service on
127.0.0.1 with helpers that talk like Slack, and what a command left behind."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis
from aiohttp import web
from sqlalchemy import func, select

from bot.orgs.service import create_organization, set_role
from bot.process.runtime import Runtime
from bot.process.settings import Settings, load_settings
from bot.services import AppServices
from bot.slack.app import create_bolt_app, services_of
from bot.slack.server import BOLT_APP, create_web_app
from db.crypto import SecretBox
from db.engine import Database
from db.models import AuditEvent, Job, Member, Organization, Role
from sandbox.say import build_block_action, build_slash_command, encode_form, sign_request
from sandbox.slack import SlackSandbox

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"


CLIENT_ID = "1111.2222"


CLIENT_SECRET = "sandbox-client-secret"


@pytest.fixture(scope="session")
async def sandbox() -> AsyncIterator[SlackSandbox]:
    """One Slack sandbox for the session, expecting the app's OAuth client id and secret."""
    async with SlackSandbox(client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as running:
        yield running


@dataclass
class SlackWorkspace:
    """One sandbox workspace: an owner (a Slack admin), an editor, a viewer and a bystander."""

    team_id: str
    bot_token: str
    owner: str
    editor: str
    viewer: str
    bystander: str
    general: str
    approvals: str
    domain: str = ""

    def user_for(self, role: str) -> str:
        return {"admin": self.owner, "editor": self.editor, "viewer": self.viewer}[role]

    def slash_command(self, text: str, *, user: str, response_url: str, channel: str | None = None) -> dict[str, str]:
        """``/content <text>`` from ``user`` in this workspace, as Slack's form fields."""
        return build_slash_command(
            text,
            team_id=self.team_id,
            user_id=user,
            channel_id=channel or self.general,
            user_name=user,
            response_url=response_url,
        )

    def block_action(
        self, action_id: str, value: str, *, user: str, response_url: str, channel: str | None = None, **extra: Any
    ) -> dict[str, str]:
        """A click on ``action_id`` by ``user`` in a message of this workspace, as Slack's form fields."""
        return build_block_action(
            action_id,
            value,
            team_id=self.team_id,
            user_id=user,
            channel_id=channel or self.general,
            message_ts=extra.pop("message_ts", "1700000000.000100"),
            response_url=response_url,
            **extra,
        )


def new_workspace(sandbox: SlackSandbox, *, enterprise_id: str | None = None) -> SlackWorkspace:
    suffix = uuid.uuid4().hex[:8].upper()
    team_id = f"T{suffix}"
    token = f"xoxb-{suffix}-{uuid.uuid4().hex}"
    sandbox.add_workspace(team_id, bot_token=token, name=f"Team {suffix}", enterprise_id=enterprise_id)
    workspace = SlackWorkspace(
        team_id=team_id,
        bot_token=token,
        owner=f"U{suffix}OWN",
        editor=f"U{suffix}EDI",
        viewer=f"U{suffix}VIE",
        bystander=f"U{suffix}BYS",
        general=f"C{suffix}GEN",
        approvals=f"C{suffix}APR",
        domain=sandbox.workspaces[team_id].domain,
    )
    sandbox.add_user(team_id, workspace.owner, name="olive", is_owner=True, tz="Europe/Paris")
    sandbox.add_user(team_id, workspace.editor, name="eddie", tz="Europe/Berlin")
    sandbox.add_user(team_id, workspace.viewer, name="vera", tz="Asia/Tokyo")
    sandbox.add_user(team_id, workspace.bystander, name="bea")
    sandbox.add_channel(team_id, workspace.general, "general")
    sandbox.add_channel(team_id, workspace.approvals, "approvals")
    return workspace


def make_settings(service_env: dict[str, str], sandbox: SlackSandbox, **slack: Any) -> Settings:
    """Settings for one service: the test run's database, Redis and key, the sandbox's API, and
    exactly the Slack credentials given (the environment's own are ignored)."""
    values: dict[str, Any] = {
        "database_url": service_env["DATABASE_URL"],
        "redis_url": service_env["REDIS_URL"],
        "token_encryption_key": service_env["TOKEN_ENCRYPTION_KEY"],
        "slack_api_url": sandbox.api_url,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_bot_token": None,
        "slack_client_id": None,
        "slack_client_secret": None,
        "slack_app_token": None,
    }
    values.update(slack)
    return load_settings(_env_file=None, **values)


@dataclass
class Service:
    """A running service: its URL, runtime and bolt services, and helpers that talk like Slack."""

    url: str
    runtime: Runtime
    services: AppServices
    http: aiohttp.ClientSession
    sandbox: SlackSandbox
    workspace: SlackWorkspace
    runner: web.AppRunner
    sent: list[str] = field(default_factory=list)

    @property
    def database(self) -> Database:
        return self.runtime.database

    async def post_signed(
        self,
        body: bytes,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> aiohttp.ClientResponse:
        signed = sign_request(body, secret, timestamp)
        all_headers = {"Content-Type": content_type, **signed, **(headers or {})}
        async with self.http.post(f"{self.url}/slack/events", data=body, headers=all_headers) as response:
            await response.read()
            return response

    async def command(
        self, text: str, *, user: str | None = None, channel: str | None = None, team_id: str | None = None
    ) -> CommandAnswer:
        """``/content <text>`` as Slack would send it; returns the ack."""
        ws = self.workspace
        team_id = team_id or ws.team_id
        user = user or ws.owner
        channel = channel or ws.general
        response_url = self.sandbox.response_url(team_id=team_id, channel_id=channel, user_id=user)
        fields = build_slash_command(
            text,
            team_id=team_id,
            user_id=user,
            channel_id=channel,
            user_name=user,
            response_url=response_url,
            team_domain=ws.domain,
        )
        started = time.perf_counter()
        response = await self.post_signed(encode_form(fields))
        ms = (time.perf_counter() - started) * 1000
        return CommandAnswer(response.status, await response.text(), response_url, ms)

    async def event(self, event: dict[str, Any], *, team_id: str | None = None) -> int:
        team_id = team_id or self.workspace.team_id
        envelope = {
            "token": "sandbox-verification-token",
            "team_id": team_id,
            "api_app_id": "A0SANDBOX",
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": team_id, "user_id": "UBOT", "is_bot": True}],
        }
        response = await self.post_signed(json.dumps(envelope).encode(), content_type="application/json")
        return response.status


@dataclass
class CommandAnswer:
    status: int
    raw: str
    response_url: str
    ms: float

    @property
    def body(self) -> dict[str, Any]:
        return json.loads(self.raw) if self.raw.startswith("{") else {"text": self.raw}

    @property
    def text(self) -> str:
        return str(self.body.get("text", ""))

    @property
    def ephemeral(self) -> bool:
        return self.body.get("response_type") == "ephemeral"


def count_dispatches(service: Service, monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """What reaches bolt's dispatch from now on (the start of each raw body)."""
    bolt = service.runner.app[BOLT_APP]
    dispatched: list[bytes] = []
    dispatch = bolt.async_dispatch

    async def counted(request: Any) -> Any:
        dispatched.append(request.raw_body[:20])
        return await dispatch(request)

    monkeypatch.setattr(bolt, "async_dispatch", counted)
    return dispatched


async def start_service(runtime: Runtime, sandbox: SlackSandbox, workspace: SlackWorkspace) -> Service:
    bolt = create_bolt_app(runtime)
    services = services_of(bolt)
    assert services is not None
    url, runner = await serve_locally(create_web_app(runtime, app=bolt))
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
    return Service(url, runtime, services, http, sandbox, workspace, runner)


async def serve_locally(web_app: web.Application) -> tuple[str, web.AppRunner]:
    """``web_app`` served on 127.0.0.1 on a free port: its URL, and the runner whose cleanup stops it."""
    runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return f"http://127.0.0.1:{port}", runner


async def workspace_org(service: Service, name: str = "Test") -> uuid.UUID:
    """The service's workspace as an organization, made as its first request would, with an editor."""
    ws = service.workspace
    org_id = await create_organization(service.database, name=name, team_id=ws.team_id)
    await set_role(service.database, org_id, ws.editor, Role.EDITOR, actor="test")
    return org_id


async def stop_service(service: Service) -> None:
    await service.http.close()
    await service.runner.cleanup()


def runtime_for(settings: Settings, app_db: Database, aredis: aioredis.Redis, secret_box: SecretBox) -> Runtime:
    """A runtime over the session's pools: cheap, so every test can have its own settings."""
    return Runtime(settings=settings, database=app_db, redis=aredis, secrets=secret_box)


@dataclass(frozen=True)
class OrgCounts:
    """What a command could have left behind in an organization."""

    jobs: int
    audit_events: int
    members: int
    organizations: int


async def org_counts(database: Database, org_id: uuid.UUID) -> OrgCounts:
    async with database.tenant(org_id) as session:

        async def count(model: Any) -> int:
            return (await session.execute(select(func.count()).select_from(model))).scalar_one()

        return OrgCounts(await count(Job), await count(AuditEvent), await count(Member), await count(Organization))


async def audit_actions(database: Database, org_id: uuid.UUID) -> list[str]:
    async with database.tenant(org_id) as session:
        return list((await session.execute(select(AuditEvent.action).order_by(AuditEvent.seq))).scalars())


@dataclass
class ServiceFactory:
    """One test's services, each with exactly the Slack settings given (``make_settings``):
    ``runtime`` to build one by hand, ``running`` to serve one for the length of an ``async with``."""

    service_env: dict[str, str]
    sandbox: SlackSandbox
    workspace: SlackWorkspace
    app_db: Database
    aredis: aioredis.Redis
    secret_box: SecretBox

    def runtime(self, **slack: Any) -> Runtime:
        settings = make_settings(self.service_env, self.sandbox, **slack)
        return runtime_for(settings, self.app_db, self.aredis, self.secret_box)

    @contextlib.asynccontextmanager
    async def running(self, **slack: Any) -> AsyncIterator[Service]:
        service = await start_service(self.runtime(**slack), self.sandbox, self.workspace)
        try:
            yield service
        finally:
            await stop_service(service)
