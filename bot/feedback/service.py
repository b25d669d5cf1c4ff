"""Recording and reading feedback on results, in the organization's own tenant session.

Nothing in a click is trusted: the job id is looked up under Row-Level Security (a job of another
organization is simply not there), the rating is one of two words, and a reason is cut to its
limit and has its personal data masked before it is stored (``bot.guard.executor.mask_off_loop``).
A second click by the same person changes their verdict; it never adds a second row.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from bot.errors import BadInput, NotFound
from bot.guard.executor import mask_off_loop
from bot.telemetry.metrics import count_feedback
from db.audit import record_event
from db.engine import Database
from db.models import FeedbackRating, Job, JobFeedback

MAX_REASON_CHARS = 500
EXPORT_ROWS = 1000


@dataclass(frozen=True)
class FeedbackTotals:
    good: int = 0
    bad: int = 0


@dataclass(frozen=True)
class FeedbackRow:
    job_id: uuid.UUID
    user_id: str
    rating: str
    reason: str | None
    at: datetime


def parse_job_id(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound("That result no longer exists.") from None


def parse_rating(value: object) -> FeedbackRating:
    try:
        return FeedbackRating(str(value))
    except ValueError:
        raise BadInput("Feedback is either good or bad.") from None


async def record_feedback(
    database: Database,
    org_id: uuid.UUID,
    job_ref: object,
    user_id: str,
    rating: FeedbackRating,
    reason: str | None = None,
) -> None:
    """Store (or change) ``user_id``'s verdict on the job; ``NotFound`` when the job is not this
    organization's or has no result."""
    job_id = parse_job_id(job_ref)
    reason = " ".join((reason or "").split())
    if len(reason) > MAX_REASON_CHARS:
        raise BadInput(f"A reason may be at most {MAX_REASON_CHARS} characters; yours has {len(reason)}.")
    masked = await mask_off_loop(reason) if reason else None
    async with database.tenant(org_id) as session:
        found = await session.scalar(
            select(Job.id).where(Job.id == job_id, Job.result_text.is_not(None) | Job.result_image.is_not(None))
        )
        if found is None:
            raise NotFound("That result no longer exists.")
        values = {"job_id": job_id, "user_id": user_id, "org_id": org_id, "rating": str(rating), "reason": masked}
        statement = insert(JobFeedback).values(**values)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[JobFeedback.job_id, JobFeedback.user_id],
                set_={
                    "rating": statement.excluded.rating,
                    "reason": statement.excluded.reason,
                    "updated_at": func.now(),
                },
            )
        )
        # Ids and the verdict only: the reason is stored masked in its row, not copied into the trail.
        await record_event(
            session, org_id, "feedback.recorded", actor=user_id, job_id=job_id, detail={"rating": str(rating)}
        )
    count_feedback(str(rating))


async def feedback_totals(database: Database, org_id: uuid.UUID) -> FeedbackTotals:
    async with database.tenant(org_id) as session:
        rows = await session.execute(select(JobFeedback.rating, func.count()).group_by(JobFeedback.rating))
        counts = {rating: int(count) for rating, count in rows}
    return FeedbackTotals(good=counts.get(FeedbackRating.GOOD, 0), bad=counts.get(FeedbackRating.BAD, 0))


async def recent_feedback(database: Database, org_id: uuid.UUID, limit: int = EXPORT_ROWS) -> list[FeedbackRow]:
    """The newest feedback first (RLS keeps it to this organization)."""
    async with database.tenant(org_id) as session:
        rows = await session.execute(
            select(
                JobFeedback.job_id, JobFeedback.user_id, JobFeedback.rating, JobFeedback.reason, JobFeedback.updated_at
            )
            .order_by(JobFeedback.updated_at.desc())
            .limit(limit)
        )
        return [FeedbackRow(r.job_id, r.user_id, r.rating, r.reason, r.updated_at.astimezone(UTC)) for r in rows]


def feedback_csv(rows: list[FeedbackRow]) -> str:
    """The export admins download: one line per verdict, reasons masked as stored. A cell that a
    spreadsheet would run as a formula is prefixed with an apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["job_id", "user_id", "rating", "reason", "at"])
    for row in rows:
        writer.writerow([row.job_id, row.user_id, row.rating, _inert(row.reason or ""), row.at.isoformat()])
    return out.getvalue()


def _inert(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
