"""Signed requests that Slack's verifier accepts, and `say` end to end against a stand-in service."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from urllib.parse import parse_qs

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bot.slack.client import make_web_client
from sandbox.say import (
    build_block_action,
    build_slash_command,
    encode_form,
    escape_command_text,
    format_say_result,
    send_command,
    send_dm,
    sign_request,
)
from sandbox.slack import DEMO, SlackSandbox
from tests.support.slack import serve_locally

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def verify(body: bytes, headers: dict[str, str]) -> bool:
    return SignatureVerifier(SECRET).is_valid(
        body=body, timestamp=headers["X-Slack-Request-Timestamp"], signature=headers["X-Slack-Signature"]
    )


def test_signature_is_accepted_by_slack_sdk() -> None:
    body = encode_form({"text": "text hello", "team_id": DEMO.team_id})
    headers = sign_request(body, SECRET)
    assert headers["X-Slack-Signature"].startswith("v0=")
    assert verify(body, headers)


def test_altered_body_is_rejected() -> None:
    body = encode_form({"text": "text hello"})
    headers = sign_request(body, SECRET)
    assert not verify(encode_form({"text": "text goodbye"}), headers)


def test_stale_timestamp_is_rejected() -> None:
    body = encode_form({"text": "text hello"})
    assert not verify(body, sign_request(body, SECRET, timestamp=int(time.time()) - 6 * 60))


def test_wrong_secret_is_rejected() -> None:
    body = encode_form({"text": "x"})
    assert not verify(body, sign_request(body, "another-secret"))


def test_slash_command_has_the_fields_slack_sends() -> None:
    fields = build_slash_command(
        "text hello",
        team_id=DEMO.team_id,
        user_id=DEMO.admin,
        channel_id=DEMO.general,
        user_name="ada",
        response_url="http://127.0.0.1:1/_sandbox/response/1",
        trigger_id="1.2.3",
    )
    assert set(fields) == {
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    }
    assert fields["command"] == "/content"
    grid = build_slash_command(
        "help", team_id="T1", user_id="W1", channel_id="C1", user_name="w", response_url="u", enterprise_id="E1"
    )
    assert grid["enterprise_id"] == "E1"


def test_block_action_is_a_form_encoded_payload() -> None:
    form = build_block_action(
        "approve_job",
        "job-42",
        team_id=DEMO.team_id,
        user_id=DEMO.admin,
        channel_id=DEMO.approvals,
        message_ts="1700000000.000100",
        response_url="http://127.0.0.1:1/_sandbox/response/2",
    )
    payload = json.loads(parse_qs(encode_form(form).decode())["payload"][0])
    assert payload["type"] == "block_actions"
    (action,) = payload["actions"]
    assert (action["action_id"], action["value"]) == ("approve_job", "job-42")
    assert payload["container"]["message_ts"] == "1700000000.000100"
    assert payload["user"]["id"] == DEMO.admin
    assert payload["team"]["id"] == DEMO.team_id


def test_command_text_is_escaped_like_slack_does() -> None:
    escaped = escape_command_text(
        "text hi @ada in #general, mail ada@example.com #nowhere",
        users={"ada": "U0ADMIN"},
        channels={"general": "C0GENERAL"},
    )
    assert escaped == "text hi <@U0ADMIN|ada> in <#C0GENERAL|general>, mail ada@example.com #nowhere"


@pytest.fixture
async def service(sb: SlackSandbox) -> AsyncIterator[tuple[str, list[dict[str, list[str]]]]]:
    """A stand-in for the real service: verifies the signature, acks, then answers through the
    response_url and posts to the channel, as the real one does for a text job."""
    received: list[dict[str, list[str]]] = []
    follow_ups: list[asyncio.Task[None]] = []
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)

    async with aiohttp.ClientSession() as session:

        async def follow_up(form: dict[str, list[str]]) -> None:
            async with session.post(form["response_url"][0], json={"text": "Queued job 7"}) as answer:
                assert answer.status == 200
            await client.chat_postMessage(channel=form["channel_id"][0], text="Here is your text")

        async def events(request: web.Request) -> web.Response:
            body = await request.read()
            if not SignatureVerifier(SECRET).is_valid_request(body, dict(request.headers)):
                return web.Response(status=401)
            form = parse_qs(body.decode())
            received.append(form)
            follow_ups.append(asyncio.create_task(follow_up(form)))
            return web.json_response({"response_type": "ephemeral", "text": "Working on it"})

        app = web.Application()
        app.router.add_post("/slack/events", events)
        url, runner = await serve_locally(app)
        try:
            yield url, received
            await asyncio.gather(*follow_ups)
        finally:
            await runner.cleanup()


async def test_say_sends_a_signed_command_and_shows_what_followed(
    sb: SlackSandbox, service: tuple[str, list[dict[str, list[str]]]]
) -> None:
    service_url, received = service
    result = await send_command(
        service_url,
        "text a haiku in #general",
        signing_secret=SECRET,
        sandbox_url=sb.url,
        team_id=DEMO.team_id,
        user_id="ada",
        channel_id="#general",
        wait_seconds=5,
    )
    (form,) = received
    assert form["user_id"] == [DEMO.admin]
    assert form["channel_id"] == [DEMO.general]
    assert form["text"] == [f"text a haiku in <#{DEMO.general}|general>"]
    assert result.status == 200
    assert [r["text"] for r in result.responses] == ["Queued job 7"]
    assert [m["text"] for m in result.messages] == ["Here is your text"]
    assert result.waited_s < 5
    shown = format_say_result(result)
    assert "ack 200" in shown
    assert "Working on it" in shown
    assert "#general" in shown
    assert "Here is your text" in shown


async def test_say_reports_a_refused_signature(sb: SlackSandbox, service: tuple[str, list]) -> None:
    service_url, received = service
    result = await send_command(
        service_url,
        "help",
        signing_secret="wrong",
        sandbox_url=sb.url,
        wait_seconds=1,
    )
    assert result.status == 401
    assert received == []
    assert "ack 401" in format_say_result(result)


async def test_say_dm_writes_to_the_bot_and_shows_the_answer_as_it_streams(sb: SlackSandbox) -> None:
    """A stand-in service answers the DM the way the workers do: status, then a stream."""
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url.rstrip("/"))
    received: list[dict] = []

    async def answer(event: dict) -> None:
        channel, thread = event["channel"], event["ts"]
        await client.assistant_threads_setStatus(channel_id=channel, thread_ts=thread, status="is writing…")
        await asyncio.sleep(0.5)
        started = await client.chat_startStream(channel=channel, thread_ts=thread)
        await client.chat_appendStream(channel=channel, ts=started["ts"], markdown_text="**Steam** rises, ")
        # The rest comes only once `say` has shown the first part on its own: it shows a stream as
        # it grows, not the finished message.
        for _ in range(100):
            if "**Steam** rises," in lines:
                break
            await asyncio.sleep(0.05)
        await client.chat_stopStream(
            channel=channel,
            ts=started["ts"],
            markdown_text="leaves unfold.",
            blocks=[
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "action_id": "feedback_good", "text": {"type": "plain_text", "text": "Good"}}
                    ],
                }
            ],
        )

    async def events(request: web.Request) -> web.Response:
        body = await request.read()
        assert verify(body, dict(request.headers))
        envelope = json.loads(body)
        received.append(envelope)
        asyncio.get_running_loop().create_task(answer(envelope["event"]))
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/slack/events", events)
    url, runner = await serve_locally(app)
    lines: list[str] = []
    try:
        code = await send_dm(
            url,
            "a haiku & <tea>",
            signing_secret=SECRET,
            sandbox_url=sb.url,
            user_id=DEMO.editor,
            wait_seconds=10,
            show=lines.append,
        )
    finally:
        await runner.cleanup()

    assert code == 0
    [envelope] = received
    assert envelope["event"]["channel_type"] == "im" and envelope["event"]["text"] == "a haiku &amp; &lt;tea&gt;"
    assert "[Content Factory is writing…]" in lines
    streamed = [line for line in lines if not line.startswith(("[", ">", "event"))]
    assert streamed[:2] == ["**Steam** rises,", " leaves unfold."]
