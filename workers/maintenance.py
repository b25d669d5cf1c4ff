"""Making lost work whole: the outbox sweeper, lease recovery and the quota reaper.

The web side commits a ``queued`` job and sends its task afterwards; a broker outage or a crash
between the two leaves a job nobody will run. A worker that dies mid-job leaves one ``running``
with a lease nobody renews. Both are found through ``db.system.stale_jobs`` (the one cross-tenant
look-up) and then handled under each job's own tenant session with a compare-and-set, so two
sweepers running at once (two beat processes, or beat and the maintenance task) send each job once.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.jobs.queueing import PRIORITY_BACKGROUND, PRIORITY_INTERACTIVE, JobSender
from bot.process.runtime import Runtime
from bot.process.sweeping import sweep_each
from bot.quota import QuotaService
from db.models import Job
from db.system import StaleJob, stale_jobs
from workers import lifecycle
from workers.loop import MAX_ATTEMPTS
from workers.outcomes import finish_failed

log = logging.getLogger(__name__)

# A job still queued this long after its last send is taken for lost on the way to the broker.
# Longer than a healthy queue's wait, shorter than a user's patience. A job that was merely waiting
# in a backlog gets a duplicate message (one per OUTBOX_AFTER at most, since the resend restarts
# its clock), which its claim turns into a no-op: a backlog of several minutes costs a few wasted
# claims per job, so raise this where queues are routinely that long.
OUTBOX_AFTER = timedelta(seconds=30)
SWEEP_LIMIT = 200


@dataclass
class SweepReport:
    resent: list[uuid.UUID] = field(default_factory=list)
    requeued: list[uuid.UUID] = field(default_factory=list)
    failed: list[uuid.UUID] = field(default_factory=list)
    unsent: list[uuid.UUID] = field(default_factory=list)  # the broker refused; tried next sweep
    skipped: list[uuid.UUID] = field(default_factory=list)  # an error; tried next sweep


async def sweep_jobs(
    runtime: Runtime,
    quota: QuotaService,
    sender: JobSender,
    now: datetime,
    *,
    outbox_after: timedelta = OUTBOX_AFTER,
    max_attempts: int = MAX_ATTEMPTS,
    limit: int = SWEEP_LIMIT,
) -> SweepReport:
    """Re-send jobs left ``queued``; requeue (or fail, past ``max_attempts``) jobs whose lease ran out."""
    report = SweepReport()
    async with runtime.database.system() as session:
        stale = await stale_jobs(session, queued_before=now - outbox_after, now=now, limit=limit)
    await sweep_each(
        stale,
        lambda found: _sweep_one(runtime, quota, sender, found, now, outbox_after, max_attempts, report),
        key=lambda found: found.id,
        skipped=report.skipped,
        log=log,
        what="sweeper: job",
    )
    return report


async def _sweep_one(
    runtime: Runtime,
    quota: QuotaService,
    sender: JobSender,
    found: StaleJob,
    now: datetime,
    outbox_after: timedelta,
    max_attempts: int,
    report: SweepReport,
) -> None:
    if found.state == "queued":
        job = await lifecycle.touch_stale_queued(runtime.database, found.org_id, found.id, now - outbox_after)
        if job is not None:
            await _send(sender, job, report, report.resent)
        return
    recovery = await lifecycle.recover_expired_lease(
        runtime.database, found.org_id, found.id, now, max_attempts=max_attempts
    )
    if recovery is None:
        return
    job = recovery.job
    if recovery.requeued:
        await _send(sender, job, report, report.requeued)
    else:
        report.failed.append(job.id)
        await finish_failed(runtime, quota, job, job.error or "the job was interrupted", tokens_used=job.tokens_used)


async def _send(sender: JobSender, job: Job, report: SweepReport, done: list[uuid.UUID]) -> None:
    # A re-sent job keeps its place in line: a scheduled run stays behind people's commands.
    priority = PRIORITY_BACKGROUND if job.schedule_id is not None else PRIORITY_INTERACTIVE
    try:
        await sender.send_job(job.id, job.org_id, job.kind, priority=priority)
    except Exception:
        log.warning("broker unavailable; job %s waits for the next sweep", job.id, exc_info=True)
        report.unsent.append(job.id)
        return
    done.append(job.id)
