"""The span of each incoming Slack request, and what bolt adds to it once it knows the tenant.

The server span is started here rather than by opentelemetry-instrumentation-aiohttp-server:
that library swaps ``aiohttp.web.Application`` for a subclass process-wide (so it must run
before the app is built and it traces every application in the process, health probes
included), records the user agent and full URL, and continues any ``traceparent`` a caller
sends, while requests to ``/slack/events`` come from the internet and start their own trace.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import SpanKind, Status, StatusCode

from bot.telemetry.metrics import record_ack_latency, subcommand_label

# Probes arrive every few seconds and say nothing about users' requests.
UNTRACED_PATHS = frozenset({"/healthz", "/readyz"})
SLACK_EVENTS_PATH = "/slack/events"

_tracer = trace.get_tracer("content_factory.web")


def _route(request: web.Request) -> str:
    """The route template, never the raw path (which could hold anything a caller typed)."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


def tracing_middleware() -> Middleware:
    """An aiohttp middleware: one SERVER span per request (a new trace), the ack latency metric
    for ``/slack/events``. Put it first in ``web.Application(middlewares=[...])``."""

    @web.middleware
    async def trace_request(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in UNTRACED_PATHS:
            return await handler(request)
        route = _route(request)
        started = time.perf_counter()
        status_code: int | None = None
        with _tracer.start_as_current_span(
            f"{request.method} {route}",
            # Slack's requests start a trace; an incoming traceparent is not trusted.
            context=Context(),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": request.method, "http.route": route, "url.scheme": request.scheme},
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                response = await handler(request)
                status_code = response.status
                return response
            except web.HTTPException as error:
                status_code = error.status
                raise
            except BaseException as error:
                status_code = 500
                span.set_attribute("error.type", type(error).__name__)
                raise
            finally:
                span.set_attribute("http.response.status_code", status_code or 500)
                if status_code is None or status_code >= 500:
                    span.set_status(Status(StatusCode.ERROR))
                if route == SLACK_EVENTS_PATH:
                    attributes = getattr(span, "attributes", None) or {}
                    record_ack_latency(
                        time.perf_counter() - started,
                        surface=str(attributes.get("slack.surface", "other")),
                        subcommand=attributes.get("slack.subcommand"),
                    )

    return trace_request


def _surface(body: Mapping[str, Any]) -> str:
    if body.get("command"):
        return "command"
    kind = body.get("type")
    if kind in ("block_actions", "view_submission", "view_closed", "shortcut", "message_action"):
        return "action"
    if kind in ("event_callback", "url_verification"):
        return "event"
    return "other"


def annotate_request(
    context: Mapping[str, Any],
    body: Mapping[str, Any] | None = None,
    *,
    subcommand: str | None = None,
) -> None:
    """Put who asked and what kind of request it is on the current span: ids and fixed words only.

    ``context`` is bolt's context after tenancy (``org_id``, ``role``, ``team_id``, ``user_id``);
    ``body`` the request body, for the surface, the slash command and a button's action id.
    A handler calls it again with ``subcommand`` once it has parsed the command text.
    """
    span = trace.get_current_span()
    if not span.is_recording():
        return
    attributes: dict[str, str] = {}
    for key, attribute in (
        ("org_id", "org.id"),
        ("role", "org.role"),
        ("team_id", "slack.team_id"),
        ("enterprise_id", "slack.enterprise_id"),
        ("user_id", "slack.user_id"),
    ):
        value = context.get(key)
        if value:
            attributes[attribute] = str(getattr(value, "value", value))
    if body is not None:
        attributes["slack.surface"] = _surface(body)
        if body.get("command"):
            attributes["slack.command"] = str(body["command"])
        actions = body.get("actions") or []
        if actions and isinstance(actions[0], Mapping) and actions[0].get("action_id"):
            attributes["slack.action_id"] = str(actions[0]["action_id"])
    if subcommand is not None:
        attributes["slack.subcommand"] = subcommand_label(subcommand)
    span.set_attributes(attributes)
