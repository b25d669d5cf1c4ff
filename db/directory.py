"""The data-residency directory (revision 0013): which organization and region a Slack team or
enterprise belongs to. Read and pinned through SECURITY DEFINER functions; nothing else is in it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession


@dataclass(frozen=True)
class RegionEntry:
    org_id: uuid.UUID | None  # None: the operator's region for an enterprise not installed yet
    region: str


async def region_of(
    session: AsyncSession | AsyncConnection, team_id: str, enterprise_id: str | None
) -> RegionEntry | None:
    row = (
        await session.execute(
            text("SELECT org_id, region FROM cf_region_of(:t, :e)"), {"t": team_id, "e": enterprise_id}
        )
    ).first()
    return RegionEntry(row.org_id, row.region) if row else None


async def pin_region(
    session: AsyncSession, key: str, enterprise_id: str | None, org_id: uuid.UUID, region: str
) -> RegionEntry:
    """Pin ``key`` (a team, or an enterprise's org-wide install) to ``org_id`` in ``region``, unless
    it is pinned already; returns the pin that holds, which a later pin never changes."""
    row = (
        await session.execute(
            text("SELECT org_id, region FROM cf_pin_region(:k, :e, :o, :r)"),
            {"k": key, "e": enterprise_id, "o": org_id, "r": region},
        )
    ).one()
    return RegionEntry(row.org_id, row.region)


async def set_enterprise_region(session: AsyncSession, enterprise_id: str, region: str) -> None:
    """The operator's region for an enterprise's installs to come (as the owner role only)."""
    await session.execute(text("SELECT cf_set_enterprise_region(:e, :r)"), {"e": enterprise_id, "r": region})
