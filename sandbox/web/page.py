"""The sandbox's web page: a local Slack in the browser, at the sandbox's root.

Routes (all JSON but the page, its static files and the event stream):

- ``GET /``: the page; ``GET /_ui/static/<name>``: its CSS and JavaScript
- ``GET /_ui/workspaces``: workspaces, people and channels
- ``GET /_ui/view?team_id=&user=&channel=``: what that person sees (:func:`snapshot.snapshot`)
- ``GET /_ui/events``: server-sent events, one ``change`` whenever the sandbox received a request
- ``POST /_ui/command`` ``{team_id, user, channel, text}``: the composer
- ``POST /_ui/click`` ``{team_id, user, action_id, value, block_id, channel?, ts?, ephemeral?, view_id?}``
- ``POST /_ui/submit`` ``{team_id, user, view_id, values}``; ``POST /_ui/close`` ``{view_id}``
- ``POST /_ui/home`` ``{team_id, user}``: the person opened the Home tab
- ``GET /_ui/faults``; ``POST /_ui/faults`` ``{name, on}``: the fault panel
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import web

from sandbox.slack import SandboxState
from sandbox.web.faults import FaultError, FaultPanel
from sandbox.web.outages import OutageRequests
from sandbox.web.relay import Relay, RelayError
from sandbox.web.snapshot import snapshot, workspaces

STATIC_FILES = {
    "index.html": "text/html",
    "app.css": "text/css",
    "app.js": "text/javascript",
    "emoji.json": "application/json",
}
# A comment line this often keeps proxies and the browser from closing a quiet stream.
KEEPALIVE_SECONDS = 15.0
# Requests come in bursts (a post, an upload, an update); one event after a short pause covers them.
COALESCE_SECONDS = 0.05
# The page's own scripts and styles only: nothing it renders can load or run anything else.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@dataclass(frozen=True)
class WebUiConfig:
    """Where the page sends what people do. ``service_url`` None: the page only shows."""

    service_url: str | None = None
    signing_secret: str | None = None
    gemini_url: str | None = None
    outages_dir: Path | None = None


class Changes:
    """Wakes every open event stream when the sandbox changes."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Event] = set()
        self.closing = False

    async def close(self, app: web.Application) -> None:
        """Ends every stream, so that stopping the sandbox does not wait for open pages."""
        self.closing = True
        self.notify()

    def notify(self) -> None:
        for waiter in self._waiters:
            waiter.set()

    @contextlib.contextmanager
    def subscription(self) -> Any:
        event = asyncio.Event()
        self._waiters.add(event)
        try:
            yield event
        finally:
            self._waiters.discard(event)


@dataclass
class WebUi:
    state: SandboxState
    config: WebUiConfig
    relay: Relay | None
    faults: FaultPanel
    changes: Changes


WEB_UI = web.AppKey("sandbox_web_ui", WebUi)


def add_web_ui(app: web.Application, state: SandboxState, config: WebUiConfig) -> None:
    """Serve the page for ``state`` on ``app`` (that state's app from :func:`sandbox.slack.create_app`)."""
    relay = None
    if config.service_url and config.signing_secret:
        relay = Relay(state, config.service_url, config.signing_secret)
    outages = OutageRequests(config.outages_dir) if config.outages_dir is not None else None
    changes = Changes()
    state.on_change(changes.notify)
    app.on_shutdown.append(changes.close)
    app[WEB_UI] = WebUi(state, config, relay, FaultPanel(state, config.gemini_url, outages), changes)
    app.router.add_get("/", index)
    app.router.add_get("/_ui/static/{name}", static_file)
    app.router.add_get("/favicon.ico", no_icon)
    app.router.add_get("/_ui/workspaces", list_workspaces)
    app.router.add_get("/_ui/view", view)
    app.router.add_get("/_ui/events", events)
    app.router.add_post("/_ui/command", command)
    app.router.add_post("/_ui/click", click)
    app.router.add_post("/_ui/submit", submit)
    app.router.add_post("/_ui/close", close)
    app.router.add_post("/_ui/home", home)
    app.router.add_post("/_ui/dm_thread", dm_thread)
    app.router.add_get("/_ui/faults", list_faults)
    app.router.add_post("/_ui/faults", turn_fault)


def _static(name: str) -> bytes:
    return resources.files("sandbox.web").joinpath("static", name).read_bytes()


async def index(request: web.Request) -> web.Response:
    return await static_file(request, "index.html")


async def static_file(request: web.Request, name: str | None = None) -> web.Response:
    name = name or request.match_info["name"]
    if name not in STATIC_FILES:
        raise web.HTTPNotFound()
    return web.Response(
        body=_static(name),
        content_type=STATIC_FILES[name],
        charset="utf-8",
        headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-store"},
    )


async def no_icon(request: web.Request) -> web.Response:
    return web.Response(status=204)


def _ui(request: web.Request) -> WebUi:
    return request.app[WEB_UI]


def _relay(request: web.Request) -> Relay:
    relay = _ui(request).relay
    if relay is None:
        raise web.HTTPConflict(
            text=json.dumps({"ok": False, "error": "this sandbox knows no service to send to"}),
            content_type="application/json",
        )
    return relay


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise web.HTTPBadRequest(text="body must be JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="body must be a JSON object")
    return body


Handler = Callable[[web.Request], Awaitable[web.Response]]


def _refusals_answered(handler: Handler) -> Handler:
    """The handler, with what the relay or the fault panel refused (a person not in a channel, an
    unknown switch) answered as a 400 the page shows, rather than a server error."""

    @functools.wraps(handler)
    async def answering(request: web.Request) -> web.Response:
        try:
            return await handler(request)
        except (RelayError, FaultError) as error:
            return web.json_response({"ok": False, "error": str(error)}, status=400)

    return answering


async def list_workspaces(request: web.Request) -> web.Response:
    ui = _ui(request)
    return web.json_response({"ok": True, "workspaces": workspaces(ui.state), "can_send": ui.relay is not None})


async def view(request: web.Request) -> web.Response:
    ui, query = _ui(request), request.query
    shown = snapshot(ui.state, ui.relay, query.get("team_id", ""), query.get("user", ""), query.get("channel", ""))
    return web.json_response({"ok": True, **shown})


async def events(request: web.Request) -> web.StreamResponse:
    ui = _ui(request)
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )
    await response.prepare(request)
    sent = 0
    with ui.changes.subscription() as changed:
        await response.write(b"retry: 1000\nevent: change\ndata: 0\n\n")
        while True:
            try:
                await asyncio.wait_for(changed.wait(), timeout=KEEPALIVE_SECONDS)
            except TimeoutError:
                try:
                    await response.write(b": keepalive\n\n")
                except ConnectionError:
                    break
                continue
            if ui.changes.closing:
                break
            await asyncio.sleep(COALESCE_SECONDS)
            changed.clear()
            sent += 1
            try:
                await response.write(f"event: change\ndata: {sent}\n\n".encode())
            except ConnectionError:
                break
    return response


@_refusals_answered
async def command(request: web.Request) -> web.Response:
    body = await _body(request)
    await _relay(request).command(
        str(body.get("team_id")), str(body.get("user")), str(body.get("channel")), str(body.get("text") or "")
    )
    return web.json_response({"ok": True})


@_refusals_answered
async def click(request: web.Request) -> web.Response:
    body = await _body(request)
    await _relay(request).click(
        str(body.get("team_id")),
        str(body.get("user")),
        action_id=str(body.get("action_id") or ""),
        value=str(body.get("value") or ""),
        block_id=str(body.get("block_id") or ""),
        channel_id=body.get("channel"),
        message_ts=body.get("ts"),
        ephemeral=bool(body.get("ephemeral")),
        view_id=body.get("view_id"),
    )
    return web.json_response({"ok": True})


@_refusals_answered
async def submit(request: web.Request) -> web.Response:
    body = await _body(request)
    raw_values = body.get("values")
    values: dict[Any, Any] = raw_values if isinstance(raw_values, dict) else {}
    errors = await _relay(request).submit(
        str(body.get("team_id")),
        str(body.get("user")),
        str(body.get("view_id")),
        {str(b): {str(a): str(v) for a, v in (acts or {}).items()} for b, acts in values.items()},
    )
    return web.json_response({"ok": True, "errors": errors})


async def close(request: web.Request) -> web.Response:
    body = await _body(request)
    _relay(request).close(str(body.get("view_id")))
    return web.json_response({"ok": True})


@_refusals_answered
async def home(request: web.Request) -> web.Response:
    body = await _body(request)
    await _relay(request).open_home(str(body.get("team_id")), str(body.get("user")))
    return web.json_response({"ok": True})


@_refusals_answered
async def dm_thread(request: web.Request) -> web.Response:
    body = await _body(request)
    thread_ts = await _relay(request).open_dm_thread(str(body.get("team_id")), str(body.get("user")))
    return web.json_response({"ok": True, "thread_ts": thread_ts})


async def list_faults(request: web.Request) -> web.Response:
    return web.json_response({"ok": True, "switches": _ui(request).faults.switches()})


@_refusals_answered
async def turn_fault(request: web.Request) -> web.Response:
    body = await _body(request)
    await _ui(request).faults.turn(str(body.get("name")), bool(body.get("on")))
    return web.json_response({"ok": True, "switches": _ui(request).faults.switches()})
