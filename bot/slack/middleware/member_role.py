"""user_id -> role in the organization, after bolt's authorize step (a user seen for the first time
is looked up with ``users.info``, which needs the workspace's token).

The rule for a first-seen member is ``bot.orgs.members``' (workspace owners and admins start as
admins; everyone else gets the organization's default role). The member is stored with their time
zone, which schedules use.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.orgs import members
from bot.orgs.service import get_role, set_role
from bot.slack.middleware.refusal import DATABASE_DOWN, refuse
from bot.slack.middleware.ttl_cache import TtlCache
from db.engine import Database, is_database_outage
from db.models import Role

log = logging.getLogger(__name__)

ROLE_TTL_SECONDS = 30.0


class MemberRoles:
    """Roles of members, cached briefly; a grant made through here is seen at once in this process."""

    def __init__(self, database: Database, *, ttl_seconds: float = ROLE_TTL_SECONDS) -> None:
        self.database = database
        self._cache: TtlCache[tuple[uuid.UUID, str], str] = TtlCache(ttl_seconds)

    async def role_of(self, org_id: uuid.UUID, user_id: str) -> str | None:
        return await self._cache.read_through((org_id, user_id), lambda: get_role(self.database, org_id, user_id))

    async def grant(self, org_id: uuid.UUID, user_id: str, role: Role, *, actor: str) -> None:
        await set_role(self.database, org_id, user_id, role, actor=actor)
        self._cache.discard((org_id, user_id))

    async def enroll_first_seen(
        self, client: AsyncWebClient, org_id: uuid.UUID, user_id: str, default_role: str
    ) -> str:
        """A member seen for the first time, by the one rule (``bot.orgs.members``)."""
        role, stored = await members.enroll_first_seen(self.database, client, org_id, user_id, default_role)
        if stored:
            self._cache.put((org_id, user_id), role)
        return role

    def forget(self, org_id: uuid.UUID, user_id: str | None = None) -> None:
        if user_id is not None:
            self._cache.discard((org_id, user_id))
        else:
            self._cache.discard_where(lambda key, _role: key[0] == org_id)


class MemberRoleMiddleware(AsyncMiddleware):
    """Puts ``role`` in bolt's context (None where the payload has no user)."""

    def __init__(self, roles: MemberRoles) -> None:
        self.roles = roles

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        context = req.context
        org_id, user_id = context.get("org_id"), context.user_id
        role: str | None = None
        if org_id is not None and user_id is not None:
            try:
                role = await self.roles.role_of(org_id, user_id)
                if role is None:
                    role = await self.roles.enroll_first_seen(
                        context.client, org_id, user_id, context["policy"].default_role
                    )
            except Exception as error:
                if not is_database_outage(error):
                    raise
                log.warning("role lookup for %s failed: database unreachable", user_id, exc_info=True)
                return refuse(req, DATABASE_DOWN)
        context["role"] = role
        return await next()
