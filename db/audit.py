"""The audit trail: append events inside the caller's tenant transaction; verify the hash chain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEvent

GENESIS_HASH = "0" * 64
# A Core INSERT built once: the ORM's unit of work (an object, a flush, the id read back) cost
# more CPU than the rest of a job's hottest transaction, and nothing reads the event back.
_INSERT_EVENT = insert(cast(Table, AuditEvent.__table__))


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
    if session.new or session.dirty or session.deleted:
        await session.flush()  # the event follows the changes it records, as it always did
    await session.execute(
        _INSERT_EVENT, {"org_id": org_id, "actor": actor, "action": action, "job_id": job_id, "detail": detail or {}}
    )


async def record_events(
    session: AsyncSession,
    org_id: uuid.UUID,
    events: list[tuple[str, dict[str, Any]]],
    *,
    actor: str,
    job_id: uuid.UUID | None = None,
) -> None:
    """Append several ``(action, detail)`` events in one round trip, numbered in list order."""
    if session.new or session.dirty or session.deleted:
        await session.flush()
    rows = [
        {"org_id": org_id, "actor": actor, "action": action, "job_id": job_id, "detail": detail}
        for action, detail in events
    ]
    # executemany: asyncpg sends the rows as one batch of the prepared INSERT
    await session.execute(_INSERT_EVENT, rows)


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


@dataclass(frozen=True)
class ChainHead:
    """An event of an organization's chain, by its number and hash: ``SEQ:HASH`` when written out.

    The newest event's head, kept somewhere the database's owner cannot write (the beat logs it
    every hour), later shows a chain rewritten from that event on, or cut short before it: a
    rewrite that recomputes every hash verifies on its own, but not against a head kept elsewhere."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, value: str) -> ChainHead:
        """Read ``SEQ:HASH``; ``ValueError`` says what is wrong."""
        seq, sep, digest = value.strip().partition(":")
        digest = digest.lower()
        if (
            not sep
            or not seq.isdigit()
            or int(seq) < 1
            or len(digest) != 64
            or not all(c in "0123456789abcdef" for c in digest)
        ):
            raise ValueError(f"{value!r} is not SEQ:HASH (an event number and its 64-digit hex hash)")
        return cls(int(seq), digest)


async def chain_head(session: AsyncSession, org_id: uuid.UUID) -> ChainHead | None:
    """The newest event of ``org_id``'s chain (None before the first)."""
    row = (
        await session.execute(
            text("SELECT seq, hash FROM audit_events WHERE org_id = :org ORDER BY seq DESC LIMIT 1"), {"org": org_id}
        )
    ).first()
    return ChainHead(row.seq, row.hash) if row else None


async def check_head(session: AsyncSession, org_id: uuid.UUID, recorded: ChainHead) -> str | None:
    """Why the chain no longer holds ``recorded`` at its place; None when it does."""
    found = (
        await session.execute(
            text("SELECT hash FROM audit_events WHERE org_id = :org AND seq = :seq"),
            {"org": org_id, "seq": recorded.seq},
        )
    ).scalar_one_or_none()
    if found is None:
        return f"event seq {recorded.seq} of the recorded head is missing (the chain was cut short)"
    if found != recorded.hash:
        return f"event seq {recorded.seq} has hash {found}, not the recorded {recorded.hash} (the chain was rewritten)"
    return None
