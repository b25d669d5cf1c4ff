"""Posting a result made in the bot's DM to a channel: a new job that carries the result, so the
worker posts it (through the approvers first when the organization requires them) without calling
a model again and without charging the quota twice.

One copy per result and channel: the copy's row is unique on (``shared_from``, ``target_channel``),
so a double click, or two clicks racing in two web processes, makes exactly one job and one post.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from bot.errors import BadInput, NotAllowed, NotFound
from db.audit import record_event
from db.engine import Database
from db.models import Job, JobState


@dataclass(frozen=True)
class SharedJob:
    job_id: uuid.UUID
    kind: str
    new: bool  # False: this result was already sent to that channel


def parse_job_ref(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound("That result no longer exists.") from None


async def share_result(
    database: Database, org_id: uuid.UUID, job_ref: object, user_id: str, channel_id: str
) -> SharedJob:
    """Queue a copy of ``job_ref``'s result for ``channel_id``; the caller has checked the role and
    that ``user_id`` is a member of the channel, and sends the job once this returns."""
    source_id = parse_job_ref(job_ref)
    async with database.tenant(org_id) as session:
        source = await session.scalar(select(Job).where(Job.id == source_id))
        if source is None:
            raise NotFound("That result no longer exists.")
        if source.requester_id != user_id:
            raise NotAllowed("Only the person who asked for this result can post it to a channel.")
        if source.result_text is None and source.result_image is None:
            raise BadInput("This result isn't ready yet; try again once it has arrived.")
        copy_id = uuid.uuid4()
        inserted = await session.scalar(
            insert(Job)
            .values(
                id=copy_id,
                org_id=org_id,
                kind=source.kind,
                state=JobState.QUEUED,
                requester_id=user_id,
                source_channel=source.target_channel,
                target_channel=channel_id,
                masked_prompt=source.masked_prompt,
                pii_mapping_enc=source.pii_mapping_enc,
                model=source.model,
                seed=source.seed,
                tokens_reserved=0,
                tokens_used=0,
                # Paid for by the job that made it: nothing is reserved, nothing is settled again.
                quota_state="settled",
                result_text=source.result_text,
                result_image=source.result_image,
                attempts=0,
                shared_from=source_id,
            )
            .on_conflict_do_nothing(index_elements=[Job.shared_from, Job.target_channel])
            .returning(Job.id)
        )
        if inserted is None:
            existing = await session.scalar(
                select(Job.id).where(Job.shared_from == source_id, Job.target_channel == channel_id)
            )
            assert existing is not None, "the conflicting copy is in this organization"
            return SharedJob(existing, source.kind, new=False)
        await record_event(
            session,
            org_id,
            "job.shared",
            actor=user_id,
            job_id=copy_id,
            detail={"from": str(source_id), "channel": channel_id, "kind": source.kind},
        )
    return SharedJob(copy_id, source.kind, new=True)
