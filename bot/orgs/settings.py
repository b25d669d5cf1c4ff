"""Organization settings an admin changes from Slack: approvals and the approvers' channel."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from bot.errors import BadInput
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
