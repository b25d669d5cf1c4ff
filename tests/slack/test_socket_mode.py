"""Socket Mode: the same bolt app, reached over a websocket instead of signed HTTP."""

from __future__ import annotations

import re
import uuid

import redis.asyncio as aioredis
from sqlalchemy import select

from bot.app import create_bolt_app, services_of
from bot.orgs import create_organization, set_role
from bot.sandbox.say import build_slash_command
from bot.sandbox.slack import SlackSandbox
from bot.slack_client import make_web_client
from bot.socket_mode import create_socket_mode_handler
from db.crypto import SecretBox
from db.engine import Database
from db.models import Job, JobState, Role
from tests.slack.conftest import SlackWorkspace, make_settings, runtime_for
from tests.slack.socket_mode_server import SocketModeServer

APP_TOKEN = "xapp-1-A0SANDBOX-1-socketmodetest"


async def test_a_command_over_socket_mode_is_handled_like_over_http(
    service_env: dict[str, str],
    sandbox: SlackSandbox,
    workspace: SlackWorkspace,
    app_db: Database,
    aredis: aioredis.Redis,
    secret_box: SecretBox,
) -> None:
    # No signing secret: Socket Mode needs none, the websocket is authenticated by the app token.
    settings = make_settings(
        service_env, sandbox, slack_bot_token=workspace.bot_token, slack_app_token=APP_TOKEN, slack_signing_secret=None
    )
    assert settings.slack_mode == "socket"
    runtime = runtime_for(settings, app_db, aredis, secret_box)
    org_id = await create_organization(app_db, name="Socket", team_id=workspace.team_id)
    await set_role(app_db, org_id, workspace.editor, Role.EDITOR, actor="test")
    bolt = create_bolt_app(runtime)
    await services_of(bolt).warm_up()  # type: ignore[union-attr]
    async with SocketModeServer(APP_TOKEN) as slack:
        handler = create_socket_mode_handler(bolt, settings, web_client=make_web_client(base_url=slack.api_url))
        await handler.connect_async()
        try:
            await slack.connected.wait()
            command = build_slash_command(
                "text a haiku about sockets",
                team_id=workspace.team_id,
                user_id=workspace.editor,
                channel_id=workspace.general,
                user_name="eddie",
                response_url=sandbox.response_url(team_id=workspace.team_id, channel_id=workspace.general),
            )
            reply = await slack.send("slash_commands", command)
            text = reply["payload"]["text"]
            job_id = uuid.UUID(re.search(r"job `([0-9a-f-]{36})`", text).group(1))  # type: ignore[union-attr]
            async with app_db.tenant(org_id) as session:
                job = (await session.execute(select(Job).where(Job.id == job_id))).scalar_one()
            assert job.state == JobState.QUEUED and job.masked_prompt == "a haiku about sockets"

            refused = await slack.send("slash_commands", {**command, "user_id": workspace.viewer, "text": "audit"})
            assert "needs the admin role" in refused["payload"]["text"]
        finally:
            await handler.close_async()
