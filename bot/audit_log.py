"""Reading an organization's recent audit events, for `/content audit`."""

from __future__ import annotations

import uuid
from datetime import UTC

from sqlalchemy import select

from bot.views.commands import AuditLine
from db.engine import Database
from db.models import AuditEvent


async def recent_audit_events(database: Database, org_id: uuid.UUID, limit: int) -> list[AuditLine]:
    """The newest ``limit`` events, newest first. RLS keeps them to this organization."""
    async with database.tenant(org_id) as session:
        rows = await session.execute(
            select(AuditEvent.seq, AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.job_id)
            .order_by(AuditEvent.seq.desc())
            .limit(limit)
        )
        return [AuditLine(r.seq, r.at.astimezone(UTC), r.actor, r.action, r.job_id) for r in rows]
