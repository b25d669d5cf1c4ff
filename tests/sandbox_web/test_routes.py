"""The page's server side without a browser or a service: what each person is shown, the static
files, live updates and the Slack faults of the panel."""

from __future__ import annotations

import ast
import asyncio
import functools
import json
import re
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bot.slack.client import make_web_client
from sandbox.gemini import FakeGemini
from sandbox.slack import DEMO, DEMOS, SECOND_DEMO, SlackSandbox
from sandbox.web import WebUiConfig, add_web_ui
from sandbox.web.faults import MODEL_SLOW_SECONDS
from sandbox.web.outages import OutageRequests, OutageSwitch
from tests.support.slack import serve_locally


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[SlackSandbox]:
    sandbox = SlackSandbox()
    sandbox.extensions.append(functools.partial(add_web_ui, config=WebUiConfig(outages_dir=tmp_path)))
    async with sandbox:
        for demo in DEMOS:
            sandbox.seed_demo(demo)
        yield sandbox


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield session


async def _post(http: aiohttp.ClientSession, sandbox: SlackSandbox, token: str, channel: str, text: str) -> int:
    async with http.post(
        f"{sandbox.api_url}chat.postMessage",
        json={"channel": channel, "text": text},
        headers={"Authorization": f"Bearer {token}"},
    ) as response:
        return response.status


async def _view(http: aiohttp.ClientSession, sandbox: SlackSandbox, team: str, user: str, channel: str) -> dict:
    params = {"team_id": team, "user": user, "channel": channel}
    async with http.get(f"{sandbox.url}/_ui/view", params=params) as response:
        return await response.json()


async def test_a_person_sees_only_their_own_workspaces_channels(
    sandbox: SlackSandbox, http: aiohttp.ClientSession
) -> None:
    assert await _post(http, sandbox, DEMO.bot_token, DEMO.general, "first workspace only") == 200
    own = await _view(http, sandbox, DEMO.team_id, DEMO.viewer, DEMO.general)
    assert [m["text"] for m in own["messages"]] == ["first workspace only"]
    # Another workspace's person, even asking for this channel by id, sees nothing of it.
    for user in (SECOND_DEMO.admin, SECOND_DEMO.viewer):
        other = await _view(http, sandbox, SECOND_DEMO.team_id, user, DEMO.general)
        assert other["messages"] == [] and other["channel_id"] is None
    # Nor does someone claiming the workspace of a person who is not in it.
    claimed = await _view(http, sandbox, DEMO.team_id, SECOND_DEMO.admin, DEMO.general)
    assert claimed["messages"] == []
    # A private channel shows only to its members.
    assert await _post(http, sandbox, DEMO.bot_token, DEMO.approvals, "for approvers") == 200
    assert (await _view(http, sandbox, DEMO.team_id, DEMO.admin, DEMO.approvals))["messages"]
    assert (await _view(http, sandbox, DEMO.team_id, DEMO.viewer, DEMO.approvals))["messages"] == []


async def test_ephemeral_messages_show_to_their_person_only(sandbox: SlackSandbox, http: aiohttp.ClientSession) -> None:
    async with http.post(
        f"{sandbox.api_url}chat.postEphemeral",
        json={"channel": DEMO.general, "user": DEMO.viewer, "text": "just for vera"},
        headers={"Authorization": f"Bearer {DEMO.bot_token}"},
    ) as response:
        assert (await response.json())["ok"]
    mine = await _view(http, sandbox, DEMO.team_id, DEMO.viewer, DEMO.general)
    assert [(m["text"], m.get("ephemeral")) for m in mine["messages"]] == [("just for vera", True)]
    assert (await _view(http, sandbox, DEMO.team_id, DEMO.editor, DEMO.general))["messages"] == []


async def test_a_channels_thread_replies_are_folded_under_their_parent_and_a_broadcast_shows_in_both(
    sandbox: SlackSandbox, http: aiohttp.ClientSession
) -> None:
    client = make_web_client(DEMO.bot_token, base_url=sandbox.api_url.rstrip("/"))
    parent = (await client.chat_postMessage(channel=DEMO.general, text="parent"))["ts"]
    await client.chat_postMessage(channel=DEMO.general, thread_ts=parent, text="in the thread")
    await client.chat_postMessage(channel=DEMO.general, thread_ts=parent, text="also here", reply_broadcast=True)
    await client.chat_postMessage(channel=DEMO.general, thread_ts="1.000001", text="its parent is gone")
    view = await _view(http, sandbox, DEMO.team_id, DEMO.editor, DEMO.general)
    assert [m["text"] for m in view["messages"]] == ["parent", "also here", "its parent is gone"]
    head = view["messages"][0]
    assert [(r["text"], r["reply_broadcast"]) for r in head["replies"]] == [
        ("in the thread", False),
        ("also here", True),
    ]
    assert view["messages"][1]["reply_broadcast"] is True and view["messages"][1]["thread_ts"] == parent


def test_the_emoji_table_covers_every_shortcode_the_app_writes() -> None:
    table = json.loads(resources.files("sandbox.web").joinpath("static", "emoji.json").read_text())
    assert all(isinstance(v, str) and v and "<" not in v for v in table.values())
    used = _shortcodes_in_app_strings()
    assert {"thumbsup", "thumbsdown", "white_check_mark", "warning"} <= used  # the scan finds them
    assert used - table.keys() == set()


def _shortcodes_in_app_strings() -> set[str]:
    """The ``:name:`` shortcodes in the string literals (not docstrings) of the app's code."""
    root = Path(__file__).resolve().parents[2]
    found: set[str] = set()
    for folder in ("bot", "handlers", "workers"):
        for path in (root / folder).rglob("*.py"):
            tree = ast.parse(path.read_text())
            docstrings = {
                id(node.body[0].value)
                for node in ast.walk(tree)
                if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                and node.body
                and isinstance(node.body[0], ast.Expr)
                and isinstance(node.body[0].value, ast.Constant)
            }
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                    found.update(re.findall(r"(?<![\w:]):([a-z0-9_+-]+):(?![\w:])", node.value))
    return found


async def test_the_page_is_served_with_a_policy_that_runs_only_its_own_script(
    sandbox: SlackSandbox, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{sandbox.url}/") as response:
        assert response.status == 200
        assert "app.js" in await response.text()
        policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    for name in ("app.js", "app.css", "emoji.json"):
        async with http.get(f"{sandbox.url}/_ui/static/{name}") as response:
            assert response.status == 200
    async with http.get(f"{sandbox.url}/_ui/static/..%2Fpage.py") as response:
        assert response.status == 404
    # Without a service to send to, the composer is refused rather than silently dropped.
    async with http.post(
        f"{sandbox.url}/_ui/command", json={"team_id": DEMO.team_id, "user": DEMO.editor, "text": "/content help"}
    ) as response:
        assert response.status == 409


async def test_every_request_the_sandbox_receives_is_announced_on_the_event_stream(
    sandbox: SlackSandbox, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{sandbox.url}/_ui/events") as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        first = await stream.content.readuntil(b"\n\n")
        assert b"event: change" in first
        await _post(http, sandbox, DEMO.bot_token, DEMO.general, "news")
        announced = await asyncio.wait_for(stream.content.readuntil(b"\n\n"), timeout=5)
        assert b"event: change" in announced


async def test_the_rate_limit_switch_makes_slack_answer_429_until_it_is_turned_off(
    sandbox: SlackSandbox, http: aiohttp.ClientSession
) -> None:
    async with http.post(f"{sandbox.url}/_ui/faults", json={"name": "slack_rate_limited", "on": True}) as response:
        switches = {s["name"]: s for s in (await response.json())["switches"]}
    assert switches["slack_rate_limited"]["on"]
    # Without the fake model or embedded servers, those switches say why they cannot work.
    assert not switches["model_slow"]["available"] and switches["model_slow"]["note"]
    assert not switches["postgres_down"]["available"]
    assert await _post(http, sandbox, DEMO.bot_token, DEMO.general, "held back") == 429
    assert await _post(http, sandbox, DEMO.bot_token, DEMO.general, "held back again") == 429
    async with http.post(f"{sandbox.url}/_ui/faults", json={"name": "slack_rate_limited", "on": False}) as response:
        assert response.status == 200
    assert await _post(http, sandbox, DEMO.bot_token, DEMO.general, "through") == 200
    async with http.post(f"{sandbox.url}/_ui/faults", json={"name": "postgres_down", "on": True}) as response:
        assert response.status == 400


async def test_the_model_switches_slow_down_or_break_the_fake_model_until_turned_off(
    http: aiohttp.ClientSession,
) -> None:
    async with FakeGemini(api_key="panel-key") as gemini:
        sandbox = SlackSandbox()
        sandbox.extensions.append(functools.partial(add_web_ui, config=WebUiConfig(gemini_url=gemini.url)))
        async with sandbox:
            for name in ("model_failing", "model_slow"):
                async with http.post(f"{sandbox.url}/_ui/faults", json={"name": name, "on": True}) as response:
                    switches = {s["name"]: s for s in (await response.json())["switches"]}
                assert switches[name]["available"] and switches[name]["on"]
            faults = {(f.status, f.delay, f.count) for f in gemini.pending_faults}
            assert faults == {(None, MODEL_SLOW_SECONDS, None), (503, 0.0, None)}
            async with http.post(f"{sandbox.url}/_ui/faults", json={"name": "model_slow", "on": False}) as response:
                assert response.status == 200
            assert [(f.status, f.count) for f in gemini.pending_faults] == [(503, None)]
            async with http.post(f"{sandbox.url}/_ui/faults", json={"name": "model_failing", "on": False}) as response:
                assert response.status == 200
            assert gemini.pending_faults == []


class _Server:
    def __init__(self) -> None:
        self.running = True

    def start(self) -> str:
        self.running = True
        return "started"

    def stop(self) -> None:
        self.running = False


def test_an_outage_asked_for_on_the_page_is_applied_by_the_process_that_owns_the_server(tmp_path: Path) -> None:
    redis = _Server()
    switch = OutageSwitch(tmp_path, {"redis": redis})
    requests = OutageRequests(tmp_path)
    assert requests.status()["redis"] == {"embedded": True, "down": False, "wanted": False}
    assert requests.status()["postgres"]["embedded"] is False
    requests.request("redis", True)
    switch.apply()
    assert not redis.running and requests.status()["redis"]["down"]
    requests.request("redis", False)
    switch.apply()
    assert redis.running and not requests.status()["redis"]["down"]
    requests.request("redis", True)
    switch.apply()
    switch.restore()
    assert redis.running


async def test_the_dm_relays_signed_events_and_shows_the_threads_status_and_stream(tmp_path: Path) -> None:
    """Opening the bot's DM starts an agent thread, a typed message goes to the service as a signed
    ``message.im`` event in it, and the snapshot shows the thread's status and a stream in progress."""
    secret = "dm-relay-secret"
    received: list[dict] = []

    async def events(request: web.Request) -> web.Response:
        body = await request.read()
        assert SignatureVerifier(secret).is_valid(
            body=body,
            timestamp=request.headers["X-Slack-Request-Timestamp"],
            signature=request.headers["X-Slack-Signature"],
        )
        received.append(json.loads(body))
        return web.Response(status=200)

    service = web.Application()
    service.router.add_post("/slack/events", events)
    service_url, runner = await serve_locally(service)
    sandbox = SlackSandbox()
    config = WebUiConfig(service_url=service_url, signing_secret=secret, outages_dir=tmp_path)
    sandbox.extensions.append(functools.partial(add_web_ui, config=config))
    try:
        async with sandbox, aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            sandbox.seed_demo(DEMO)
            dm = f"D{DEMO.editor[1:]}"
            async with http.post(
                f"{sandbox.url}/_ui/dm_thread", json={"team_id": DEMO.team_id, "user": DEMO.editor}
            ) as r:
                thread_ts = (await r.json())["thread_ts"]
            typed = {"team_id": DEMO.team_id, "user": DEMO.editor, "channel": dm, "text": "a haiku <b>"}
            async with http.post(f"{sandbox.url}/_ui/command", json=typed) as r:
                assert (await r.json())["ok"] is True

            started, message = received[0]["event"], received[1]["event"]
            assert started["type"] == "assistant_thread_started"
            assert started["assistant_thread"]["thread_ts"] == thread_ts
            assert (message["channel_type"], message["channel"], message["thread_ts"]) == ("im", dm, thread_ts)
            assert message["text"] == "a haiku &lt;b&gt;"

            client = make_web_client(DEMO.bot_token, base_url=sandbox.api_url.rstrip("/"))
            await client.assistant_threads_setStatus(channel_id=dm, thread_ts=thread_ts, status="is generating…")
            shown = await _view(http, sandbox, DEMO.team_id, DEMO.editor, dm)
            assert {"thread_ts": thread_ts, "status": "is generating…"}.items() <= shown["threads"][0].items()
            stream = await client.chat_startStream(channel=dm, thread_ts=thread_ts)
            await client.chat_appendStream(channel=dm, ts=stream["ts"], markdown_text="Steam rises")
            shown = await _view(http, sandbox, DEMO.team_id, DEMO.editor, dm)
            [streaming] = [m for m in shown["messages"] if m["ts"] == stream["ts"]]
            assert streaming["streaming"] is True and streaming["text"] == "Steam rises"
            assert "status" not in shown["threads"][0]  # Slack clears it once the app replies
            # Another person never sees this DM.
            other = await _view(http, sandbox, DEMO.team_id, DEMO.viewer, dm)
            assert other["messages"] == [] and other["channel_id"] is None
    finally:
        await runner.cleanup()
