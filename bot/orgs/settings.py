"""Organization settings an admin changes from Slack: approvals and the approvers' channel, and the
suggestions the agent DM opens with."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from bot.errors import BadInput
from bot.guard.executor import check_prompt_off_loop
from db.audit import record_event
from db.engine import Database
from db.models import Organization

APPROVALS_USAGE = "/content approvals on|off [#approvers-channel]"


async def set_approvals(
    database: Database, org_id: uuid.UUID, *, enabled: bool, channel_id: str | None, actor: str
) -> str | None:
    """Turn approvals on or off; returns the approvers' channel in force. Audited ``approvals.set``."""
    async with database.tenant(org_id) as session:
        org = (
            await session.execute(select(Organization).where(Organization.id == org_id).with_for_update())
        ).scalar_one()
        channel = channel_id or org.approvers_channel
        if enabled and channel is None:
            raise BadInput("Name the channel where admins approve results the first time.", usage=APPROVALS_USAGE)
        org.approvals_required = enabled
        org.approvers_channel = channel
        await record_event(
            session, org_id, "approvals.set", actor=actor, detail={"enabled": enabled, "channel": channel}
        )
    return channel


DEFAULT_SUGGESTED_PROMPTS: tuple[str, ...] = (
    "Write a short announcement of our next release",
    "image: a friendly robot writing on a whiteboard",
    "Summarize our onboarding checklist as bullet points",
)


async def set_suggested_prompts(
    database: Database, org_id: uuid.UUID, prompts: tuple[str, ...], *, actor: str
) -> tuple[str, ...]:
    """Store the organization's suggestions (an empty tuple goes back to the defaults); each is
    guarded like a prompt first (an injection or a credential is refused, personal data is masked),
    since a click on it sends it as one. Audited ``prompts.set`` with the count only."""
    masked = tuple([(await check_prompt_off_loop(prompt, threshold=None)).masked_text for prompt in prompts])
    async with database.tenant(org_id) as session:
        org = (
            await session.execute(select(Organization).where(Organization.id == org_id).with_for_update())
        ).scalar_one()
        org.suggested_prompts = list(masked) if masked else None
        await record_event(session, org_id, "prompts.set", actor=actor, detail={"count": len(masked)})
    return masked or DEFAULT_SUGGESTED_PROMPTS


async def suggested_prompts(database: Database, org_id: uuid.UUID) -> tuple[str, ...]:
    async with database.tenant(org_id) as session:
        stored = await session.scalar(select(Organization.suggested_prompts).where(Organization.id == org_id))
    return tuple(stored) if stored else DEFAULT_SUGGESTED_PROMPTS
