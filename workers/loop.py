"""One asyncio event loop per worker process, so synchronous Celery tasks can call the async services.

Celery's prefork pool forks its children from the main process. A connection pool, a Redis client
or an event loop made before the fork would be shared by parent and children and corrupt each
other's sockets, so everything here is made lazily and remembered with the pid that made it: a
child that inherits the parent's copies drops them (without closing them, which would close the
parent's sockets too) and builds its own on first use.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Coroutine
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from bot.quota import QuotaService
from bot.runtime import Runtime, get_runtime, set_runtime
from bot.telemetry import instrument_engine
from workers.posting import close_http_session
from workers.providers import TextRouter, image_provider_from_settings
from workers.providers.base import ImageProvider

log = logging.getLogger(__name__)

T = TypeVar("T")

# How long a claimed job stays ours without a heartbeat. A worker renews it every third of it, so
# a job whose worker died goes back to the queue within one lease (plus one beat tick).
DEFAULT_LEASE_SECONDS = 60.0
# Claims of one job, counting redeliveries after a crash and retries after a Slack outage.
MAX_ATTEMPTS = 3


def lease_seconds_from_env() -> float:
    """JOB_LEASE_SECONDS: an operations knob (tests shorten it to watch crash recovery)."""
    raw = os.environ.get("JOB_LEASE_SECONDS", "")
    try:
        value = float(raw) if raw else DEFAULT_LEASE_SECONDS
    except ValueError:
        log.warning("JOB_LEASE_SECONDS=%r is not a number; using %g", raw, DEFAULT_LEASE_SECONDS)
        return DEFAULT_LEASE_SECONDS
    return max(value, 1.0)


@dataclass
class WorkerContext:
    """What a job needs from its process: the runtime, the quota service and the model providers."""

    runtime: Runtime
    quota: QuotaService
    router: TextRouter
    lease_seconds: float = field(default_factory=lease_seconds_from_env)
    max_attempts: int = MAX_ATTEMPTS

    @classmethod
    def from_runtime(cls, runtime: Runtime) -> WorkerContext:
        settings = runtime.settings
        return cls(
            runtime=runtime,
            quota=QuotaService(runtime.redis, runtime.database),
            router=TextRouter.from_settings(settings.gemini_models, settings.gemini_api_key, settings.gemini_base_url),
        )

    @cached_property
    def image_provider(self) -> ImageProvider:
        # Built on the first image job: a diffusion pipeline pulls in torch, which text-only
        # processes never need.
        return image_provider_from_settings(self.runtime.settings.diffusion_model)

    async def aclose(self) -> None:
        await close_http_session()
        await self.router.aclose()
        await self.runtime.close()


_pid: int | None = None
_loop: asyncio.AbstractEventLoop | None = None
_context: WorkerContext | None = None


def _forget_inherited_state() -> None:
    global _pid, _loop, _context
    _pid = os.getpid()
    _loop = None
    _context = None
    set_runtime(None)


def process_loop() -> asyncio.AbstractEventLoop:
    """This process's event loop, made on first use after fork."""
    global _loop
    if _pid != os.getpid():
        _forget_inherited_state()
    if _loop is None or _loop.is_closed():
        _loop = asyncio.new_event_loop()
        asyncio.set_event_loop(_loop)
    return _loop


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run one coroutine to completion on this process's loop (a Celery task body's only way in)."""
    loop = process_loop()
    try:
        return loop.run_until_complete(coroutine)
    except BaseException:
        # Celery's soft time limit raises from a signal handler wherever the loop happens to be;
        # what the interrupted job left scheduled must not run inside the next task.
        _cancel_leftovers(loop)
        raise


def _cancel_leftovers(loop: asyncio.AbstractEventLoop) -> None:
    leftovers = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in leftovers:
        task.cancel()
    if leftovers:
        loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))


def worker_context() -> WorkerContext:
    """This process's runtime and services, built on first use after fork."""
    global _context
    process_loop()
    if _context is None:
        runtime = get_runtime()
        instrument_engine(runtime.database.engine)
        _context = WorkerContext.from_runtime(runtime)
    return _context


def shutdown() -> None:
    """Close this process's pools and loop; a forked child that never ran a task has nothing to close."""
    global _loop, _context
    if _pid != os.getpid() or _loop is None or _loop.is_closed():
        return
    try:
        if _context is not None:
            _loop.run_until_complete(_context.aclose())
    except Exception:
        log.warning("closing the worker's connections failed", exc_info=True)
    finally:
        _context = None
        set_runtime(None)
        _loop.close()
        _loop = None
