"""The narrow cross-tenant steps, each one SECURITY DEFINER function returning only what it needs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Result, Row, text
from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    _Record = TypeVar("_Record", bound=DataclassInstance)


async def _call(session: AsyncSession, function: str, **arguments: object) -> Result[Any]:
    """The rows of ``function`` (one of the SECURITY DEFINER functions), ``arguments`` passed in the
    order given."""
    placeholders = ", ".join(f":{name}" for name in arguments)
    return await session.execute(text(f"SELECT * FROM {function}({placeholders})"), arguments)


async def _records(session: AsyncSession, record: type[_Record], function: str, **arguments: object) -> list[_Record]:
    """The rows of ``function`` (``_call``), each as a ``record``: its fields are the columns read."""
    names = [field.name for field in fields(record)]
    rows = await _call(session, function, **arguments)
    return [record(**{name: getattr(row, name) for name in names}) for row in rows]


@dataclass(frozen=True)
class TeamOrg:
    org_id: uuid.UUID
    revoked: bool
    paused: bool


async def resolve_team(session: AsyncSession, team_id: str, enterprise_id: str | None) -> TeamOrg | None:
    row = (await _call(session, "cf_resolve_team", t=team_id, e=enterprise_id)).first()
    return TeamOrg(row.org_id, row.revoked, row.paused) if row else None


async def find_installation_row(
    session: AsyncSession, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool
) -> Row[Any] | None:
    rows = await _call(session, "cf_find_installation", e=enterprise_id, t=team_id, i=is_enterprise_install)
    return rows.first()


async def list_org_ids(session: AsyncSession) -> list[uuid.UUID]:
    return list((await _call(session, "cf_list_org_ids")).scalars())


@dataclass(frozen=True)
class ClaimedSchedule:
    id: uuid.UUID
    org_id: uuid.UUID
    next_run_at: datetime


async def claim_due_schedules(
    session: AsyncSession, now: datetime, *, lease_seconds: int, limit: int
) -> list[ClaimedSchedule]:
    return await _records(session, ClaimedSchedule, "cf_claim_due_schedules", now=now, lease=lease_seconds, limit=limit)


async def claim_warm_schedules(
    session: AsyncSession,
    now: datetime,
    *,
    text_before: datetime,
    image_before: datetime,
    off_peak_before: datetime,
    lease_seconds: int,
    limit: int,
) -> list[ClaimedSchedule]:
    """Claim text runs due before ``text_before``, image runs due before ``image_before``, and image
    runs due before ``off_peak_before`` of organizations whose off-peak window holds ``now``."""
    return await _records(
        session,
        ClaimedSchedule,
        "cf_claim_warm_schedules",
        now=now,
        text_before=text_before,
        image_before=image_before,
        off_peak_before=off_peak_before,
        lease=lease_seconds,
        limit=limit,
    )


async def orgs_pregenerating_images(session: AsyncSession) -> list[uuid.UUID]:
    """Organizations whose admin turned image pre-generation on (with the result cache and an
    off-peak window): only their ids."""
    return list((await _call(session, "cf_orgs_pregenerating_images")).scalars())


@dataclass(frozen=True)
class HeldJob:
    id: uuid.UUID
    org_id: uuid.UUID
    kind: str
    post_at: datetime


async def held_jobs(session: AsyncSession, *, due_before: datetime, limit: int) -> list[HeldJob]:
    """Jobs generated ahead of their schedule and held, due before ``due_before``, soonest first."""
    return await _records(session, HeldJob, "cf_held_jobs", before=due_before, limit=limit)


@dataclass(frozen=True)
class StaleJob:
    id: uuid.UUID
    org_id: uuid.UUID
    state: str


async def stale_jobs(session: AsyncSession, *, queued_before: datetime, now: datetime, limit: int) -> list[StaleJob]:
    return await _records(session, StaleJob, "cf_stale_jobs", before=queued_before, now=now, limit=limit)


@dataclass(frozen=True)
class UnsettledJob:
    id: uuid.UUID
    org_id: uuid.UUID
    state: str
    tokens_reserved: int


async def unsettled_jobs(session: AsyncSession, *, updated_before: datetime, limit: int) -> list[UnsettledJob]:
    return await _records(session, UnsettledJob, "cf_unsettled_jobs", before=updated_before, limit=limit)


async def purge_oauth_states(session: AsyncSession, *, expired_before: datetime, limit: int) -> int:
    """Delete up to ``limit`` OAuth states that expired before ``expired_before`` (never later than
    now, whatever is passed); returns how many went."""
    return int((await _call(session, "cf_purge_oauth_states", before=expired_before, limit=limit)).scalar_one())


@dataclass(frozen=True)
class OpenWorkflowStep:
    function_execution_id: str
    org_id: uuid.UUID
    state: str


async def open_workflow_steps(
    session: AsyncSession, *, received_before: datetime, now: datetime, limit: int
) -> list[OpenWorkflowStep]:
    """Steps due for their completion, and steps still ``received`` since before ``received_before``."""
    return await _records(
        session, OpenWorkflowStep, "cf_open_workflow_steps", before=received_before, now=now, limit=limit
    )


@dataclass(frozen=True)
class PendingApproval:
    """A job awaiting approval: ``expired`` if it was requested before the expiry, otherwise one
    whose request message never got out."""

    id: uuid.UUID
    org_id: uuid.UUID
    expired: bool


async def pending_approvals(
    session: AsyncSession, *, requested_before: datetime, unsent_before: datetime, limit: int
) -> list[PendingApproval]:
    """Approvals requested before ``requested_before``, and those unsent since before ``unsent_before``."""
    return await _records(
        session, PendingApproval, "cf_pending_approvals", requested=requested_before, unsent=unsent_before, limit=limit
    )
