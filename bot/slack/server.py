"""The aiohttp server: Slack's endpoints, health probes, and a graceful stop.

``POST /slack/events`` (commands, actions, events; bolt verifies the signature first),
``GET /slack/install`` and ``GET /slack/oauth_redirect`` (OAuth mode), all three only when
SLACK_SIGNING_SECRET is set (Socket Mode works without it), ``GET /healthz`` (the
process answers) and ``GET /readyz`` (PostgreSQL and Redis answer, the database role is one Row-Level Security
holds for, and the guard's learned model is loaded; 503 naming what is down or unsafe).

A request to ``/slack/events`` is dated back by the time it waited before its handler started
(``bot.slack.request_wait``), so the ack watchdog's deadline counts from its real arrival; a signed
slash command that waited longer than WEB_MAX_REQUEST_WAIT_SECONDS, or reaches an overloaded
process, is answered "busy" before bolt reads it.

On SIGTERM or SIGINT the server stops accepting connections, lets requests in flight finish,
waits for answers still on their way to a response_url and for jobs still being sent to the
broker, then closes its resources. Under ``serve --workers`` (``bot.slack.web_workers``) it serves on a
listening socket its parent bound, tells the parent when it is ready, and stops when the parent
is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import socket
from collections.abc import AsyncIterator, Awaitable

from aiohttp import web
from opentelemetry import trace
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.guard.learned.detector import shipped_detector_problem
from bot.process.event_loop import loop_kind
from bot.process.runtime import Runtime
from bot.process.settings import ConfigError
from bot.process.stopping import STOP_SIGNALS, stop_on_signals
from bot.slack.ack_watchdog import ARRIVED_AT
from bot.slack.app import create_bolt_app, create_region_router, services_of
from bot.slack.directory_changes import DirectoryChanges
from bot.slack.early_answers import busy_answer, is_slash_command, signed_by_slack
from bot.slack.region_directory import RegionRouter
from bot.slack.request_wait import SignedAgeWindow, waited_seconds
from bot.slack.socket_mode import create_socket_mode_handler
from bot.slack.web_workers import LISTEN_BACKLOG
from bot.telemetry.metrics import REGION_ATTRIBUTE, tag_request_region
from bot.telemetry.web import tracing_middleware
from handlers.actions import drain_announcements

log = logging.getLogger(__name__)

BOLT_APP = web.AppKey("bolt_app", AsyncApp)
RUNTIME = web.AppKey("runtime", Runtime)
# With REGIONS: every region's app, and the directory that picks one per request.
ROUTER = web.AppKey("region_router", RegionRouter)
DIRECTORY_CHANGES = web.AppKey("directory_changes", DirectoryChanges)
# The ages of recent requests' signatures: what tells a late request from a clock ahead of Slack's.
SIGNED_AGES = web.AppKey("signed_ages", SignedAgeWindow)
SLACK_TIMESTAMP = "X-Slack-Request-Timestamp"
# How long start-up waits to hear the directory's changes before serving without its cache.
DIRECTORY_LISTEN_WAIT_SECONDS = 5.0
# How long a stop waits for requests in flight, and then for late answers to response_urls.
SHUTDOWN_GRACE_SECONDS = 10.0
PROBE_TIMEOUT_SECONDS = 2.0
# Slack's payloads are small; a large body is not Slack's.
MAX_BODY_BYTES = 1024 * 1024


def create_web_app(
    runtime: Runtime, *, app: AsyncApp | None = None, router: RegionRouter | None = None
) -> web.Application:
    """``router``: with REGIONS, each request is handled by its team's region's app (``runtime`` is
    the default region's)."""
    if router is not None:
        bolt = router.home_app
    else:
        bolt = app if app is not None else create_bolt_app(runtime)
    web_app = web.Application(middlewares=[tracing_middleware()], client_max_size=MAX_BODY_BYTES)
    web_app[BOLT_APP] = bolt
    web_app[RUNTIME] = runtime
    web_app[SIGNED_AGES] = SignedAgeWindow()
    if router is not None:
        web_app[ROUTER] = router
        web_app.cleanup_ctx.append(_follow_directory_changes)
    if runtime.settings.slack_signing_secret:
        # Without a secret (Socket Mode needs none) no HTTP request could be told from a forgery:
        # older slack-sdk releases even accept any signature made with the empty secret.
        web_app.router.add_post("/slack/events", slack_events)
        web_app.router.add_get("/slack/install", slack_install)
        web_app.router.add_get("/slack/oauth_redirect", slack_oauth_redirect)
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/readyz", readyz)
    web_app.on_startup.append(_warm_up_services)
    web_app.on_cleanup.append(_finish_services)
    return web_app


async def slack_events(request: web.Request) -> web.Response:
    # Slack's 3 s count from when it sent the request: the time it already waited in this
    # machine's queues counts against the ack's deadline, and may be reason to turn it away.
    waited = _waited(request)
    ARRIVED_AT.set(asyncio.get_running_loop().time() - waited)
    home = bolt = request.app[BOLT_APP]
    busy = await _turned_away_early(home, request, waited)
    if busy is not None:
        return busy
    bolt_request = await to_bolt_request(request)
    router = request.app.get(ROUTER)
    if router is not None:
        # Once per request, before any database: from here on only the region's app runs.
        region, bolt = await router.app_for(bolt_request)
        trace.get_current_span().set_attribute(REGION_ATTRIBUTE, region)
        tag_request_region(region)
        if bolt is not home:  # its own pending limit
            busy = await _turned_away_early(bolt, request, waited)
            if busy is not None:
                return busy
    response = await bolt.async_dispatch(bolt_request)
    return await to_aiohttp_response(response)


def _waited(request: web.Request) -> float:
    """How long the request had waited before this handler started (``bot.slack.request_wait``)."""
    transport = request.transport
    connection = transport.get_extra_info("socket") if transport is not None else None
    return waited_seconds(connection, request.headers.get(SLACK_TIMESTAMP), request.app[SIGNED_AGES])


async def _turned_away_early(bolt: AsyncApp, request: web.Request, waited: float) -> web.Response | None:
    """A signed slash command is answered "busy" here, before bolt's parsing, middleware and
    tenancy, when the process is overloaded or the command has already waited too long.

    Under a flood, turning a command away has to cost far less than serving one, or the commands
    waiting to be turned away are the ones that miss Slack's 3 s. And a command that waited in
    the queues is turned away rather than served late: each one turned away at once shortens the
    wait of those behind it, so the queue drains instead of every command in it running late."""
    services = services_of(bolt)
    if services is None:
        return None
    settings = services.runtime.settings
    if waited <= settings.web_max_request_wait_seconds and not services.watchdog.overloaded():
        return None
    body = await request.read()
    if not is_slash_command(body):
        return None
    if not signed_by_slack(body, request.headers, settings.slack_signing_secret):
        return None  # bolt answers it as usual (a forgery: 401)
    services.watchdog.turned_away(waited)
    return busy_answer()


async def slack_install(request: web.Request) -> web.Response:
    bolt = request.app[BOLT_APP]
    router = request.app.get(ROUTER)
    if router is not None and bolt.oauth_flow is not None:
        region = request.query.get("region")
        if region is None:
            return web.Response(text=router.install_page(), content_type="text/html")
        if region not in router.apps:
            raise web.HTTPNotFound(text=f"There is no region {region!r} here.")
        bolt = router.apps[region]
    flow = bolt.oauth_flow
    if flow is None:
        raise web.HTTPNotFound(text="This app is installed with a bot token; there is nothing to install here.")
    return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))


async def slack_oauth_redirect(request: web.Request) -> web.Response:
    router = request.app.get(ROUTER)
    bolt = router.app_for_state(request.query.get("state")) if router is not None else request.app[BOLT_APP]
    flow = bolt.oauth_flow
    if flow is None:
        raise web.HTTPNotFound()
    return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))


async def healthz(request: web.Request) -> web.Response:
    # Which of the `serve --workers` processes answered (a probe may want to know; a test does).
    return web.json_response({"status": "ok"}, headers={"Server-Process": str(os.getpid())})


async def readyz(request: web.Request) -> web.Response:
    runtimes = _runtimes(request.app)
    regions = dict(zip(runtimes, await asyncio.gather(*map(_region_checks, runtimes.values())), strict=True))
    # Without its learned model the guard refuses every prompt (fails closed): not ready.
    guard = "ok" if await asyncio.to_thread(shipped_detector_problem) is None else "down"
    (_home, (home_checks, _)), *others = regions.items()
    checks = {**home_checks, "guard": guard}
    down = [name for name, state in checks.items() if state == "down"]
    # With REGIONS every region's own PostgreSQL, Redis and role are checked: one down is not ready.
    down += [f"{name}.{check}" for name, (each, _) in others for check, state in each.items() if state == "down"]
    unsafe = next((problem for _, problem in regions.values() if problem), None)
    ready = guard == "ok" and all(state == "ok" for each, _ in regions.values() for state in each.values())
    body: dict[str, object] = {"status": "ready" if ready else "unavailable", **checks}
    if request.app.get(ROUTER) is not None:
        body["regions"] = {name: each for name, (each, _) in regions.items()}
    if down:
        body["down"] = down
    if unsafe:
        body["unsafe"] = unsafe
    return web.json_response(body, status=200 if ready else 503)


def _runtimes(web_app: web.Application) -> dict[str, Runtime]:
    """Each region's runtime, the default region's first (the one runtime without REGIONS)."""
    router = web_app.get(ROUTER)
    home = web_app[RUNTIME]
    if router is None:
        return {home.settings.process_region: home}
    runtimes = {router.home: home}
    for name, app in router.apps.items():
        services = services_of(app)
        if services is not None and name not in runtimes:
            runtimes[name] = services.runtime
    return runtimes


async def _region_checks(runtime: Runtime) -> tuple[dict[str, str], str | None]:
    (postgres, unsafe), redis = await asyncio.gather(_probe_database(runtime), _probe(runtime.redis.ping()))
    # A role Row-Level Security does not hold for serves no tenant safely: not ready.
    role = "unchecked" if postgres != "ok" else ("unsafe" if unsafe else "ok")
    return {"postgres": postgres, "redis": redis, "database_role": role}, unsafe


async def _probe_database(runtime: Runtime) -> tuple[str, str | None]:
    """PostgreSQL's state, and what is unsafe about the role it is reached as (None: nothing)."""
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
            safety = await runtime.database.inspect_role()
    except Exception as error:
        log.warning("readiness probe failed: %s", type(error).__name__)
        return "down", None
    if safety.problem:
        log.error("not ready: %s", safety.problem)
    return "ok", safety.problem


async def _probe(check: Awaitable[object]) -> str:
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
            await check
    except Exception as error:
        log.warning("readiness probe failed: %s", type(error).__name__)
        return "down"
    return "ok"


def _all_apps(web_app: web.Application) -> list[AsyncApp]:
    router = web_app.get(ROUTER)
    return list(router.apps.values()) if router is not None else [web_app[BOLT_APP]]


async def _warm_up_services(web_app: web.Application) -> None:
    for app in _all_apps(web_app):
        services = services_of(app)
        if services is not None:
            await services.warm_up()


async def _follow_directory_changes(web_app: web.Application) -> AsyncIterator[None]:
    changes = DirectoryChanges(web_app[ROUTER].directory, web_app[RUNTIME].database.url)
    web_app[DIRECTORY_CHANGES] = changes
    await changes.start()
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(DIRECTORY_LISTEN_WAIT_SECONDS):
            await changes.wait_listening()
    if not changes.listening:
        log.warning("serving before the region directory's changes are heard: no directory cache until then")
    yield
    await changes.stop()


async def _finish_services(web_app: web.Application) -> None:
    for app in _all_apps(web_app):
        await _finish_app_services(app)


async def _finish_app_services(app: AsyncApp) -> None:
    """After the last request: wait for late answers, then stop the enqueue thread pool."""
    services = services_of(app)
    if services is None:
        return
    await services.watchdog.drain(SHUTDOWN_GRACE_SECONDS)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(SHUTDOWN_GRACE_SECONDS):
            await drain_announcements()
    if services.jobs.background is not None:
        await services.jobs.background.drain(SHUTDOWN_GRACE_SECONDS)
    await services.close()


async def serve(
    runtime: Runtime,
    port: int,
    *,
    host: str = "0.0.0.0",
    listen_socket: socket.socket | None = None,
    ready_fd: int | None = None,
) -> None:
    """Run until SIGTERM or SIGINT; then finish what is in flight and return.

    ``listen_socket`` and ``ready_fd`` come from a ``serve --workers`` parent: serve on its socket,
    write one byte to ``ready_fd`` once serving, and stop when the parent is gone."""
    settings = runtime.settings
    runtimes = {settings.process_region: runtime}
    router: RegionRouter | None = None
    if settings.regional:
        if settings.slack_app_token:
            raise ConfigError("SLACK_APP_TOKEN: Socket Mode serves one region; with REGIONS serve Slack over HTTP")
        home = settings.home_region
        runtimes = {home: runtime if settings.process_region == home else Runtime.for_web(settings.for_region(home))}
        for name in settings.region_map():
            if name not in runtimes:
                runtimes[name] = Runtime.for_web(settings.for_region(name))
        router = create_region_router(runtimes, home)
        bolt = router.home_app
    else:
        bolt = create_bolt_app(runtime)
    runner = web.AppRunner(
        create_web_app(runtimes[next(iter(runtimes))], app=bolt, router=router),
        access_log=None,
        shutdown_timeout=SHUTDOWN_GRACE_SECONDS,
    )
    await runner.setup()
    if listen_socket is not None:
        # aiohttp listens again on the socket it is given, with its own backlog unless told ours.
        site = web.SockSite(runner, listen_socket, shutdown_timeout=SHUTDOWN_GRACE_SECONDS, backlog=LISTEN_BACKLOG)
        await site.start()
    else:
        await web.TCPSite(runner, host, port, backlog=LISTEN_BACKLOG).start()
    socket_handler = None
    if runtime.settings.slack_app_token:
        socket_handler = create_socket_mode_handler(bolt, runtime.settings)
        await socket_handler.connect_async()
    log.info("serving on %s:%d (%s, %s)", host, port, "Socket Mode" if socket_handler else "HTTP", loop_kind())
    stopping = stop_on_signals()
    loop = asyncio.get_running_loop()
    if ready_fd is not None:
        # The parent restarts the set on SIGHUP; a hangup sent to the whole group must not stop us.
        loop.add_signal_handler(signal.SIGHUP, lambda: None)
        try:
            os.write(ready_fd, b"1")
        except BrokenPipeError:  # the parent is gone already
            stopping.set()
        os.close(ready_fd)
        if not _stop_with_parent():
            stopping.set()
    try:
        await stopping.wait()
        log.info("stopping: finishing requests in flight")
    finally:
        for signum in (*STOP_SIGNALS, signal.SIGHUP):
            with contextlib.suppress(ValueError, RuntimeError):
                loop.remove_signal_handler(signum)
        if socket_handler is not None:
            await socket_handler.close_async()
        await runner.cleanup()
        for each in {id(r): r for r in (runtime, *runtimes.values())}.values():
            await each.close()


_PR_SET_PDEATHSIG = 1


def _stop_with_parent() -> bool:
    """Ask Linux for a SIGTERM when the parent dies (so no web process outlives a killed parent);
    False when the parent is gone already."""
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    return os.getppid() == parent
