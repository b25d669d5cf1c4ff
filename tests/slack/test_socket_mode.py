"""Socket Mode: the same bolt app, reached over a websocket instead of signed HTTP."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
import uuid

from sqlalchemy import select

from bot.orgs.service import create_organization, set_role
from bot.slack.app import create_bolt_app, services_of
from bot.slack.client import make_web_client
from bot.slack.socket_mode import create_socket_mode_handler
from db.engine import Database
from db.models import Job, JobState, Role
from sandbox.say import encode_form
from sandbox.slack import SlackSandbox
from tests.slack.socket_mode_server import SocketModeServer
from tests.support.slack import ServiceFactory, SlackWorkspace

APP_TOKEN = "xapp-1-A0SANDBOX-1-socketmodetest"
# Socket Mode and no signing secret: the websocket is authenticated by the app token.
SOCKET_ONLY = {"slack_app_token": APP_TOKEN, "slack_signing_secret": None}


async def test_a_command_over_socket_mode_is_handled_like_over_http(
    make_service: ServiceFactory, sandbox: SlackSandbox, workspace: SlackWorkspace, app_db: Database
) -> None:
    runtime = make_service.runtime(**SOCKET_ONLY, slack_bot_token=workspace.bot_token)
    settings = runtime.settings
    assert settings.slack_mode == "socket"
    org_id = await create_organization(app_db, name="Socket", team_id=workspace.team_id)
    await set_role(app_db, org_id, workspace.editor, Role.EDITOR, actor="test")
    bolt = create_bolt_app(runtime)
    await services_of(bolt).warm_up()
    async with SocketModeServer(APP_TOKEN) as slack:
        handler = create_socket_mode_handler(bolt, settings, web_client=make_web_client(base_url=slack.api_url))
        await handler.connect_async()
        try:
            await slack.connected.wait()
            command = workspace.slash_command(
                "text a haiku about sockets",
                user=workspace.editor,
                response_url=sandbox.response_url(team_id=workspace.team_id, channel_id=workspace.general),
            )
            reply = await slack.send("slash_commands", command)
            text = reply["payload"]["text"]
            job_id = uuid.UUID(re.search(r"job `([0-9a-f-]{36})`", text).group(1))
            async with app_db.tenant(org_id) as session:
                job = (await session.execute(select(Job).where(Job.id == job_id))).scalar_one()
            assert job.state == JobState.QUEUED and job.masked_prompt == "a haiku about sockets"

            refused = await slack.send("slash_commands", {**command, "user_id": workspace.viewer, "text": "audit"})
            assert "needs the admin role" in refused["payload"]["text"]
        finally:
            await handler.close_async()


async def test_socket_mode_without_a_secret_serves_no_slack_http_routes(
    make_service: ServiceFactory, sandbox: SlackSandbox, workspace: SlackWorkspace, app_db: Database
) -> None:
    """With no secret nothing can verify an HTTP request (slack-sdk before 3.43 accepted any HMAC
    made with the empty key): a forged, "signed" command must find no route at all."""
    org_id = await create_organization(app_db, name="Socket only", team_id=workspace.team_id)
    await set_role(app_db, org_id, workspace.editor, Role.EDITOR, actor="test")
    async with make_service.running(**SOCKET_ONLY, slack_bot_token=workspace.bot_token) as service:
        command = workspace.slash_command(
            "text forged over http",
            user=workspace.editor,
            response_url=sandbox.response_url(team_id=workspace.team_id, channel_id=workspace.general),
        )
        body = encode_form(command)
        # Signed with the empty key, by hand: current slack-sdk refuses to make such a signature.
        stamp = str(int(time.time()))
        digest = hmac.new(b"", b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
        headers = {
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": f"v0={digest}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        async with service.http.post(f"{service.url}/slack/events", data=body, headers=headers) as response:
            assert response.status == 404
        for path in ("/slack/install", "/slack/oauth_redirect"):
            async with service.http.get(f"{service.url}{path}") as response:
                assert response.status == 404
        async with service.http.get(f"{service.url}/healthz") as response:
            assert response.status == 200
        async with service.http.get(f"{service.url}/readyz") as response:
            assert response.status == 200
        async with app_db.tenant(org_id) as session:
            assert (await session.execute(select(Job.id))).first() is None
