"""One long-lived asyncio event loop per worker process, on a thread of its own, where every job
of the process runs: many model calls wait at once while one loop serves them all.

Celery hands each message to a thread (the threads pool); the thread submits the job's coroutine
to this loop and blocks until it ends, which is what keeps late acknowledgement: a message is
acknowledged only when its job has finished, and a process that dies leaves its messages
unacknowledged for the broker to hand out again. How many jobs run at once is the fair gate's
business (``workers.fair_gate``); the pool has twice as many threads as that, so the process holds
a window of waiting messages to choose from fairly, taken from the organizations' sub-queues in
turn (``bot.jobs.queueing.SUB_QUEUES``).

Why this shape won over the alternatives (measured with bench/in_flight.py, 200 jobs against a
model answering in 2 s, one process): the prefork pool runs one job per process, so in-flight work
costs a ~300 MB process each; an asyncio-native consumer would have to re-implement the broker
contract Celery already keeps (late acks, redelivery, purge, the web side's send_task); the
threads pool handing coroutines to one loop keeps that contract and costs one parked thread per
waiting message.

A process made by fork (the image worker's prefork pool) must not use its parent's loop, Redis
client or connection pool, so everything here is made lazily and remembered with the pid that
made it: a child drops what it inherited (without closing it, which would close the parent's
sockets) and builds its own on first use.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from bot.jobs.queueing import IMAGE_SOFT_LIMIT_SECONDS
from bot.process import event_loop
from bot.process.runtime import Runtime, get_runtime, set_runtime
from bot.process.settings import DEFAULT_JOB_LEASE_SECONDS, DEFAULT_JOB_TIME_LIMIT_SECONDS
from bot.quota import QuotaService
from bot.routing.catalogue import Catalogue, shorthand_catalogue
from bot.routing.latency import LatencyBoard
from bot.telemetry import instrument_engine
from workers.fair_gate import FairGate
from workers.posting import close_http_session
from workers.providers import TextRouter, image_provider_from_settings
from workers.providers.base import ImageProvider
from workers.providers.context_cache import ContextCaches
from workers.providers.images import ImageRouter
from workers.providers.rate_limit import ModelRateLimit

log = logging.getLogger(__name__)

T = TypeVar("T")

# A pooled database connection idle this long is pinged before use; a busy one is not (the ping
# was a sixth of a job's CPU).
PING_IDLE_AFTER_SECONDS = 1.0
# Claims of one job, counting redeliveries after a crash and retries after a Slack outage.
MAX_ATTEMPTS = 3


@dataclass
class WorkerContext:
    """What a job needs from its process: the runtime, the quota service, the model providers and
    the gate that decides which job starts next."""

    runtime: Runtime
    quota: QuotaService
    router: TextRouter
    gate: FairGate
    # The models and their prices (None: the router's own models, unpriced), and each model's
    # moving latency (for ``fastest``).
    catalogue: Catalogue | None = None
    latency: LatencyBoard | None = None
    lease_seconds: float = DEFAULT_JOB_LEASE_SECONDS
    text_time_limit: float = DEFAULT_JOB_TIME_LIMIT_SECONDS
    image_time_limit: float = float(IMAGE_SOFT_LIMIT_SECONDS)
    max_attempts: int = MAX_ATTEMPTS

    @cached_property
    def models(self) -> Catalogue:
        """The catalogue jobs are routed over: the configured one, else the router's own models."""
        return self.catalogue or shorthand_catalogue(self.router.models)

    @classmethod
    def from_runtime(cls, runtime: Runtime, *, jobs_in_flight: int) -> WorkerContext:
        settings = runtime.settings
        rate_limit = None
        if settings.gemini_requests_per_minute or settings.gemini_tokens_per_minute:
            rate_limit = ModelRateLimit(
                runtime.redis,
                requests_per_minute=settings.gemini_requests_per_minute,
                tokens_per_minute=settings.gemini_tokens_per_minute,
            )
        catalogue = settings.catalogue()
        latency = LatencyBoard(runtime.redis, tuple(spec.name for spec in catalogue.of_kind("text")))
        if catalogue.shorthand:
            # GEMINI_MODELS: the one provider and its failover list, exactly as before.
            router = TextRouter.from_settings(
                settings.gemini_models,
                settings.gemini_api_key,
                settings.gemini_base_url,
                rate_limit=rate_limit,
                latency=latency,
            )
        else:
            router = TextRouter.from_catalogue(
                catalogue, rate_limit=catalogue_rate_limit(runtime, catalogue, rate_limit), latency=latency
            )
        return cls(
            runtime=runtime,
            quota=QuotaService(
                runtime.redis, runtime.database, currency=catalogue.currency, key_space=runtime.settings.quota_key_space
            ),
            router=router,
            catalogue=catalogue,
            latency=latency,
            gate=FairGate(jobs_in_flight),
            lease_seconds=settings.job_lease_seconds,
            text_time_limit=settings.job_time_limit_seconds,
        )

    def time_limit(self, kind: str) -> float:
        return self.image_time_limit if kind == "image" else self.text_time_limit

    @cached_property
    def context_caches(self) -> ContextCaches:
        return ContextCaches(self.router.provider, self.runtime.redis, routes=self.router.routes)

    @cached_property
    def image_router(self) -> ImageRouter | None:
        """The catalogue's image models, when it names any; else ``image_provider`` draws."""
        return ImageRouter.from_catalogue(self.models)

    @cached_property
    def image_provider(self) -> ImageProvider:
        # Built on the first image job: a diffusion pipeline pulls in torch, which text-only
        # processes never need.
        return image_provider_from_settings(self.runtime.settings.diffusion_model)

    async def aclose(self) -> None:
        if self.latency is not None:
            await self.latency.aclose()
        await close_http_session()
        await self.router.aclose()
        await self.runtime.close()


def catalogue_rate_limit(
    runtime: Runtime, catalogue: Catalogue, shared: ModelRateLimit | None
) -> ModelRateLimit | None:
    """The catalogue's per-model limits (rpm/tpm), over GEMINI_*_PER_MINUTE for the rest."""
    per_model = {
        spec.name: (spec.requests_per_minute, spec.tokens_per_minute)
        for spec in catalogue.of_kind("text")
        if spec.requests_per_minute or spec.tokens_per_minute
    }
    if not per_model:
        return shared
    limit = shared or ModelRateLimit(runtime.redis)
    limit.per_model.update(per_model)
    return limit


# Jobs in flight per process unless `content-factory worker --concurrency` says otherwise.
DEFAULT_JOBS_IN_FLIGHT = 64
_jobs_in_flight = DEFAULT_JOBS_IN_FLIGHT
_lock = threading.Lock()
_pid: int | None = None
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None
_context: WorkerContext | None = None


def set_jobs_in_flight(count: int) -> None:
    """The gate's capacity for contexts built from now on (set before the pool starts)."""
    global _jobs_in_flight
    _jobs_in_flight = max(1, count)


def _forget_inherited_state() -> None:
    global _pid, _loop, _thread, _context
    _pid = os.getpid()
    _loop = None
    _thread = None
    _context = None
    set_runtime(None)


def process_loop() -> asyncio.AbstractEventLoop:
    """This process's event loop, running on its own thread, made on first use after fork."""
    global _loop, _thread
    with _lock:
        if _pid != os.getpid():
            _forget_inherited_state()
        if _loop is None or _loop.is_closed():
            _loop = event_loop.new_event_loop()
            _thread = threading.Thread(target=_loop.run_forever, name="job-loop", daemon=True)
            _thread.start()
        return _loop


def submit(coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
    return asyncio.run_coroutine_threadsafe(coroutine, process_loop())


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run one coroutine on this process's loop and wait for it (a Celery task body's only way in).
    Interrupted (a prefork pool's soft time limit raises in this thread), the job is cancelled."""
    future = submit(coroutine)
    try:
        return future.result()
    except BaseException:
        future.cancel()
        raise


def worker_context() -> WorkerContext:
    """This process's runtime and services, built on first use after fork."""
    global _context
    process_loop()
    with _lock:
        if _context is None:
            runtime = get_runtime(ping_idle_after=PING_IDLE_AFTER_SECONDS)
            instrument_engine(runtime.database.engine)
            _context = WorkerContext.from_runtime(runtime, jobs_in_flight=_jobs_in_flight)
        return _context


def close_gate() -> None:
    """Warm shutdown: start no more jobs; the ones waiting are handed back to the broker."""
    with _lock:
        loop, context = _loop, _context
    if loop is not None and context is not None and _pid == os.getpid() and not loop.is_closed():
        loop.call_soon_threadsafe(context.gate.close)


def shutdown() -> None:
    """Close this process's pools and stop its loop; a forked child that never ran a task has
    nothing to close."""
    global _loop, _thread, _context
    with _lock:
        loop, thread, context = _loop, _thread, _context
        if _pid != os.getpid() or loop is None or loop.is_closed():
            return
        _loop, _thread, _context = None, None, None
    try:
        if context is not None:
            asyncio.run_coroutine_threadsafe(context.aclose(), loop).result(timeout=30)
    except Exception:
        log.warning("closing the worker's connections failed", exc_info=True)
    finally:
        set_runtime(None)
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=10)
        if not loop.is_running():
            loop.close()
