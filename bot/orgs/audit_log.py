"""Reading an organization's recent audit events, for `/content audit`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from db.engine import Database
from db.models import AuditEvent


@dataclass(frozen=True)
class AuditLine:
    seq: int
    at: datetime  # UTC
    actor: str
    action: str
    job_id: uuid.UUID | None


async def recent_audit_events(database: Database, org_id: uuid.UUID, limit: int) -> list[AuditLine]:
    """The newest ``limit`` events, newest first. RLS keeps them to this organization."""
    async with database.tenant(org_id) as session:
        rows = await session.execute(
            select(AuditEvent.seq, AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.job_id)
            .order_by(AuditEvent.seq.desc())
            .limit(limit)
        )
        return [AuditLine(r.seq, r.at.astimezone(UTC), r.actor, r.action, r.job_id) for r in rows]
