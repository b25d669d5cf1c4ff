"""`content-factory beat`: the periodic work, in a small asyncio process instead of Celery beat.

Celery beat must run exactly once per deployment (two would send every periodic task twice). Each
step here is safe to run twice at the same moment instead, because each one claims its rows with
a compare-and-set (outbox and lease recovery), an exactly-once ledger (the reaper) or
``FOR UPDATE SKIP LOCKED`` (due schedules); so two beat processes are redundancy, not a bug.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from bot.approvals.service import ExpiryReport
from bot.jobs.queueing import JobSender
from bot.process.runtime import Runtime, get_runtime
from bot.process.stopping import stop_on_signals
from bot.quota import QuotaService, ReapReport, reap_reservations
from bot.result_cache.pregeneration import PopularImagePregeneration, PregenerationReport
from bot.schedules import ScheduleTickReport
from bot.schedules import tick as schedules_tick
from bot.schedules.warming import HeldPostReleaser, ReleaseReport
from bot.telemetry import SERVICE_BEAT, instrument_engine, setup_telemetry
from bot.workflows.sweeper import WorkflowSweepReport, sweep_workflow_steps
from db.audit import ChainHead, chain_head
from db.system import list_org_ids, purge_oauth_states
from workers.approval import sweep_approvals
from workers.loop import MAX_ATTEMPTS
from workers.maintenance import OUTBOX_AFTER, SweepReport, sweep_jobs
from workers.posting import close_http_session

log = logging.getLogger(__name__)
T = TypeVar("T")

OAUTH_STATE_BATCH = 1000
AUDIT_HEAD_INTERVAL = timedelta(hours=1)


@dataclass
class TickReport:
    at: datetime
    sweep: SweepReport | None = None
    reaped: ReapReport | None = None
    approvals: ExpiryReport | None = None
    schedules: ScheduleTickReport | None = None
    held_posts: ReleaseReport | None = None
    pregenerated: PregenerationReport | None = None
    oauth_states_purged: int | None = None
    workflow_steps: WorkflowSweepReport | None = None
    audit_heads: dict[uuid.UUID, ChainHead] | None = None  # logged this tick (hourly)
    errors: list[str] = field(default_factory=list)  # steps that failed this tick (tried again next)

    def summary(self) -> str:
        parts = []
        if self.sweep is not None:
            sweep = self.sweep
            parts.append(
                f"resent {len(sweep.resent)}, requeued {len(sweep.requeued)}, failed {len(sweep.failed)}, "
                f"unsent {len(sweep.unsent)}"
            )
        parts.extend(f"{error} failed" for error in self.errors)
        return "; ".join(parts) or "nothing to do"


async def beat_tick(
    runtime: Runtime,
    now: datetime | None = None,
    *,
    sender: JobSender | None = None,
    quota: QuotaService | None = None,
    outbox_after: timedelta = OUTBOX_AFTER,
    max_attempts: int = MAX_ATTEMPTS,
    anchor: AuditHeadAnchor | None = None,
    releaser: HeldPostReleaser | None = None,
    pregeneration: PopularImagePregeneration | None = None,
) -> TickReport:
    """One tick: outbox sweeper, lease recovery, reservation reaper, approval expiry, due
    schedules, OAuth state purge, and (given ``anchor``, hourly) the audit chain heads; given
    ``pregeneration``, popular image prompts pre-generated off-peak. A failing step is logged and
    reported; the others still run."""
    now = now or datetime.now(UTC)
    report = TickReport(at=now)
    quota = quota or QuotaService(runtime.redis, runtime.database, key_space=runtime.settings.quota_key_space)
    own_sender = sender is None
    if sender is None:
        assert runtime.settings.redis_url
        sender = JobSender(runtime.settings.redis_url, region=runtime.settings.region)
    try:
        report.sweep = await _step(
            report,
            "outbox sweep",
            sweep_jobs(runtime, quota, sender, now, outbox_after=outbox_after, max_attempts=max_attempts),
        )
        report.reaped = await _step(report, "reservation reaper", reap_reservations(quota, runtime.database))
        report.approvals = await _step(report, "approvals", sweep_approvals(runtime, now))
        settings = runtime.settings
        lead = timedelta(minutes=settings.schedule_warm_lead_minutes)
        image_lead = timedelta(minutes=settings.schedule_image_warm_lead_minutes)
        report.schedules = await _step(
            report,
            "schedules",
            schedules_tick(runtime, now, sender=sender, quota=quota, lead=lead, image_lead=image_lead),
        )
        if releaser is not None:
            report.held_posts = await _step(report, "held posts", releaser.schedule_due(now))
        if pregeneration is not None:
            report.pregenerated = await _step(
                report, "pre-generation", pregeneration.run_if_due(runtime, now, sender=sender, quota=quota)
            )
        report.oauth_states_purged = await _step(report, "oauth states", purge_abandoned_oauth_states(runtime, now))
        report.workflow_steps = await _step(report, "workflow steps", sweep_workflow_steps(runtime, now))
        if anchor is not None:
            report.audit_heads = await _step(report, "audit heads", anchor.log_if_due(runtime, now))
    finally:
        if own_sender:
            sender.close()
    return report


async def purge_abandoned_oauth_states(runtime: Runtime, now: datetime) -> int:
    """Install attempts nobody finished leave their OAuth state behind, expired and unusable; the
    application role cannot see those rows (RLS), so a SECURITY DEFINER function deletes them."""
    async with runtime.database.system() as session:
        return await purge_oauth_states(session, expired_before=now, limit=OAUTH_STATE_BATCH)


@dataclass
class AuditHeadAnchor:
    """Logs the head (newest event number and hash) of every organization's audit chain once an
    interval. A log collector keeps what the database's owner cannot rewrite; an operator checks
    a kept head with ``content-factory audit verify --org ORG --head SEQ:HASH``."""

    interval: timedelta = AUDIT_HEAD_INTERVAL
    last: datetime | None = None

    async def log_if_due(self, runtime: Runtime, now: datetime) -> dict[uuid.UUID, ChainHead] | None:
        if self.last is not None and now - self.last < self.interval:
            return None
        heads = await audit_heads(runtime)
        for org_id, head in heads.items():
            log.info("audit head: org %s head %s", org_id, head)
        self.last = now
        return heads


async def audit_heads(runtime: Runtime) -> dict[uuid.UUID, ChainHead]:
    async with runtime.database.system() as session:
        org_ids = await list_org_ids(session)
    heads: dict[uuid.UUID, ChainHead] = {}
    for org_id in org_ids:
        async with runtime.database.tenant(org_id) as session:
            head = await chain_head(session, org_id)
        if head is not None:
            heads[org_id] = head
    return heads


async def _step(report: TickReport, name: str, work: Awaitable[T]) -> T | None:
    try:
        return await work
    except Exception as error:
        log.warning("beat: %s failed; it runs again next tick", name, exc_info=error)
        report.errors.append(f"{name}: {type(error).__name__}")
        return None


async def beat_forever(runtime: Runtime, tick_seconds: float, stop: asyncio.Event) -> None:
    sender = JobSender(runtime.settings.redis_url or "", region=runtime.settings.region)
    quota = QuotaService(runtime.redis, runtime.database, key_space=runtime.settings.quota_key_space)
    anchor = AuditHeadAnchor()
    pregeneration = PopularImagePregeneration()
    # Timers for held posts reach past the next tick, so a late tick never makes a post late.
    releaser = HeldPostReleaser(runtime.database, sender, look_ahead=timedelta(seconds=2 * tick_seconds + 5))
    try:
        while not stop.is_set():
            started = asyncio.get_running_loop().time()
            tick = await beat_tick(
                runtime, sender=sender, quota=quota, anchor=anchor, releaser=releaser, pregeneration=pregeneration
            )
            _log_tick(tick)
            elapsed = asyncio.get_running_loop().time() - started
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=max(0.0, tick_seconds - elapsed))
    finally:
        await releaser.close()
        sender.close()
        await close_http_session()


def _log_tick(tick: TickReport) -> None:
    sweep = tick.sweep
    if tick.errors or (sweep and (sweep.resent or sweep.requeued or sweep.failed or sweep.unsent)):
        log.info("beat: %s", tick.summary())


async def _main(tick_seconds: float, *, dev: bool) -> None:
    setup_telemetry(SERVICE_BEAT, dev=dev)
    runtime = get_runtime()
    instrument_engine(runtime.database.engine)
    stop = stop_on_signals()
    log.info("beat: ticking every %gs", tick_seconds)
    try:
        await beat_forever(runtime, tick_seconds, stop)
    finally:
        await runtime.close()


def run_beat_process(tick_seconds: float, *, dev: bool = False) -> int:
    asyncio.run(_main(tick_seconds, dev=dev))
    return 0
