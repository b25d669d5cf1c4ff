"""Rows written straight into an organization's tables, as the application would leave them, for
tests that need the state without walking the path that makes it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from db.models import Job, JobKind, JobState, Schedule, ScheduleState

FAR_AHEAD = datetime(2030, 1, 1, tzinfo=UTC)


def active_schedule(
    org_id: uuid.UUID,
    created_by: str,
    target_channel: str,
    masked_prompt: str,
    *,
    kind: str = "text",
    cron: str = "0 9 * * *",
    timezone: str = "UTC",
    next_run_at: datetime = FAR_AHEAD,
    **columns: Any,
) -> Schedule:
    """A recurring schedule that has not run yet; ``columns`` set the rest (an id, a PII mapping)."""
    return Schedule(
        org_id=org_id,
        created_by=created_by,
        kind=kind,
        masked_prompt=masked_prompt,
        target_channel=target_channel,
        cron=cron,
        timezone=timezone,
        next_run_at=next_run_at,
        state=ScheduleState.ACTIVE,
        injection_score=0.0,
        **columns,
    )


def queued_job(org_id: uuid.UUID, requester_id: str, target_channel: str, masked_prompt: str, **columns: Any) -> Job:
    """A text job committed and waiting for a worker, its tokens reserved; ``columns`` set the rest."""
    return text_job(
        org_id,
        requester_id,
        target_channel,
        masked_prompt,
        state=JobState.QUEUED,
        tokens_reserved=5,
        quota_state="reserved",
        attempts=0,
        **columns,
    )


def posted_job(
    org_id: uuid.UUID,
    requester_id: str,
    target_channel: str,
    result_text: str,
    *,
    masked_prompt: str = "p",
    **columns: Any,
) -> Job:
    """A text job whose result is in the channel; ``columns`` set the rest."""
    return text_job(
        org_id,
        requester_id,
        target_channel,
        masked_prompt,
        state=JobState.POSTED,
        result_text=result_text,
        tokens_reserved=1,
        **columns,
    )


def text_job(org_id: uuid.UUID, requester_id: str, target_channel: str, masked_prompt: str, **columns: Any) -> Job:
    """A text job of ``requester_id`` for ``target_channel``; ``columns`` say how far it got."""
    return Job(
        org_id=org_id,
        kind="text",
        requester_id=requester_id,
        target_channel=target_channel,
        masked_prompt=masked_prompt,
        **columns,
    )


def job_to_generate(
    org_id: uuid.UUID, masked_prompt: str, *, tokens_reserved: int = 2000, brand_voice: bool = True, **columns: Any
) -> Job:
    """A text job as a worker holds it to generate its result (not stored); ``columns`` set the rest."""
    return Job(
        id=uuid.uuid4(),
        org_id=org_id,
        kind=JobKind.TEXT,
        masked_prompt=masked_prompt,
        tokens_reserved=tokens_reserved,
        brand_voice=brand_voice,
        **columns,
    )
