"""The admin's switches: whether the organization's identical requests may reuse stored results,
and whether its popular image prompts are pre-generated off-peak into that cache."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select, update

from bot.errors import BadInput
from bot.orgs.off_peak import OffPeakWindow, window_of
from db.audit import record_event
from db.engine import Database
from db.models import Organization

PREGENERATE_USAGE = "/content pregenerate on|off"


@dataclass(frozen=True)
class CacheSettings:
    """What App Home and the settings' answers show about caching and warming."""

    result_cache: bool
    pregenerate_images: bool
    off_peak: OffPeakWindow | None


def _settings_of(org: Organization) -> CacheSettings:
    return CacheSettings(org.result_cache_enabled, org.pregenerate_images, window_of(org))


async def load_cache_settings(database: Database, org_id: uuid.UUID) -> CacheSettings:
    async with database.tenant(org_id) as session:
        org = (await session.execute(select(Organization).where(Organization.id == org_id))).scalar_one()
    return _settings_of(org)


async def set_result_cache(database: Database, org_id: uuid.UUID, *, enabled: bool, actor: str) -> None:
    """Turn the result cache on or off; audited ``result_cache.set``. Off also stops pre-generation
    (its results would have nowhere to go)."""
    values: dict[str, object] = {"result_cache_enabled": enabled}
    if not enabled:
        values["pregenerate_images"] = False
    async with database.tenant(org_id) as session:
        await session.execute(update(Organization).where(Organization.id == org_id).values(**values))
        await record_event(session, org_id, "result_cache.set", actor=actor, detail={"enabled": enabled})


async def set_image_pregeneration(database: Database, org_id: uuid.UUID, *, enabled: bool, actor: str) -> CacheSettings:
    """Turn pre-generation of popular image prompts on or off; audited ``pregeneration.set``. On
    needs the result cache (where the images go) and an off-peak window (when they are drawn)."""
    async with database.tenant(org_id) as session:
        org = (
            await session.execute(select(Organization).where(Organization.id == org_id).with_for_update())
        ).scalar_one()
        if enabled and not org.result_cache_enabled:
            raise BadInput(
                "Pre-generated images are kept in the result cache: turn it on first with `/content cache on`.",
                usage=PREGENERATE_USAGE,
            )
        if enabled and window_of(org) is None:
            raise BadInput(
                "Images are pre-generated off-peak: set the window first, like `/content offpeak 22:00-06:00`.",
                usage=PREGENERATE_USAGE,
            )
        org.pregenerate_images = enabled
        await record_event(session, org_id, "pregeneration.set", actor=actor, detail={"enabled": enabled})
        return _settings_of(org)
