"""The span of an incoming request, and what bolt adds to it."""

from __future__ import annotations

import uuid

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

from bot.telemetry import annotate_request, tracing_middleware
from tests.support.telemetry import Telemetry

ORG_ID = uuid.uuid4()


async def slack_events(request: web.Request) -> web.Response:
    body = dict(await request.post())
    context = {"org_id": ORG_ID, "role": "editor", "team_id": body["team_id"], "user_id": body["user_id"]}
    annotate_request(context, body)
    annotate_request(context, subcommand=str(body["text"]).split(" ", 1)[0])
    with trace.get_tracer("tests").start_as_current_span("job.persist"):
        pass
    return web.json_response({"response_type": "ephemeral", "text": "queued"})


async def broken(request: web.Request) -> web.Response:
    raise RuntimeError("boom with jane@example.com")


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def client() -> TestClient:
    app = web.Application(middlewares=[tracing_middleware()])
    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/jobs/{job_id}", broken)
    test_client = TestClient(TestServer(app))
    await test_client.start_server()
    return test_client


COMMAND = {
    "command": "/content",
    "text": "text Write to jane@example.com about the launch",
    "team_id": "T0001",
    "user_id": "U0001",
    "user_name": "jane",
    "response_url": "https://hooks.slack.com/commands/T0001/1/secret",
}


async def test_command_request_is_one_annotated_server_span(telemetry: Telemetry) -> None:
    http = await client()
    try:
        response = await http.post(
            "/slack/events", data=COMMAND, headers={"traceparent": f"00-{'ab' * 16}-{'cd' * 8}-01"}
        )
        assert response.status == 200
    finally:
        await http.close()
    (server,) = [span for span in telemetry.spans() if span.kind is SpanKind.SERVER]
    (child,) = telemetry.spans_named("job.persist")
    assert server.name == "POST /slack/events"
    assert server.parent is None, "a caller's traceparent is not trusted"
    assert child.parent is not None and child.parent.span_id == server.context.span_id
    assert dict(server.attributes or {}) == {
        "http.request.method": "POST",
        "http.route": "/slack/events",
        "url.scheme": "http",
        "http.response.status_code": 200,
        "org.id": str(ORG_ID),
        "org.role": "editor",
        "slack.team_id": "T0001",
        "slack.user_id": "U0001",
        "slack.surface": "command",
        "slack.command": "/content",
        "slack.subcommand": "text",
    }
    (ack,) = [
        p
        for p in telemetry.metric_points("content_factory.ack.duration")
        # This process's series of its own: a test elsewhere in the run may record another (a region's).
        if dict(p.attributes) == {"slack.surface": "command", "slack.subcommand": "text"}
    ]
    assert ack.count >= 1


async def test_errors_and_probes(telemetry: Telemetry) -> None:
    http = await client()
    try:
        assert (await http.get("/healthz")).status == 200
        assert (await http.get("/jobs/0123456789abcdef0123")).status == 500
    finally:
        await http.close()
    (span,) = telemetry.spans()
    assert span.name == "GET /jobs/{job_id}"
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None and span.attributes["error.type"] == "RuntimeError"
    assert span.attributes["http.response.status_code"] == 500
