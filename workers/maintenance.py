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

from bot.queueing import JobSender
from bot.quota import QuotaService
from bot.runtime import Runtime
from db.system import stale_jobs
from workers import lifecycle
from workers.loop import MAX_ATTEMPTS
from workers.outcomes import finish_failed

log = logging.getLogger(__name__)

# A job still queued this long after its last send was lost on the way to the broker. Longer than
# a healthy queue's wait, shorter than a user's patience; a resend of a job that was merely slow
# is harmless (the claim makes the duplicate a no-op).
OUTBOX_AFTER = timedelta(seconds=30)
SWEEP_LIMIT = 200


@dataclass
class SweepReport:
    resent: list[uuid.UUID] = field(default_factory=list)
    requeued: list[uuid.UUID] = field(default_factory=list)
    failed: list[uuid.UUID] = field(default_factory=list)
    unsent: list[uuid.UUID] = field(default_factory=list)  # the broker refused; tried next sweep


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
    for found in stale:
        if found.state == "queued":
            job = await lifecycle.touch_stale_queued(runtime.database, found.org_id, found.id, now - outbox_after)
            if job is not None:
                await _send(sender, job.id, job.org_id, job.kind, report, report.resent)
            continue
        recovery = await lifecycle.recover_expired_lease(
            runtime.database, found.org_id, found.id, now, max_attempts=max_attempts
        )
        if recovery is None:
            continue
        job = recovery.job
        if recovery.requeued:
            await _send(sender, job.id, job.org_id, job.kind, report, report.requeued)
        else:
            report.failed.append(job.id)
            await finish_failed(
                runtime, quota, job, job.error or "the job was interrupted", tokens_used=job.tokens_used
            )
    return report


async def _send(
    sender: JobSender, job_id: uuid.UUID, org_id: uuid.UUID, kind: str, report: SweepReport, done: list[uuid.UUID]
) -> None:
    try:
        await sender.send_job(job_id, org_id, kind)
    except Exception:
        log.warning("broker unavailable; job %s waits for the next sweep", job_id, exc_info=True)
        report.unsent.append(job_id)
        return
    done.append(job_id)
