"""The admin's switch: whether the organization's identical requests may reuse stored results."""

from __future__ import annotations

import uuid

from sqlalchemy import update

from db.audit import record_event
from db.engine import Database
from db.models import Organization


async def set_result_cache(database: Database, org_id: uuid.UUID, *, enabled: bool, actor: str) -> None:
    """Turn the result cache on or off; audited ``result_cache.set``."""
    async with database.tenant(org_id) as session:
        await session.execute(
            update(Organization).where(Organization.id == org_id).values(result_cache_enabled=enabled)
        )
        await record_event(session, org_id, "result_cache.set", actor=actor, detail={"enabled": enabled})
