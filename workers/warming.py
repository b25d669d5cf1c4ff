"""The worker's side of warmed scheduled runs (``bot.schedules.warming`` is the beat's side): a
job generated well ahead of its due time is held, not posted; one a few seconds from it (released
by the beat a little early) is posted when its due time comes; and a failure ahead of time is
retried until the due time instead of being reported at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.schedules.warming import HOLD_LONGER_THAN
from db.models import Job


def posts_later(job: Job, now: datetime | None = None) -> bool:
    """Whether the job has its result well before its due time and must be held until then."""
    return job.post_at is not None and job.post_at - (now or datetime.now(UTC)) > HOLD_LONGER_THAN


async def wait_until_due(job: Job) -> None:
    """Keep a result due in a few seconds until its due time: it is posted then, not earlier."""
    if job.post_at is None:
        return
    wait = (job.post_at - datetime.now(UTC)).total_seconds()
    if wait > 0:
        await asyncio.sleep(wait)


def worth_retrying_before_due(job: Job, tokens_used: int | None, now: datetime | None = None) -> bool:
    """A failure that cost nothing, ahead of the due time: queue the job again (the outbox sweeper
    sends it) instead of failing it. At the due time it fails and is reported as any job is; one
    that cost tokens is reported at once, so what it cost is settled as today."""
    return tokens_used is None and posts_later(job, now)
