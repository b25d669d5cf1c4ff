"""Organizations, their workspaces and their members' roles."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from bot.routing.policy import DEFAULT_POLICY, RoutingPolicy, routing_policy_of
from db.audit import record_event
from db.engine import Database
from db.models import Member, Organization, QuotaSettings, Role, Workspace
from db.system import TeamOrg, resolve_team

DEFAULT_MONTHLY_BUDGET = 2_000_000
DEFAULT_RATE_PER_MINUTE = 60_000
DEFAULT_BURST = 120_000
DEFAULT_IMAGE_COST = 1_000


@dataclass(frozen=True)
class OrgDefaults:
    monthly_budget: int = DEFAULT_MONTHLY_BUDGET
    rate_per_minute: int = DEFAULT_RATE_PER_MINUTE
    burst: int = DEFAULT_BURST
    image_cost: int = DEFAULT_IMAGE_COST


async def find_org(database: Database, team_id: str, enterprise_id: str | None = None) -> TeamOrg | None:
    async with database.system() as session:
        return await resolve_team(session, team_id, enterprise_id)


async def create_organization(
    database: Database,
    *,
    name: str,
    team_id: str,
    enterprise_id: str | None = None,
    admin_user_id: str | None = None,
    defaults: OrgDefaults = OrgDefaults(),
    actor: str = "system",
    org_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Create an organization for a workspace; returns the existing one when the workspace is mapped.
    ``org_id``: the id a new organization gets (with REGIONS, the one its region pin names)."""
    existing = await find_org(database, team_id, enterprise_id)
    if existing is not None:
        return existing.org_id
    org_id = org_id or uuid.uuid4()
    try:
        await _insert_organization(database, org_id, name, team_id, enterprise_id, admin_user_id, defaults, actor)
    except _WorkspaceTaken:
        again = await find_org(database, team_id, enterprise_id)
        assert again is not None
        return again.org_id
    return org_id


class _WorkspaceTaken(Exception):
    """A concurrent first request mapped the workspace first; theirs is kept."""


async def _insert_organization(
    database: Database,
    org_id: uuid.UUID,
    name: str,
    team_id: str,
    enterprise_id: str | None,
    admin_user_id: str | None,
    defaults: OrgDefaults,
    actor: str,
) -> None:
    async with database.tenant(org_id) as session:
        session.add(
            Organization(
                id=org_id,
                name=name[:200],
                default_role=Role.VIEWER,
                approvals_required=False,
                restore_pii=False,
                paused=False,
            )
        )
        await session.flush()
        inserted = await session.execute(
            insert(Workspace)
            .values(team_id=team_id, org_id=org_id, enterprise_id=enterprise_id, name=name[:200])
            .on_conflict_do_nothing(index_elements=["team_id"])
            .returning(Workspace.team_id)
        )
        if inserted.first() is None:
            raise _WorkspaceTaken
        session.add(
            QuotaSettings(
                org_id=org_id,
                monthly_budget=defaults.monthly_budget,
                rate_per_minute=defaults.rate_per_minute,
                burst=defaults.burst,
                image_cost=defaults.image_cost,
            )
        )
        if admin_user_id:
            session.add(Member(org_id=org_id, slack_user_id=admin_user_id, role=Role.ADMIN))
        await record_event(
            session, org_id, "org.created", actor=actor, detail={"team_id": team_id, "enterprise_id": enterprise_id}
        )


async def get_role(database: Database, org_id: uuid.UUID, user_id: str) -> str | None:
    async with database.tenant(org_id) as session:
        return (await session.execute(select(Member.role).where(Member.slack_user_id == user_id))).scalar_one_or_none()


async def set_role(
    database: Database, org_id: uuid.UUID, user_id: str, role: Role, *, actor: str, tz: str | None = None
) -> None:
    async with database.tenant(org_id) as session:
        await session.execute(
            insert(Member)
            .values(org_id=org_id, slack_user_id=user_id, role=role, timezone=tz)
            .on_conflict_do_update(index_elements=["org_id", "slack_user_id"], set_={"role": role})
        )
        await record_event(session, org_id, "role.granted", actor=actor, detail={"user": user_id, "role": role})


@dataclass(frozen=True)
class OrgPolicy:
    """What an organization decided about its jobs; read once per request."""

    org_id: uuid.UUID
    approvals_required: bool
    approvers_channel: str | None
    restore_pii: bool
    injection_threshold: float | None
    default_role: str
    paused: bool
    # Which models may answer and how one is chosen (``bot.routing.policy``).
    routing: RoutingPolicy = DEFAULT_POLICY
    result_cache: bool = False  # identical requests may reuse stored results

    @classmethod
    def of(cls, org: Organization) -> OrgPolicy:
        return cls.from_columns({name: getattr(org, name) for name in POLICY_COLUMNS})

    @classmethod
    def from_columns(cls, columns: Mapping[str, Any]) -> OrgPolicy:
        """The policy from the organization's ``POLICY_COLUMNS``, however they were read."""
        return cls(
            org_id=columns["id"],
            approvals_required=columns["approvals_required"],
            approvers_channel=columns["approvers_channel"],
            restore_pii=columns["restore_pii"],
            injection_threshold=columns["injection_threshold"],
            default_role=columns["default_role"],
            paused=columns["paused"],
            routing=routing_policy_of(columns["allowed_models"], columns["model_strategy"]),
            result_cache=columns["result_cache_enabled"],
        )


# The organization's columns a policy is built from: the worker's claim reads them in its own
# statement, without loading the organization.
POLICY_COLUMNS = (
    "id",
    "approvals_required",
    "approvers_channel",
    "restore_pii",
    "injection_threshold",
    "default_role",
    "paused",
    "allowed_models",
    "model_strategy",
    "result_cache_enabled",
)


async def load_org_policy(database: Database, org_id: uuid.UUID) -> OrgPolicy:
    async with database.tenant(org_id) as session:
        org = (await session.execute(select(Organization).where(Organization.id == org_id))).scalar_one()
    return OrgPolicy.of(org)
