"""The durable side of the quota: settings, the monthly usage ledger and settlements in PostgreSQL.

Every function runs inside the caller's tenant transaction (``Database.tenant``, or for the
settlement every job writes, ``Database.tenant_driver``), so Row-Level Security scopes it to one
organization; the explicit ``org_id`` filters are there for the indexes.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Row, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.orgs.service import OrgDefaults
from bot.quota.models import Limits, ModelSpend, Spend
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
                QuotaSettings.money_budget_micros,
                QuotaSettings.currency,
            )
        )
    ).first()
    if row is None:
        defaults = OrgDefaults()
        return Limits(defaults.monthly_budget, defaults.rate_per_minute, defaults.burst, defaults.image_cost, 0)
    return Limits(*row)


_WRITE_LIMITS = text(
    f"""
    INSERT INTO quota_settings AS q (org_id, monthly_budget, rate_per_minute, burst, image_cost,
                                     money_budget_micros, currency, updated_at)
    VALUES (CAST(:org AS uuid), coalesce(CAST(:budget AS bigint), :d_budget), coalesce(CAST(:rate AS integer), :d_rate),
            coalesce(CAST(:burst AS integer), :d_burst), coalesce(CAST(:image_cost AS integer), :d_image_cost),
            CASE WHEN CAST(:set_money AS boolean) THEN CAST(:money AS bigint) END,
            CASE WHEN CAST(:set_money AS boolean) THEN CAST(:currency AS varchar) END,
            clock_timestamp())
    ON CONFLICT (org_id) DO UPDATE SET
        monthly_budget = coalesce(CAST(:budget AS bigint), q.monthly_budget),
        rate_per_minute = coalesce(CAST(:rate AS integer), q.rate_per_minute),
        burst = coalesce(CAST(:burst AS integer), q.burst),
        image_cost = coalesce(CAST(:image_cost AS integer), q.image_cost),
        -- the money budget may be set to nothing, so a flag says whether it changes at all
        money_budget_micros = CASE WHEN CAST(:set_money AS boolean) THEN CAST(:money AS bigint)
                                   ELSE q.money_budget_micros END,
        currency = CASE WHEN CAST(:set_money AS boolean) THEN CAST(:currency AS varchar) ELSE q.currency END,
        -- strictly increasing per organization: the version Redis uses to keep the newest limits
        updated_at = greatest(clock_timestamp(), q.updated_at + interval '1 microsecond')
    RETURNING monthly_budget, rate_per_minute, burst, image_cost, {_VERSION}, money_budget_micros, currency
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
    money: tuple[int | None, str | None] | None = None,
) -> Limits:
    """Change the given settings (``None`` keeps one) and return all of them, newly versioned.
    ``money`` is (millionths, currency), or (None, None) for no money budget."""
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
                "set_money": money is not None,
                "money": money[0] if money is not None else None,
                "currency": money[1] if money is not None else None,
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
    cost_micros: int = 0  # the money charged (millionths)


# One statement: the settlement row (exactly once, keyed by job id), the month's usage (only when
# that row was new) and the job's quota state commit together or not at all. Every job of the
# pipeline runs it, so it goes to the connection's asyncpg driver as it is, prepared once per
# connection ($1 job, $2 organization, $3 actual, $4 outcome, $5 reserved, $6 month, $7 default month,
# $8-$13 the spend: model, input and output tokens, cost, cached input tokens, and the cost per
# attempt as a JSON array of ``ModelCharge`` lines).
_RECORD = """
    WITH job AS (
        SELECT tokens_reserved, created_at, model, input_tokens, output_tokens, cost_micros, cached_input_tokens,
               model_charges
          FROM jobs WHERE id = CAST($1 AS uuid)
    ), entry AS (
        INSERT INTO quota_settlements (job_id, org_id, month, reserved, actual, overrun,
                                       model, input_tokens, output_tokens, cost_micros, cached_input_tokens,
                                       charges, settled_at)
        -- reserved unknown (neither Redis nor a job row remembers it): no overrun can be claimed;
        -- greatest() skips the NULL
        SELECT CAST($1 AS uuid), CAST($2 AS uuid), m.month, coalesce(m.reserved, 0), CAST($3 AS bigint),
               greatest(CAST($3 AS bigint) - m.reserved, 0),
               -- what the worker passes, else what it kept on the job with the result (a settlement
               -- after a crash); a release charges no money
               CASE WHEN CAST($4 AS varchar) = 'settled'
                    THEN coalesce(CAST($8 AS varchar), (SELECT model FROM job)) END,
               CASE WHEN CAST($4 AS varchar) = 'settled'
                    THEN coalesce(CAST($9 AS bigint), (SELECT input_tokens FROM job)) END,
               CASE WHEN CAST($4 AS varchar) = 'settled'
                    THEN coalesce(CAST($10 AS bigint), (SELECT output_tokens FROM job)) END,
               CASE WHEN CAST($4 AS varchar) = 'settled'
                    THEN coalesce(CAST($11 AS bigint), (SELECT cost_micros FROM job), 0) ELSE 0 END,
               CASE WHEN CAST($4 AS varchar) = 'settled'
                    THEN coalesce(CAST($12 AS bigint), (SELECT cached_input_tokens FROM job)) END,
               CASE WHEN CAST($4 AS varchar) = 'settled'
                    THEN coalesce(CAST($13 AS text)::jsonb, (SELECT model_charges FROM job)) END,
               now()
          FROM (SELECT coalesce(CAST($6 AS date),
                                (SELECT date_trunc('month', created_at AT TIME ZONE 'UTC')::date FROM job),
                                CAST($7 AS date)) AS month,
                       coalesce(CAST($5 AS bigint), (SELECT tokens_reserved FROM job)) AS reserved) m
        ON CONFLICT (job_id) DO NOTHING
        RETURNING month, reserved, actual, overrun, cost_micros
    ), usage AS (
        INSERT INTO usage_ledger AS u (org_id, month, tokens_used, overrun, spent_micros, updated_at)
        SELECT CAST($2 AS uuid), month, actual, overrun, cost_micros, now() FROM entry
        ON CONFLICT (org_id, month) DO UPDATE
           SET tokens_used = u.tokens_used + excluded.tokens_used,
               overrun = u.overrun + excluded.overrun,
               spent_micros = u.spent_micros + excluded.spent_micros,
               updated_at = now()
    ), job_state AS (
        UPDATE jobs
           SET quota_state = CAST($4 AS varchar),
               tokens_used = CASE WHEN CAST($4 AS varchar) = 'settled' THEN CAST($3 AS bigint)
                                  ELSE jobs.tokens_used END
         WHERE id = CAST($1 AS uuid) AND quota_state = 'reserved' AND EXISTS (SELECT 1 FROM entry)
    )
    SELECT month, reserved, actual, overrun, cost_micros FROM entry
    """

_EXISTING = (
    "SELECT month, reserved, actual, overrun, cost_micros FROM quota_settlements WHERE job_id = CAST($1 AS uuid)"
)
# A job row written after its settlement (rare) still gets marked, or the reaper would revisit it.
_MARK_JOB = """
    UPDATE jobs SET quota_state = CASE WHEN CAST($2 AS bigint) > 0 THEN 'settled' ELSE 'released' END
     WHERE id = CAST($1 AS uuid) AND quota_state = 'reserved'
    """


def _entry(row: Any, *, inserted: bool) -> LedgerEntry:
    return LedgerEntry(
        row["month"], row["reserved"], row["actual"], row["overrun"], inserted=inserted, cost_micros=row["cost_micros"]
    )


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
    spend: Spend | None = None,
) -> LedgerEntry:
    """Write the job's settlement once; a repeat changes nothing and returns the first one.

    ``driver`` is the asyncpg connection of the caller's ``Database.tenant_driver`` transaction.
    ``reserved``/``month`` come from Redis's reservation when it has one; otherwise the job row's
    ``tokens_reserved`` and creation month, else nothing reserved in ``default_month``.
    """
    row = await driver.fetchrow(
        _RECORD,
        job_id,
        org_id,
        actual,
        outcome,
        reserved,
        month,
        default_month,
        spend.model if spend else None,
        spend.input_tokens if spend else None,
        spend.output_tokens if spend else None,
        spend.cost_micros if spend else None,
        spend.cached_input_tokens if spend else None,
        json.dumps([charge.to_json() for charge in spend.charges]) if spend and spend.charges else None,
    )
    if row is not None:
        return _entry(row, inserted=True)
    # A new statement sees what the concurrent winner committed while this one waited on it.
    row = await driver.fetchrow(_EXISTING, job_id)
    if row is None:
        raise LookupError(f"job {job_id} was settled by another organization")
    await driver.execute(_MARK_JOB, job_id, row["actual"])
    return _entry(row, inserted=False)


@dataclass(frozen=True)
class MonthSnapshot:
    used: int
    overrun: int
    settled: list[str]  # job ids with a settlement row in the month
    open: list[tuple[str, int, int]]  # (job id, tokens, money reserved) of jobs still holding a reservation
    spent_micros: int = 0


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
      (SELECT coalesce(sum(spent_micros), 0) FROM usage_ledger
        WHERE org_id = CAST(:org AS uuid) AND month = CAST(:month AS date)) AS spent,
      ARRAY(SELECT job_id::text FROM quota_settlements
             WHERE org_id = CAST(:org AS uuid) AND month = CAST(:month AS date)) AS settled,
      ARRAY(SELECT id::text || ':' || tokens_reserved || ':' || cost_reserved_micros FROM jobs
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
        job, tokens, micros = item.split(":")
        open_reservations.append((job, int(tokens), int(micros)))
    return MonthSnapshot(int(row.used), int(row.overrun), list(row.settled), open_reservations, int(row.spent))


# Each attempt's cost is booked to the model that served it; a settlement without per-attempt
# lines (an image, an older row) is one line, its own columns.
_SPEND_BY_MODEL = text(
    """
    SELECT c.model, count(DISTINCT s.job_id) AS jobs, coalesce(sum(c.input_tokens), 0) AS input_tokens,
           coalesce(sum(c.output_tokens), 0) AS output_tokens, coalesce(sum(c.cost_micros), 0) AS cost,
           coalesce(sum(c.cached_input_tokens), 0) AS cached_input_tokens
      FROM quota_settlements s
     CROSS JOIN LATERAL jsonb_to_recordset(coalesce(s.charges, jsonb_build_array(jsonb_build_object(
               'model', s.model, 'input_tokens', s.input_tokens, 'output_tokens', s.output_tokens,
               'cost_micros', s.cost_micros, 'cached_input_tokens', s.cached_input_tokens))))
           AS c(model varchar, input_tokens bigint, output_tokens bigint, cost_micros bigint,
                cached_input_tokens bigint)
     WHERE s.org_id = CAST(:org AS uuid) AND s.month = CAST(:month AS date) AND c.model IS NOT NULL
     GROUP BY c.model
     ORDER BY cost DESC, c.model
    """
)


async def spend_by_model(session: AsyncSession, org_id: uuid.UUID, month: date) -> tuple[ModelSpend, ...]:
    """A month's settled spend per model, dearest first: every attempt at the model that served it
    (``jobs``: how many jobs called it)."""
    rows = await session.execute(_SPEND_BY_MODEL, {"org": org_id, "month": month})
    return tuple(
        ModelSpend(
            row.model,
            int(row.jobs),
            int(row.input_tokens),
            int(row.output_tokens),
            int(row.cost),
            cached_input_tokens=int(row.cached_input_tokens),
        )
        for row in rows
    )
