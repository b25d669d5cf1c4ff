"""A member seen for the first time: which role they start with, and storing it once.

The one rule, for every way in (a slash command, a DM to the bot, a button, a Workflow Builder
step run by someone the organization has not seen yet): Slack workspace owners and admins start
as admins, as the installer does; everyone else gets the organization's default role (viewer
unless an admin changed it). What Slack says about the person comes from ``users.info``; when
Slack cannot say, the default role is used for that request and nothing is stored, so the next
request asks again rather than pinning a guess.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from bot.orgs.service import get_role
from db.audit import record_event
from db.engine import Database
from db.models import Member, Role

log = logging.getLogger(__name__)


def first_role(user: Mapping[str, Any], default_role: str) -> tuple[Role, str]:
    """The role a member starts with, and why (the audit's reason)."""
    if user.get("is_owner") or user.get("is_admin"):
        return Role.ADMIN, "workspace_admin"
    return Role(default_role), "default_role"


async def enroll(
    database: Database, org_id: uuid.UUID, user_id: str, role: Role, *, tz: str | None, reason: str
) -> str:
    """Store a first-seen member; when a concurrent request (or an admin) got there first, theirs stands."""
    async with database.tenant(org_id) as session:
        inserted = await session.execute(
            insert(Member)
            .values(org_id=org_id, slack_user_id=user_id, role=role, timezone=tz)
            .on_conflict_do_nothing(index_elements=["org_id", "slack_user_id"])
            .returning(Member.role)
        )
        stored = inserted.scalar_one_or_none()
        if stored is not None:
            await record_event(
                session,
                org_id,
                "member.enrolled",
                actor="system",
                detail={"user": user_id, "role": str(role), "reason": reason},
            )
            return stored
        return (await session.execute(select(Member.role).where(Member.slack_user_id == user_id))).scalar_one()


async def enroll_first_seen(
    database: Database, client: AsyncWebClient, org_id: uuid.UUID, user_id: str, default_role: str
) -> tuple[str, bool]:
    """The role of a member not stored yet, by the rule above, stored with their time zone; and
    whether it was stored (not when Slack could not say who they are)."""
    try:
        user = (await client.users_info(user=user_id))["user"]
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
        log.warning("users.info failed for %s (%s); treating them as %s for now", user_id, error, default_role)
        return default_role, False
    role, reason = first_role(user, default_role)
    return await enroll(database, org_id, user_id, role, tz=user.get("tz"), reason=reason), True


async def role_of(
    database: Database, client: AsyncWebClient, org_id: uuid.UUID, user_id: str, default_role: str
) -> str:
    """A member's role, enrolling them by the rule above when they are new."""
    role = await get_role(database, org_id, user_id)
    if role is not None:
        return role
    role, _ = await enroll_first_seen(database, client, org_id, user_id, default_role)
    return role
