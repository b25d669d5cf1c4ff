"""Workflow Builder steps in the sandbox follow Slack's rules: one completion per execution, by the
execution's own token, with the outputs its function declares; the event has Slack's shape."""

from __future__ import annotations

import json

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.errors import SlackApiError

from bot.slack.client import RetryPolicy, make_web_client
from bot.workflows import STEP_CALLBACK_ID
from sandbox.functions import FunctionExecution, deliver_event, event_envelope
from sandbox.slack import APP_ID, DEMO, SECOND_DEMO, SlackSandbox
from tests.support.manifest import load_manifest
from tests.support.slack import serve_locally
from tests.support.workflows import declare_functions

NO_RETRIES = RetryPolicy(rate_limit=0, server_error=0, connection_error=0)


def start(sb: SlackSandbox, team_id: str = DEMO.team_id) -> FunctionExecution:
    declare_functions(sb)
    return sb.execute_function(team_id, STEP_CALLBACK_ID, {"prompt": "tea", "channel": DEMO.general})


async def refusal(call: object) -> str:
    with pytest.raises(SlackApiError) as refused:
        await call
    return str(refused.value.response["error"])


async def test_a_step_completes_once_and_a_second_completion_is_refused(sb: SlackSandbox) -> None:
    execution = start(sb)
    client = make_web_client(execution.token, base_url=sb.api_url, retries=NO_RETRIES)
    await client.functions_completeSuccess(function_execution_id=execution.id, outputs={"job_id": "j1"})
    assert (execution.state, execution.outputs) == ("completed", {"job_id": "j1"})
    for again in (
        client.functions_completeSuccess(function_execution_id=execution.id, outputs={"job_id": "j2"}),
        client.functions_completeError(function_execution_id=execution.id, error="late"),
    ):
        assert await refusal(again) == "execution_not_in_running_state"
    assert execution.outputs == {"job_id": "j1"} and execution.error is None


async def test_an_unknown_execution_or_another_workspaces_is_not_found(sb: SlackSandbox) -> None:
    sb.seed_demo(SECOND_DEMO)
    ours, theirs = start(sb), start(sb, SECOND_DEMO.team_id)
    client = make_web_client(ours.token, base_url=sb.api_url, retries=NO_RETRIES)
    assert await refusal(client.functions_completeError(function_execution_id="Fx0SNEVER", error="x")) == (
        "function_execution_not_found"
    )
    assert await refusal(client.functions_completeError(function_execution_id=theirs.id, error="x")) == (
        "function_execution_not_found"
    )
    assert theirs.state == "running"


async def test_only_the_executions_own_token_may_complete_it(sb: SlackSandbox) -> None:
    execution, other = start(sb), start(sb)
    for token in (DEMO.bot_token, other.token):
        client = make_web_client(token, base_url=sb.api_url, retries=NO_RETRIES)
        assert await refusal(client.functions_completeError(function_execution_id=execution.id, error="x")) == (
            "access_denied"
        )
    stranger = make_web_client("xwfp-0-forged", base_url=sb.api_url, retries=NO_RETRIES)
    assert await refusal(stranger.functions_completeError(function_execution_id=execution.id, error="x")) == (
        "invalid_auth"
    )
    assert execution.state == "running"


@pytest.mark.parametrize(
    "outputs", [{}, {"text": "no job id"}, {"job_id": "j", "colour": "red"}], ids=["none", "no job_id", "undeclared"]
)
async def test_outputs_must_match_the_functions_declaration(sb: SlackSandbox, outputs: dict[str, str]) -> None:
    execution = start(sb)
    client = make_web_client(execution.token, base_url=sb.api_url, retries=NO_RETRIES)
    call = client.functions_completeSuccess(function_execution_id=execution.id, outputs=outputs)
    assert await refusal(call) == "parameter_validation_failed"
    assert execution.state == "running"


async def test_a_failure_needs_its_message(sb: SlackSandbox) -> None:
    execution = start(sb)
    client = make_web_client(execution.token, base_url=sb.api_url, retries=NO_RETRIES)
    assert await refusal(client.functions_completeError(function_execution_id=execution.id, error=" ")) == (
        "invalid_arguments"
    )


def test_an_undeclared_function_cannot_run(sb: SlackSandbox) -> None:
    declare_functions(sb)
    with pytest.raises(Exception, match="function_not_found"):
        sb.execute_function(DEMO.team_id, "summon_dragon", {})


async def test_the_event_is_delivered_signed_in_slacks_shape_and_redelivered_with_its_retry_headers(
    sb: SlackSandbox,
) -> None:
    execution = start(sb)
    received: list[tuple[dict[str, str], dict[str, object]]] = []

    async def events(request: web.Request) -> web.Response:
        received.append((dict(request.headers), json.loads(await request.read())))
        return web.Response(text="")

    app = web.Application()
    app.router.add_post("/slack/events", events)
    url, runner = await serve_locally(app)
    try:
        envelope = event_envelope(execution, app_id=APP_ID)
        await deliver_event(f"{url}/slack/events", envelope, signing_secret="s3cret")
        await deliver_event(f"{url}/slack/events", envelope, signing_secret="s3cret", retry_num=1)
    finally:
        await runner.cleanup()
    (first_headers, first), (again_headers, again) = received
    assert first == again and first["type"] == "event_callback" and first["team_id"] == DEMO.team_id
    event = first["event"]
    assert isinstance(event, dict) and event["type"] == "function_executed"
    assert event["function_execution_id"] == execution.id and event["bot_access_token"] == execution.token
    assert event["function"]["callback_id"] == STEP_CALLBACK_ID
    assert {p["name"] for p in event["function"]["input_parameters"]} == {"prompt", "kind", "channel", "user"}
    assert first_headers["X-Slack-Signature"].startswith("v0=") and "X-Slack-Retry-Num" not in first_headers
    assert again_headers["X-Slack-Retry-Num"] == "1"


async def test_another_process_declares_runs_and_reads_steps_over_http(sb: SlackSandbox) -> None:
    manifest = load_manifest()
    received: list[dict[str, object]] = []

    async def events(request: web.Request) -> web.Response:
        received.append(json.loads(await request.read()))
        return web.Response(text="")

    app = web.Application()
    app.router.add_post("/slack/events", events)
    url, runner = await serve_locally(app)
    try:
        async with aiohttp.ClientSession(base_url=sb.url) as http:
            async with http.post("/_sandbox/functions", json={"functions": manifest["functions"]}) as declared:
                assert (await declared.json())["functions"] == [STEP_CALLBACK_ID]
            run = {
                "team_id": DEMO.team_id,
                "callback_id": STEP_CALLBACK_ID,
                "inputs": {"prompt": "tea"},
                "deliver_to": f"{url}/slack/events",
                "signing_secret": "s3cret",
            }
            async with http.post("/_sandbox/functions/executions", json=run) as started:
                answer = await started.json()
            execution = answer["execution"]
            assert answer["status"] == 200 and execution["state"] == "running"
            client = make_web_client(execution["token"], base_url=sb.api_url, retries=NO_RETRIES)
            await client.functions_completeError(function_execution_id=execution["id"], error="no tea today")
            async with http.get("/_sandbox/functions/executions") as listed:
                [seen] = (await listed.json())["executions"]
            async with http.post("/_sandbox/functions/executions", json={**run, "callback_id": "nope"}) as unknown:
                assert unknown.status == 400
    finally:
        await runner.cleanup()
    assert [event["event"]["function_execution_id"] for event in received] == [execution["id"]]
    assert (seen["state"], seen["error"], seen["completions"]) == ("failed", "no tea today", ["ok"])
