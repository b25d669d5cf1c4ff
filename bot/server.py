"""The aiohttp server: Slack's endpoints, health probes, and a graceful stop.

``POST /slack/events`` (commands, actions, events; bolt verifies the signature first),
``GET /slack/install`` and ``GET /slack/oauth_redirect`` (OAuth mode), ``GET /healthz`` (the
process answers) and ``GET /readyz`` (PostgreSQL and Redis answer and the guard's learned model
is loaded; 503 naming what is down).

On SIGTERM or SIGINT the server stops accepting connections, lets requests in flight finish,
waits for answers still on their way to a response_url, then closes its resources.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.app import create_bolt_app, services_of
from bot.guard.learned.detector import shipped_detector_problem
from bot.runtime import Runtime
from bot.socket_mode import create_socket_mode_handler
from bot.telemetry.web import tracing_middleware
from handlers.actions import drain_announcements

log = logging.getLogger(__name__)

BOLT_APP = web.AppKey("bolt_app", AsyncApp)
RUNTIME = web.AppKey("runtime", Runtime)
# How long a stop waits for requests in flight, and then for late answers to response_urls.
SHUTDOWN_GRACE_SECONDS = 10.0
PROBE_TIMEOUT_SECONDS = 2.0
# Slack's payloads are small; a large body is not Slack's.
MAX_BODY_BYTES = 1024 * 1024


def create_web_app(runtime: Runtime, *, app: AsyncApp | None = None) -> web.Application:
    bolt = app if app is not None else create_bolt_app(runtime)
    web_app = web.Application(middlewares=[tracing_middleware()], client_max_size=MAX_BODY_BYTES)
    web_app[BOLT_APP] = bolt
    web_app[RUNTIME] = runtime
    web_app.router.add_post("/slack/events", slack_events)
    web_app.router.add_get("/slack/install", slack_install)
    web_app.router.add_get("/slack/oauth_redirect", slack_oauth_redirect)
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/readyz", readyz)
    web_app.on_startup.append(_warm_up_services)
    web_app.on_cleanup.append(_finish_services)
    return web_app


async def slack_events(request: web.Request) -> web.Response:
    bolt = request.app[BOLT_APP]
    response = await bolt.async_dispatch(await to_bolt_request(request))
    return await to_aiohttp_response(response)


async def slack_install(request: web.Request) -> web.Response:
    flow = request.app[BOLT_APP].oauth_flow
    if flow is None:
        raise web.HTTPNotFound(text="This app is installed with a bot token; there is nothing to install here.")
    return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))


async def slack_oauth_redirect(request: web.Request) -> web.Response:
    flow = request.app[BOLT_APP].oauth_flow
    if flow is None:
        raise web.HTTPNotFound()
    return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    postgres, redis = await asyncio.gather(
        _probe(runtime.database.ping()),
        _probe(runtime.redis.ping()),
    )
    # Without its learned model the guard refuses every prompt (fails closed): not ready.
    guard = "ok" if await asyncio.to_thread(shipped_detector_problem) is None else "down"
    checks = {"postgres": postgres, "redis": redis, "guard": guard}
    ready = all(state == "ok" for state in checks.values())
    down = [name for name, state in checks.items() if state != "ok"]
    body = {"status": "ready" if ready else "unavailable", **checks}
    if down:
        body["down"] = down
    return web.json_response(body, status=200 if ready else 503)


async def _probe(check: Awaitable[object]) -> str:
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
            await check
    except Exception as error:
        log.warning("readiness probe failed: %s", type(error).__name__)
        return "down"
    return "ok"


async def _warm_up_services(web_app: web.Application) -> None:
    services = services_of(web_app[BOLT_APP])
    if services is not None:
        await services.warm_up()


async def _finish_services(web_app: web.Application) -> None:
    """After the last request: wait for late answers, then stop the enqueue thread pool."""
    services = services_of(web_app[BOLT_APP])
    if services is None:
        return
    await services.watchdog.drain(SHUTDOWN_GRACE_SECONDS)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(SHUTDOWN_GRACE_SECONDS):
            await drain_announcements()
    await services.close()


async def serve(runtime: Runtime, port: int, *, host: str = "0.0.0.0") -> None:
    """Run until SIGTERM or SIGINT; then finish what is in flight and return."""
    bolt = create_bolt_app(runtime)
    runner = web.AppRunner(create_web_app(runtime, app=bolt), access_log=None, shutdown_timeout=SHUTDOWN_GRACE_SECONDS)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    socket_handler = None
    if runtime.settings.slack_app_token:
        socket_handler = create_socket_mode_handler(bolt, runtime.settings)
        await socket_handler.connect_async()
    log.info("serving on %s:%d (%s)", host, port, "Socket Mode" if socket_handler else "HTTP")
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    try:
        await stopping.wait()
        log.info("stopping: finishing requests in flight")
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(ValueError, RuntimeError):
                loop.remove_signal_handler(signum)
        if socket_handler is not None:
            await socket_handler.close_async()
        await runner.cleanup()
        await runtime.close()
