"""An organization's model policy as admins change it from Slack: allowed models and strategy.

Both live on the organization's row, which a worker reads in the same statement that claims a
job (``workers.lifecycle``), so a change takes effect on the very next job. Every change is an
audit event carrying the policy before and after.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Literal

from sqlalchemy import select

from bot.errors import BadInput
from bot.routing.catalogue import Catalogue
from bot.routing.policy import RoutingPolicy, Strategy, routing_policy_of
from db.audit import record_event
from db.engine import Database
from db.models import Organization

MODELS_USAGE = "/content models allow <model>[,<model>…]|all  or  /content models strategy ordered|cheapest|fastest"


def check_allowed(catalogue: Catalogue, names: Sequence[str]) -> tuple[str, ...]:
    """The names as the catalogue spells them, in its order; unknown names are refused by name."""
    wanted = {name.strip().lower() for name in names if name.strip()}
    if not wanted:
        raise BadInput("Name at least one model, or `all`.", usage=MODELS_USAGE)
    known = {spec.name.lower(): spec.name for spec in catalogue.models}
    unknown = sorted(wanted - set(known))
    if unknown:
        listed = ", ".join(f"`{spec.name}`" for spec in catalogue.models)
        shown = ", ".join(f"`{name[:64]}`" for name in unknown[:5])
        raise BadInput(f"Not in the model catalogue: {shown}. Known models: {listed}.", usage=MODELS_USAGE)
    chosen = tuple(spec.name for spec in catalogue.models if spec.name.lower() in wanted)
    if not any(spec.kind == "text" for spec in catalogue.models if spec.name in chosen):
        raise BadInput("Allow at least one text model, or text jobs could never run.", usage=MODELS_USAGE)
    return chosen


async def read_routing_policy(database: Database, org_id: uuid.UUID) -> RoutingPolicy:
    async with database.tenant(org_id) as session:
        row = (
            await session.execute(
                select(Organization.allowed_models, Organization.model_strategy).where(Organization.id == org_id)
            )
        ).one()
    return routing_policy_of(row.allowed_models, row.model_strategy)


async def change_routing_policy(
    database: Database,
    org_id: uuid.UUID,
    *,
    actor: str,
    allowed: tuple[str, ...] | Literal[False] | None = False,
    strategy: Strategy | None = None,
) -> RoutingPolicy:
    """Set the allowed models (a tuple, or None for all; False leaves them) and/or the strategy.
    Audited as ``models.policy_set`` with the policy before and after."""
    async with database.tenant(org_id) as session:
        org = (
            await session.execute(select(Organization).where(Organization.id == org_id).with_for_update())
        ).scalar_one()
        before = routing_policy_of(org.allowed_models, org.model_strategy)
        if allowed is not False:
            org.allowed_models = None if allowed is None else list(allowed)
        if strategy is not None:
            org.model_strategy = str(strategy)
        after = routing_policy_of(org.allowed_models, org.model_strategy)
        await record_event(
            session,
            org_id,
            "models.policy_set",
            actor=actor,
            detail={"before": _described(before), "after": _described(after)},
        )
    return after


def _described(policy: RoutingPolicy) -> dict[str, object]:
    return {"allowed": list(policy.allowed) if policy.allowed is not None else "all", "strategy": str(policy.strategy)}
