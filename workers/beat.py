"""`content-factory beat`: the periodic work, in a small asyncio process instead of Celery beat.

Celery beat must run exactly once per deployment (two would send every periodic task twice). Each
step here is safe to run twice at the same moment instead, because each one claims its rows with
a compare-and-set (outbox and lease recovery), an exactly-once ledger (the reaper) or
``FOR UPDATE SKIP LOCKED`` (due schedules); so two beat processes are redundancy, not a bug.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
import signal
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.queueing import JobSender
from bot.quota import QuotaService, reap_reservations
from bot.runtime import Runtime, get_runtime
from bot.telemetry import SERVICE_BEAT, instrument_engine, setup_telemetry
from workers.approval import sweep_approvals
from workers.loop import MAX_ATTEMPTS
from workers.maintenance import OUTBOX_AFTER, SweepReport, sweep_jobs
from workers.posting import close_http_session

log = logging.getLogger(__name__)

SCHEDULES_MODULE = "bot.schedules"


@dataclass
class TickReport:
    at: datetime
    sweep: SweepReport | None = None
    reaped: Any = None  # bot.quota's ReapReport
    approvals: Any = None  # bot.approvals' ExpiryReport
    schedules: Any = None  # whatever bot.schedules.tick reports; None when it is not installed
    errors: list[str] = field(default_factory=list)  # steps that failed this tick (tried again next)


async def beat_tick(
    runtime: Runtime,
    now: datetime | None = None,
    *,
    sender: JobSender | None = None,
    quota: QuotaService | None = None,
    outbox_after: timedelta = OUTBOX_AFTER,
    max_attempts: int = MAX_ATTEMPTS,
) -> TickReport:
    """One tick: outbox sweeper, lease recovery, reservation reaper, approval expiry, due
    schedules. A failing step is logged and reported; the others still run."""
    now = now or datetime.now(UTC)
    report = TickReport(at=now)
    quota = quota or QuotaService(runtime.redis, runtime.database)
    own_sender = sender is None
    if sender is None:
        assert runtime.settings.redis_url
        sender = JobSender(runtime.settings.redis_url)
    try:
        try:
            report.sweep = await sweep_jobs(
                runtime, quota, sender, now, outbox_after=outbox_after, max_attempts=max_attempts
            )
        except Exception as error:
            _step_failed(report, "outbox sweep", error)
        try:
            report.reaped = await reap_reservations(quota, runtime.database)
        except Exception as error:
            _step_failed(report, "reservation reaper", error)
        try:
            report.approvals = await sweep_approvals(runtime, now)
        except Exception as error:
            _step_failed(report, "approvals", error)
        try:
            report.schedules = await _schedules_tick(runtime, now)
        except Exception as error:
            _step_failed(report, "schedules", error)
    finally:
        if own_sender:
            sender.close()
    return report


def _step_failed(report: TickReport, step: str, error: Exception) -> None:
    log.warning("beat: %s failed; it runs again next tick", step, exc_info=error)
    report.errors.append(f"{step}: {type(error).__name__}")


async def _schedules_tick(runtime: Runtime, now: datetime) -> Any:
    """Due schedules become jobs in ``bot.schedules``; nothing to do while that is not installed."""
    try:
        module = importlib.import_module(SCHEDULES_MODULE)
    except ModuleNotFoundError as missing:
        if missing.name != SCHEDULES_MODULE:
            raise
        return None
    answer = module.tick(runtime, now)
    return await answer if inspect.isawaitable(answer) else answer


async def beat_forever(runtime: Runtime, tick_seconds: float, stop: asyncio.Event) -> None:
    sender = JobSender(runtime.settings.redis_url or "")
    quota = QuotaService(runtime.redis, runtime.database)
    try:
        while not stop.is_set():
            started = asyncio.get_running_loop().time()
            tick = await beat_tick(runtime, sender=sender, quota=quota)
            _log_tick(tick)
            elapsed = asyncio.get_running_loop().time() - started
            try:
                await asyncio.wait_for(stop.wait(), timeout=max(0.0, tick_seconds - elapsed))
            except TimeoutError:
                pass
    finally:
        sender.close()
        await close_http_session()


def _log_tick(tick: TickReport) -> None:
    sweep = tick.sweep
    if sweep and (sweep.resent or sweep.requeued or sweep.failed or sweep.unsent):
        log.info(
            "beat: resent %d, requeued %d, failed %d, unsent %d",
            len(sweep.resent),
            len(sweep.requeued),
            len(sweep.failed),
            len(sweep.unsent),
        )


async def _main(tick_seconds: float, *, dev: bool) -> None:
    setup_telemetry(SERVICE_BEAT, dev=dev)
    runtime = get_runtime()
    instrument_engine(runtime.database.engine)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    log.info("beat: ticking every %gs", tick_seconds)
    try:
        await beat_forever(runtime, tick_seconds, stop)
    finally:
        await runtime.close()


def run_beat_process(tick_seconds: float, *, dev: bool = False) -> int:
    asyncio.run(_main(tick_seconds, dev=dev))
    return 0
