"""The aiohttp server: probes, routes per mode, a graceful stop, the sandbox's `say`, the manifest."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis
from aiohttp import web

from bot.guard.learned import detector as learned_detector
from bot.process.runtime import Runtime
from bot.slack.app import BOT_SCOPES
from bot.slack.server import serve
from db.crypto import SecretBox
from db.engine import Database
from sandbox import slack as slack_sandbox
from sandbox.local_services import free_port
from sandbox.say import send_command
from sandbox.slack import SlackSandbox
from tests.support.manifest import load_manifest
from tests.support.slack import (
    SIGNING_SECRET,
    Service,
    ServiceFactory,
    SlackWorkspace,
    make_settings,
    start_service,
    stop_service,
)
from tests.support.waiting import wait_until


async def test_healthz_answers(single: Service) -> None:
    async with single.http.get(f"{single.url}/healthz") as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok"}


async def test_readyz_when_postgres_and_redis_answer(single: Service) -> None:
    async with single.http.get(f"{single.url}/readyz") as response:
        assert response.status == 200
        assert await response.json() == {
            "status": "ready",
            "postgres": "ok",
            "redis": "ok",
            "database_role": "ok",
            "guard": "ok",
        }


async def test_readyz_names_what_is_down(
    single: Service, sandbox: SlackSandbox, workspace: SlackWorkspace, secret_box: SecretBox
) -> None:
    dead_port = free_port()
    dead_db = Database(f"postgresql+asyncpg://nobody:x@127.0.0.1:{dead_port}/nothing")
    dead_redis = aioredis.Redis.from_url(f"redis://127.0.0.1:{dead_port}/0", socket_connect_timeout=0.5)
    for database, redis_client, down in (
        (dead_db, single.runtime.redis, ["postgres"]),
        (single.database, dead_redis, ["redis"]),
        (dead_db, dead_redis, ["postgres", "redis"]),
    ):
        runtime = Runtime(settings=single.runtime.settings, database=database, redis=redis_client, secrets=secret_box)
        service = await start_service(runtime, sandbox, workspace)
        try:
            async with service.http.get(f"{service.url}/readyz") as response:
                assert response.status == 503
                body = await response.json()
            assert body["down"] == down and body["status"] == "unavailable"
            assert all(body[name] == "down" for name in down)
        finally:
            await stop_service(service)
    await dead_db.dispose()
    await dead_redis.aclose()


async def test_readyz_names_a_guard_without_its_model(
    single: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard refuses every prompt when its learned model cannot load; the probe says so."""
    broken = tmp_path / "injection_model.json.gz"
    broken.write_bytes(b"not a model")
    (tmp_path / "injection_model.json.gz.sha256").write_text("0" * 64 + "  injection_model.json.gz\n")
    monkeypatch.setattr(learned_detector, "MODEL_PATH", broken)
    learned_detector.forget_shipped_detector()
    try:
        async with single.http.get(f"{single.url}/readyz") as response:
            assert response.status == 503
            body = await response.json()
        assert body["guard"] == "down" and body["down"] == ["guard"]
        assert body["postgres"] == "ok" and body["redis"] == "ok"
    finally:
        monkeypatch.undo()
        learned_detector.forget_shipped_detector()


async def test_install_routes_exist_only_in_oauth_mode(single: Service, oauth: Service) -> None:
    async with single.http.get(f"{single.url}/slack/install") as response:
        assert response.status == 404
    async with oauth.http.get(f"{oauth.url}/slack/install") as response:
        assert response.status == 200


async def test_say_drives_the_service_through_the_sandbox(single: Service, org: object) -> None:
    ws = single.workspace
    result = await send_command(
        single.url,
        "text a limerick about queues in #approvals",
        signing_secret=SIGNING_SECRET,
        sandbox_url=single.sandbox.url,
        team_id=ws.team_id,
        user_id=ws.editor,
        channel_id=ws.general,
        wait_seconds=0,  # the ack is what this checks; how fast it comes is bench/ack_latency.py's
    )
    assert result.status == 200
    ack = json.loads(result.ack)["text"]
    assert "Working on it — job `" in ack and f"<#{ws.approvals}>" in ack


async def _listening(port: int) -> bool:
    try:
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


async def _wait_listening(port: int) -> None:
    await wait_until(lambda: _listening(port), f"nothing listens on port {port}", seconds=30)


async def test_sigterm_lets_requests_in_flight_finish(
    service_env: dict[str, str], sandbox: SlackSandbox, workspace: SlackWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A first-seen user makes the request call users.info; the sandbox holds that call until the
    # server is waiting for its requests in flight, so the order is certain, not a matter of timing.
    reached, stopping, release = asyncio.Event(), asyncio.Event(), asyncio.Event()
    apply_fault, shutdown = slack_sandbox._apply_fault, web.Server.shutdown

    async def held_users_info(state: Any, call: Any) -> Any:
        if call.method == "users.info":
            reached.set()
            await release.wait()
        return await apply_fault(state, call)

    async def observed_shutdown(server: web.Server, timeout: float | None = None) -> None:  # noqa: ASYNC109
        stopping.set()  # the listener is closed; from here on aiohttp waits for handlers in flight
        await shutdown(server, timeout)

    monkeypatch.setattr(slack_sandbox, "_apply_fault", held_users_info)
    monkeypatch.setattr(web.Server, "shutdown", observed_shutdown)
    settings = make_settings(service_env, sandbox, slack_bot_token=workspace.bot_token)
    runtime = Runtime.from_settings(settings)  # serve() closes it when it returns
    port = free_port()
    server = asyncio.create_task(serve(runtime, port, host="127.0.0.1"))
    url = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        await _wait_listening(port)
        # The SIGTERM below goes to this very process: only once serve() has taken it over.
        assert not server.done()
        service = Service(url, runtime, None, http, sandbox, workspace, None)
        in_flight = asyncio.create_task(service.command("help", user=workspace.viewer))
        await asyncio.wait_for(reached.wait(), 30)

        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(stopping.wait(), 30)
        assert not in_flight.done() and not server.done()
        assert not await _listening(port)  # no new request is taken while stopping
        release.set()

        answer = await in_flight
        await asyncio.wait_for(server, 30)
        assert answer.status == 200
        # In the ack, or (past the ack deadline on a slow machine) through response_url before
        # the server finished stopping: either way the request in flight got its answer.
        late = [r.get("text", "") for r in sandbox.responses(answer.response_url)]
        assert any("Content Factory" in text for text in [answer.text, *late]), (answer.text, late)


def test_manifest_matches_the_code() -> None:
    manifest = load_manifest()
    features, settings = manifest["features"], manifest["settings"]
    (command,) = features["slash_commands"]
    assert command["command"] == "/content" and command["should_escape"] is True
    assert command["url"].endswith("/slack/events")
    assert manifest["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    assert "user" not in manifest["oauth_config"]["scopes"]
    assert manifest["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "app_uninstalled",
        "tokens_revoked",
        "assistant_thread_started",
        "assistant_thread_context_changed",
        "message.im",
        "function_executed",
    }
    assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
    assert settings["interactivity"] == {"is_enabled": True, "request_url": command["url"]}
    assert features["app_home"]["home_tab_enabled"] is True
    # The bot's DM: the Messages tab open for writing, the agent view described, its suggestions
    # within Slack's four.
    assert features["app_home"]["messages_tab_enabled"] is True
    assert features["app_home"]["messages_tab_read_only_enabled"] is False
    agent = features["agent_view"]
    assert agent["agent_description"] and 1 <= len(agent["suggested_prompts"]) <= 4
    assert all(p["title"] and p["message"] for p in agent["suggested_prompts"])
    assert settings["socket_mode_enabled"] is False and settings["token_rotation_enabled"] is False


async def test_single_mode_ignores_empty_oauth_variables(
    monkeypatch: pytest.MonkeyPatch, make_service: ServiceFactory, workspace: SlackWorkspace
) -> None:
    """Bolt turns to OAuth when SLACK_CLIENT_ID/SECRET merely exist; the settings decide, not bolt."""
    monkeypatch.setenv("SLACK_CLIENT_ID", "")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "")
    async with make_service.running(slack_bot_token=workspace.bot_token) as service:
        assert "Content Factory" in (await service.command("help")).text
        assert os.environ["SLACK_CLIENT_ID"] == ""
