"""The worker's side of warmed scheduled runs (``bot.schedules.warming`` is the beat's side): a
job generated ahead of its due time is held, not posted, and a failure ahead of time is retried
until the due time instead of being reported at once."""

from __future__ import annotations

from datetime import UTC, datetime

from db.models import Job


def posts_later(job: Job, now: datetime | None = None) -> bool:
    """Whether the job has its result before its due time and must wait for it."""
    return job.post_at is not None and job.post_at > (now or datetime.now(UTC))


def worth_retrying_before_due(job: Job, tokens_used: int | None, now: datetime | None = None) -> bool:
    """A failure that cost nothing, ahead of the due time: queue the job again (the outbox sweeper
    sends it) instead of failing it. At the due time it fails and is reported as any job is; one
    that cost tokens is reported at once, so what it cost is settled as today."""
    return tokens_used is None and posts_later(job, now)
