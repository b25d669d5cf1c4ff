"""The sandbox is faithful enough for slack-bolt itself: commands, button clicks, OAuth install."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import FileInstallationStore
from slack_sdk.oauth.state_store import FileOAuthStateStore

from bot.slack.client import make_web_client
from sandbox.say import build_block_action, post_signed_form, send_command
from sandbox.slack import DEMO, SlackSandbox
from tests.support.slack import CLIENT_ID, CLIENT_SECRET

SECRET = "bolt-test-signing-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def serve(app: AsyncApp, port: int) -> web.AppRunner:
    runner = web.AppRunner(app.web_app(path="/slack/events", port=port))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


@pytest.fixture
async def bolt_service(sb: SlackSandbox) -> AsyncIterator[str]:
    app = AsyncApp(
        signing_secret=SECRET,
        token=DEMO.bot_token,
        client=make_web_client(DEMO.bot_token, base_url=sb.api_url),
        process_before_response=True,
    )

    @app.command("/content")
    async def content(ack: Any, respond: Any, command: dict[str, str], client: Any) -> None:
        await respond(f"Queued: {command['text']}")
        await client.chat_postMessage(
            channel=command["channel_id"],
            text="Approve?",
            blocks=[
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "approve_job",
                            "value": "job-1",
                            "text": {"type": "plain_text", "text": "Approve"},
                        },
                    ],
                }
            ],
        )
        await ack("Working on it")

    @app.action("approve_job")
    async def approve(ack: Any, respond: Any, body: dict[str, Any]) -> None:
        await ack()
        await respond(text=f"Approved {body['actions'][0]['value']}", replace_original=True)

    port = free_port()
    runner = await serve(app, port)
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_bolt_answers_a_command_and_a_button_click(sb: SlackSandbox, bolt_service: str) -> None:
    result = await send_command(bolt_service, "text hello", signing_secret=SECRET, sandbox_url=sb.url, wait_seconds=5)
    assert result.status == 200
    assert "Working on it" in result.ack
    assert [r["text"] for r in result.responses] == ["Queued: text hello"]
    (approval,) = result.messages

    form = build_block_action(
        "approve_job",
        "job-1",
        team_id=DEMO.team_id,
        user_id=DEMO.admin,
        channel_id=DEMO.general,
        message_ts=approval["ts"],
        response_url=sb.response_url(
            team_id=DEMO.team_id, channel_id=DEMO.general, user_id=DEMO.admin, message_ts=approval["ts"]
        ),
        message=approval,
    )
    async with aiohttp.ClientSession() as session:
        status, _ = await post_signed_form(session, f"{bolt_service}/slack/events", form, signing_secret=SECRET)
    assert status == 200
    assert sb.message(DEMO.general, approval["ts"])["text"] == "Approved job-1"


async def test_bolt_oauth_install_stores_the_sandbox_bot_token(sb: SlackSandbox, tmp_path: Path) -> None:
    port = free_port()
    service = f"http://127.0.0.1:{port}"
    installations = FileInstallationStore(base_dir=str(tmp_path / "installations"))
    app = AsyncApp(
        signing_secret=SECRET,
        client=make_web_client(None, base_url=sb.api_url),
        oauth_settings=AsyncOAuthSettings(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            scopes=["commands", "chat:write"],
            installation_store=installations,
            state_store=FileOAuthStateStore(expiration_seconds=300, base_dir=str(tmp_path / "states")),
            authorization_url=sb.authorize_url,
            redirect_uri=f"{service}/slack/oauth_redirect",
            install_page_rendering_enabled=False,
        ),
    )
    runner = await serve(app, port)
    try:
        # bolt's state cookie is Secure, which a browser would not send over http, so the test
        # carries it the way a browser on https would.
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as browser:
            async with browser.get(f"{service}/slack/install", allow_redirects=False) as install:
                assert install.status == 302
                authorize = install.headers["Location"]
                state_cookie = install.cookies["slack-app-oauth-state"]
            assert authorize.startswith(sb.authorize_url)
            async with browser.get(authorize, allow_redirects=False) as approved:
                assert approved.status == 302
                callback = approved.headers["Location"]
            cookie = {"Cookie": f"{state_cookie.key}={state_cookie.value}"}
            async with browser.get(callback, headers=cookie) as finished:
                assert finished.status == 200, await finished.text()
    finally:
        await runner.cleanup()

    installation = installations.find_installation(enterprise_id=None, team_id=DEMO.team_id)
    assert installation is not None
    assert installation.bot_token == DEMO.bot_token
    assert installation.bot_user_id == DEMO.bot_user_id
    assert installation.user_id == DEMO.admin
    assert [c.method for c in sb.calls()] == ["oauth.v2.access", "auth.test"]
