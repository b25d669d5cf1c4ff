"""The audit trail: append events inside the caller's tenant transaction; verify the hash chain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEvent

GENESIS_HASH = "0" * 64


async def record_event(
    session: AsyncSession,
    org_id: uuid.UUID,
    action: str,
    *,
    actor: str,
    job_id: uuid.UUID | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one event; the database trigger numbers it and links it to the previous one.

    ``detail`` carries ids and numbers, never raw prompt text (callers pass masked text only).
    """
    session.add(AuditEvent(org_id=org_id, actor=actor, action=action, job_id=job_id, detail=detail or {}))
    await session.flush()


@dataclass(frozen=True)
class ChainReport:
    org_id: uuid.UUID
    events: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


_WALK = text(
    """
    SELECT id, seq, prev_hash, hash,
           cf_audit_hash(prev_hash, org_id, seq, at, actor, action, job_id, detail) AS expected
      FROM audit_events WHERE org_id = :org ORDER BY seq
    """
)


async def verify_chain(session: AsyncSession, org_id: uuid.UUID) -> ChainReport:
    """Walk one organization's events in order and report the first one that does not hold."""
    previous_hash = GENESIS_HASH
    expected_seq = 1
    count = 0
    for row in await session.execute(_WALK, {"org": org_id}):
        count += 1
        reason = None
        if row.seq != expected_seq:
            reason = f"sequence gap: expected {expected_seq}, found {row.seq} (an event was removed)"
        elif row.prev_hash != previous_hash:
            reason = "link to the previous event does not match (an event was removed or reordered)"
        elif row.hash != row.expected:
            reason = "content does not match its hash (the event was altered)"
        if reason:
            return ChainReport(org_id, count, broken_seq=row.seq, broken_id=row.id, reason=reason)
        previous_hash = row.hash
        expected_seq += 1
    return ChainReport(org_id, count)
