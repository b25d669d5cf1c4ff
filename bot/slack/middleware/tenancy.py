"""team_id -> organization, before bolt's authorize step, so an unknown workspace is refused
without a token lookup and nothing about it is stored.

The lookup crosses tenants, so it goes through the SECURITY DEFINER ``cf_resolve_team`` (via
``bot.orgs.service.find_org``); the organization's policy is then read inside its own tenant transaction.
Both are cached for a short while; a change made by this process (approvals, uninstall) drops the
entry at once, other processes see it when their entry expires.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.payload_utils import is_event
from slack_bolt.response import BoltResponse

from bot.commands.views import not_installed_message, uninstalled_message
from bot.orgs.service import OrgPolicy, create_organization, find_org, load_org_policy
from bot.slack.middleware.refusal import DATABASE_DOWN, refuse
from bot.slack.middleware.ttl_cache import TtlCache
from db.engine import Database, is_database_outage

log = logging.getLogger(__name__)

TENANT_TTL_SECONDS = 30.0
# Events that end an installation must never create an organization for it.
_REVOCATION_EVENTS = frozenset({"app_uninstalled", "tokens_revoked"})


@dataclass(frozen=True)
class Tenant:
    org_id: uuid.UUID
    revoked: bool
    policy: OrgPolicy


class TenantDirectory:
    """Which organization a workspace belongs to, with the organization's policy."""

    def __init__(self, database: Database, *, ttl_seconds: float = TENANT_TTL_SECONDS) -> None:
        self.database = database
        self._cache: TtlCache[tuple[str, str | None], Tenant] = TtlCache(ttl_seconds)

    async def find(self, team_id: str, enterprise_id: str | None) -> Tenant | None:
        return await self._cache.read_through((team_id, enterprise_id), lambda: self._load(team_id, enterprise_id))

    async def _load(self, team_id: str, enterprise_id: str | None) -> Tenant | None:
        found = await find_org(self.database, team_id, enterprise_id)
        if found is None:
            return None
        return Tenant(found.org_id, found.revoked, await load_org_policy(self.database, found.org_id))

    async def find_or_create(self, team_id: str, enterprise_id: str | None, name: str) -> Tenant:
        tenant = await self.find(team_id, enterprise_id)
        if tenant is None:
            await create_organization(self.database, name=name, team_id=team_id, enterprise_id=enterprise_id)
            tenant = await self.find(team_id, enterprise_id)
            assert tenant is not None
        return tenant

    def forget_org(self, org_id: uuid.UUID) -> None:
        self._cache.discard_where(lambda _key, tenant: tenant.org_id == org_id)

    def forget_team(self, team_id: str) -> None:
        self._cache.discard_where(lambda key, _tenant: key[0] == team_id)


class TenancyMiddleware(AsyncMiddleware):
    """Puts ``org_id``, ``policy`` and ``tenant`` in bolt's context.

    ``create_missing``: single-workspace mode, where the organization is made on the first
    request; in OAuth mode only an install makes one, and an unknown workspace is refused.
    """

    def __init__(self, directory: TenantDirectory, *, create_missing: bool) -> None:
        self.directory = directory
        self.create_missing = create_missing

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        body = req.body or {}
        if body.get("type") in ("url_verification", "ssl_check"):
            return await next()
        context = req.context
        # An org-wide (enterprise) install has no team on some payloads; its key is the enterprise.
        team_id = context.team_id or context.enterprise_id
        if team_id is None:
            return refuse(req, not_installed_message())
        tenant: Tenant | None
        try:
            if self.create_missing and _event_type(body) not in _REVOCATION_EVENTS:
                name = body.get("team_domain") or (body.get("team") or {}).get("domain") or team_id
                tenant = await self.directory.find_or_create(team_id, context.enterprise_id, str(name))
            else:
                tenant = await self.directory.find(team_id, context.enterprise_id)
        except Exception as error:
            if not is_database_outage(error):
                raise
            # The database is down: say so plainly instead of failing the request with a 500.
            log.warning("tenancy lookup failed for workspace %s: database unreachable", team_id, exc_info=True)
            return refuse(req, DATABASE_DOWN)
        if tenant is None:
            log.info("refused a request from workspace %s: not installed", team_id)
            return refuse(req, not_installed_message())
        if tenant.revoked:
            return refuse(req, uninstalled_message())
        context["tenant"] = tenant
        context["org_id"] = tenant.org_id
        context["policy"] = tenant.policy
        return await next()


def _event_type(body: dict[str, Any]) -> str | None:
    return (body.get("event") or {}).get("type") if is_event(body) else None
