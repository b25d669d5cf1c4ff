"""The durable side of the quota: settings, the monthly usage ledger and settlements in PostgreSQL.

Every function runs inside the caller's tenant transaction (``Database.tenant``, or for the
settlement every job writes, ``Database.tenant_driver``), so Row-Level Security scopes it to one
organization; the explicit ``org_id`` filters are there for the indexes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Row, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.orgs.service import OrgDefaults
from bot.quota.models import Limits
from db.models import QuotaSettings

_VERSION = "(extract(epoch FROM updated_at) * 1000000)::bigint"


async def read_limits(session: AsyncSession) -> Limits:
    row: Row[Any] | None = (
        await session.execute(
            select(
                QuotaSettings.monthly_budget,
                QuotaSettings.rate_per_minute,
                QuotaSettings.burst,
                QuotaSettings.image_cost,
                literal_column(_VERSION),
            )
        )
    ).first()
    if row is None:
        defaults = OrgDefaults()
        return Limits(defaults.monthly_budget, defaults.rate_per_minute, defaults.burst, defaults.image_cost, 0)
    return Limits(*row)


_WRITE_LIMITS = text(
    f"""
    INSERT INTO quota_settings AS q (org_id, monthly_budget, rate_per_minute, burst, image_cost, updated_at)
    VALUES (CAST(:org AS uuid), coalesce(CAST(:budget AS bigint), :d_budget), coalesce(CAST(:rate AS integer), :d_rate),
            coalesce(CAST(:burst AS integer), :d_burst), coalesce(CAST(:image_cost AS integer), :d_image_cost),
            clock_timestamp())
    ON CONFLICT (org_id) DO UPDATE SET
        monthly_budget = coalesce(CAST(:budget AS bigint), q.monthly_budget),
        rate_per_minute = coalesce(CAST(:rate AS integer), q.rate_per_minute),
        burst = coalesce(CAST(:burst AS integer), q.burst),
        image_cost = coalesce(CAST(:image_cost AS integer), q.image_cost),
        -- strictly increasing per organization: the version Redis uses to keep the newest limits
        updated_at = greatest(clock_timestamp(), q.updated_at + interval '1 microsecond')
    RETURNING monthly_budget, rate_per_minute, burst, image_cost, {_VERSION}
    """
)


async def write_limits(
    session: AsyncSession,
    org_id: uuid.UUID,
    *,
    monthly_budget: int | None = None,
    rate_per_minute: int | None = None,
    burst: int | None = None,
    image_cost: int | None = None,
) -> Limits:
    """Change the given settings (``None`` keeps one) and return all of them, newly versioned."""
    defaults = OrgDefaults()
    row = (
        await session.execute(
            _WRITE_LIMITS,
            {
                "org": org_id,
                "budget": monthly_budget,
                "rate": rate_per_minute,
                "burst": burst,
                "image_cost": image_cost,
                "d_budget": defaults.monthly_budget,
                "d_rate": defaults.rate_per_minute,
                "d_burst": defaults.burst,
                "d_image_cost": defaults.image_cost,
            },
        )
    ).one()
    return Limits(*row)


@dataclass(frozen=True)
class LedgerEntry:
    """A job's settlement as PostgreSQL holds it: the one answer every repeat gets."""

    month: date
    reserved: int
    actual: int
    overrun: int
    inserted: bool  # written by this call


# One statement: the settlement row (exactly once, keyed by job id), the month's usage (only when
# that row was new) and the job's quota state commit together or not at all. Every job of the
# pipeline runs it, so it goes to the connection's asyncpg driver as it is, prepared once per
# connection ($1 job, $2 organization, $3 actual, $4 outcome, $5 reserved, $6 month, $7 default month).
_RECORD = """
    WITH job AS (
        SELECT tokens_reserved, created_at FROM jobs WHERE id = CAST($1 AS uuid)
    ), entry AS (
        INSERT INTO quota_settlements (job_id, org_id, month, reserved, actual, overrun, settled_at)
        -- reserved unknown (neither Redis nor a job row remembers it): no overrun can be claimed;
        -- greatest() skips the NULL
        SELECT CAST($1 AS uuid), CAST($2 AS uuid), m.month, coalesce(m.reserved, 0), CAST($3 AS bigint),
               greatest(CAST($3 AS bigint) - m.reserved, 0), now()
          FROM (SELECT coalesce(CAST($6 AS date),
                                (SELECT date_trunc('month', created_at AT TIME ZONE 'UTC')::date FROM job),
                                CAST($7 AS date)) AS month,
                       coalesce(CAST($5 AS bigint), (SELECT tokens_reserved FROM job)) AS reserved) m
        ON CONFLICT (job_id) DO NOTHING
        RETURNING month, reserved, actual, overrun
    ), usage AS (
        INSERT INTO usage_ledger AS u (org_id, month, tokens_used, overrun, updated_at)
        SELECT CAST($2 AS uuid), month, actual, overrun, now() FROM entry
        ON CONFLICT (org_id, month) DO UPDATE
           SET tokens_used = u.tokens_used + excluded.tokens_used,
               overrun = u.overrun + excluded.overrun,
               updated_at = now()
    ), job_state AS (
        UPDATE jobs
           SET quota_state = CAST($4 AS varchar),
               tokens_used = CASE WHEN CAST($4 AS varchar) = 'settled' THEN CAST($3 AS bigint)
                                  ELSE jobs.tokens_used END
         WHERE id = CAST($1 AS uuid) AND quota_state = 'reserved' AND EXISTS (SELECT 1 FROM entry)
    )
    SELECT month, reserved, actual, overrun FROM entry
    """

_EXISTING = "SELECT month, reserved, actual, overrun FROM quota_settlements WHERE job_id = CAST($1 AS uuid)"
# A job row written after its settlement (rare) still gets marked, or the reaper would revisit it.
_MARK_JOB = """
    UPDATE jobs SET quota_state = CASE WHEN CAST($2 AS bigint) > 0 THEN 'settled' ELSE 'released' END
     WHERE id = CAST($1 AS uuid) AND quota_state = 'reserved'
    """


async def record_settlement(
    driver: Any,
    org_id: uuid.UUID,
    job_id: uuid.UUID,
    *,
    actual: int,
    outcome: str,
    reserved: int | None,
    month: date | None,
    default_month: date,
) -> LedgerEntry:
    """Write the job's settlement once; a repeat changes nothing and returns the first one.

    ``driver`` is the asyncpg connection of the caller's ``Database.tenant_driver`` transaction.
    ``reserved``/``month`` come from Redis's reservation when it has one; otherwise the job row's
    ``tokens_reserved`` and creation month, else nothing reserved in ``default_month``.
    """
    row = await driver.fetchrow(_RECORD, job_id, org_id, actual, outcome, reserved, month, default_month)
    if row is not None:
        return LedgerEntry(row["month"], row["reserved"], row["actual"], row["overrun"], inserted=True)
    # A new statement sees what the concurrent winner committed while this one waited on it.
    row = await driver.fetchrow(_EXISTING, job_id)
    if row is None:
        raise LookupError(f"job {job_id} was settled by another organization")
    await driver.execute(_MARK_JOB, job_id, row["actual"])
    return LedgerEntry(row["month"], row["reserved"], row["actual"], row["overrun"], inserted=False)


@dataclass(frozen=True)
class MonthSnapshot:
    used: int
    overrun: int
    settled: list[str]  # job ids with a settlement row in the month
    open: list[tuple[str, int]]  # (job id, tokens reserved) of jobs still holding a reservation


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end = datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=UTC)
    return start, end


# One statement, so one snapshot: a settlement either counts in ``used`` and ``settled`` or in neither.
_SNAPSHOT = text(
    """
    SELECT
      (SELECT coalesce(sum(tokens_used), 0) FROM usage_ledger
        WHERE org_id = CAST(:org AS uuid) AND month = CAST(:month AS date)) AS used,
      (SELECT coalesce(sum(overrun), 0) FROM usage_ledger
        WHERE org_id = CAST(:org AS uuid) AND month = CAST(:month AS date)) AS overrun,
      ARRAY(SELECT job_id::text FROM quota_settlements
             WHERE org_id = CAST(:org AS uuid) AND month = CAST(:month AS date)) AS settled,
      ARRAY(SELECT id::text || ':' || tokens_reserved FROM jobs
             WHERE org_id = CAST(:org AS uuid) AND quota_state = 'reserved'
               AND created_at >= :start AND created_at < :end) AS open
    """
)


async def month_snapshot(session: AsyncSession, org_id: uuid.UUID, month: date) -> MonthSnapshot:
    """What Redis must hold for one month: the ledger's usage plus the reservations still open."""
    start, end = _month_bounds(month)
    row = (await session.execute(_SNAPSHOT, {"org": org_id, "month": month, "start": start, "end": end})).one()
    open_reservations = []
    for item in row.open:
        job, tokens = item.split(":")
        open_reservations.append((job, int(tokens)))
    return MonthSnapshot(int(row.used), int(row.overrun), list(row.settled), open_reservations)
