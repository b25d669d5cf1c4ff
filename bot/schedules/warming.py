"""The beat's side of cache warming for scheduled posts.

The schedule tick fires runs up to ``SCHEDULE_WARM_LEAD_MINUTES`` ahead (``bot.schedules.runs``):
the job is generated at once (and its approval asked, when one is needed) and held with its
result (``workers.warming``). This module puts every held job back in the queue at its
``post_at``, so the claim that follows posts the stored result on time without a model call.

Each tick looks a little past the next tick for held jobs coming due (one narrow cross-tenant
function, ``db.system.held_jobs``) and starts a timer for each; the timer flips ``held`` ->
``queued`` with a compare-and-set, so two beats, or a timer and an overdue catch-up, queue a job
once and it is posted once. A beat that restarts finds the held jobs again on its first tick and
releases the overdue ones at once.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from bot.jobs.queueing import PRIORITY_INTERACTIVE, JobSender
from db.audit import record_event
from db.engine import Database
from db.models import Job, JobState, Schedule, ScheduleState
from db.system import HeldJob, held_jobs

log = logging.getLogger(__name__)
HELD_BATCH = 1000
# A held job is queued this much before its due time, so that its claim, and the database writes
# of a hundred posts due at once, are done before it; the worker then waits out the rest and posts
# at the due time (``workers.warming``).
RELEASE_AHEAD = timedelta(seconds=3)
# A result due later than this is held; one due sooner is kept by the worker until its due time.
# Longer than RELEASE_AHEAD, so a released job is never held again.
HOLD_LONGER_THAN = timedelta(seconds=10)


@dataclass
class ReleaseReport:
    timed: int = 0  # held jobs given a timer this tick


@dataclass
class HeldPostReleaser:
    """Owns the timers of one beat process; ``look_ahead`` covers the gap to the next tick."""

    database: Database
    sender: JobSender
    look_ahead: timedelta
    _timers: dict[uuid.UUID, asyncio.Task[bool]] = field(default_factory=dict)

    async def schedule_due(self, now: datetime | None = None) -> ReleaseReport:
        now = now or datetime.now(UTC)
        async with self.database.system() as session:
            coming = await held_jobs(session, due_before=now + self.look_ahead, limit=HELD_BATCH)
        report = ReleaseReport()
        for held in coming:
            if held.id in self._timers:
                continue
            task = asyncio.get_running_loop().create_task(self._release_at(held))
            self._timers[held.id] = task
            task.add_done_callback(self._forget)
            report.timed += 1
        return report

    def _forget(self, task: asyncio.Task[bool]) -> None:
        for job_id, timer in list(self._timers.items()):
            if timer is task:
                del self._timers[job_id]

    async def _release_at(self, held: HeldJob) -> bool:
        wait = (held.post_at - RELEASE_AHEAD - datetime.now(UTC)).total_seconds()
        if wait > 0:
            await asyncio.sleep(wait)
        try:
            return await release_held_job(self.database, self.sender, held)
        except Exception:
            # The job stays held; the next tick finds it overdue and tries again.
            log.warning("held job %s: release failed; retried next tick", held.id, exc_info=True)
            return False

    async def wait_for_timers(self) -> None:
        """Until every timer started so far has run (shutdown after the last due post, tests)."""
        await asyncio.gather(*list(self._timers.values()), return_exceptions=True)

    async def close(self) -> None:
        timers = list(self._timers.values())
        for task in timers:
            task.cancel()
        await asyncio.gather(*timers, return_exceptions=True)


async def release_held_job(database: Database, sender: JobSender, held: HeldJob) -> bool:
    """``held`` -> ``queued`` and sent at interactive priority (a post is due now); False when it
    was released already (another beat, an earlier timer), or when its schedule was cancelled
    while it was held (then it is cancelled too: nothing is posted)."""
    async with database.tenant(held.org_id) as session:
        schedule_state = (
            await session.execute(
                select(Schedule.state).join(Job, Job.schedule_id == Schedule.id).where(Job.id == held.id)
            )
        ).scalar_one_or_none()
        cancelled = schedule_state == ScheduleState.CANCELLED
        released = (
            await session.execute(
                update(Job)
                .execution_options(synchronize_session=False)
                .where(Job.id == held.id, Job.state == JobState.HELD)
                .values(state=JobState.CANCELLED if cancelled else JobState.QUEUED, updated_at=func.now())
                .returning(Job.id)
            )
        ).first()
        if released is None:
            return False
        if cancelled:
            await record_event(
                session,
                held.org_id,
                "job.cancelled",
                actor="scheduler",
                job_id=held.id,
                detail={"reason": "its schedule was cancelled before its due time"},
            )
            return False
        await record_event(
            session,
            held.org_id,
            "job.released",
            actor="scheduler",
            job_id=held.id,
            detail={"post_at": held.post_at.isoformat()},
        )
    try:
        await sender.send_job(held.id, held.org_id, held.kind, priority=PRIORITY_INTERACTIVE)
    except Exception:
        # Queued with its result: the outbox sweeper sends it, a little late rather than never.
        log.warning("held job %s: broker unavailable; the sweeper sends it", held.id, exc_info=True)
    return True
