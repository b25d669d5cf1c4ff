"""Reserve before, reconcile after: an organization never spends past its budget, and no token
leaks when a job fails or a worker dies.

Redis holds the live numbers (one Lua script per operation, so every check-and-take is atomic);
PostgreSQL holds the truth. Settling writes the ledger first and Redis second, both idempotent,
so a process that dies in between leaves work the reaper can finish, never a double charge. When
Redis has lost an organization's keys, the scripts say so and the month is rebuilt from the ledger
plus the reservations still open, never from zero.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Literal

import redis.asyncio as aioredis
import redis.exceptions
from redis.commands.core import AsyncScript

from bot.errors import BadInput, QuotaDenied, ServiceUnavailable
from bot.quota.estimate import DEFAULT_MAX_OUTPUT_TOKENS, estimate_tokens
from bot.quota.keys import (
    month_label,
    month_start,
    next_month_start,
    org_keys,
    rebuild_keys,
    reserve_keys,
    settle_keys,
)
from bot.quota.ledger import month_snapshot, read_limits, record_settlement, spend_by_model, write_limits
from bot.quota.messages import LEDGER_UNAVAILABLE, UNAVAILABLE, denial_message
from bot.quota.models import Denial, Limits, QuotaStatus, Reservation, SettleResult, Spend
from bot.quota.scripts import QuotaScripts
from bot.quota.telemetry import job_span
from bot.telemetry.metrics import (
    count_quota_denial,
    count_tokens_refunded,
    count_tokens_reserved,
    count_tokens_used,
)
from db.audit import record_event
from db.engine import Database, is_database_outage

log = logging.getLogger(__name__)

# Redis down, full, failing over or read-only: the quota cannot be checked, so nothing is granted.
REDIS_ERRORS = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.ReadOnlyError,
    redis.exceptions.OutOfMemoryError,
    redis.exceptions.ClusterDownError,
)

# Redis's copy of the limits lives this long, so a change Redis missed (it was down) lands soon after.
SETTINGS_TTL_SECONDS = 60
# A month's counters outlive the month by this much, for late settlements; after that, a rebuild.
MONTH_KEPT_AFTER_END = timedelta(days=35)
# Keys that vanish again right after each rebuild mean something else is deleting them.
MAX_REBUILDS = 3
# A settlement the ledger already holds is tried on Redis again after these pauses before it is
# left to the reaper: a Redis restart drops every pooled connection, and the first command on one
# fails although Redis answers again at once. Left to the reaper, the tokens stay reserved for a
# whole lease.
SETTLE_RETRY_DELAYS = (0.2, 1.0, 3.0)
# Lua numbers are doubles printed with 14 significant digits: stay well inside what they hold exactly.
MAX_BUDGET = 10**12
# quota_settings stores the rate, burst and image cost as 32-bit integers.
MAX_LIMIT = 2**31 - 1
# Money in millionths: a trillion currency units at most, inside what Lua's doubles hold exactly.
MAX_MONEY_MICROS = 10**15


class QuotaStoreUnavailable(ServiceUnavailable):
    """Redis cannot be reached: reservations are refused, never skipped."""


class LedgerUnavailable(ServiceUnavailable):
    """PostgreSQL cannot be reached: nothing was settled or changed."""


def raise_if_ledger_down(error: BaseException) -> None:
    """An unreachable PostgreSQL becomes ``LedgerUnavailable``; any other error stays itself."""
    if is_database_outage(error):
        raise LedgerUnavailable(LEDGER_UNAVAILABLE) from error


class QuotaExceeded(QuotaDenied):
    """A refused reservation, with the numbers behind the message."""

    def __init__(self, denial: Denial) -> None:
        super().__init__(denial_message(denial))
        self.denial = denial


class ReservationClosed(RuntimeError):
    """A reserve for a job whose reservation was already settled or released: job ids are single-use."""


def _strings(reply: Sequence[bytes | str | int]) -> list[str]:
    return [item.decode() if isinstance(item, bytes) else str(item) for item in reply]


def _number(value: str) -> int:
    return math.floor(float(value))


@lru_cache(maxsize=64)
def _month_expires_at(label: str) -> int:
    end = datetime.combine(next_month_start(label), datetime.min.time(), UTC)
    return int((end + MONTH_KEPT_AFTER_END).timestamp())


def _month_label_of(day: date) -> str:
    return day.strftime("%Y-%m")


def _bucket_level(level: float, ts: float, rate: int, burst: int, now: float) -> float:
    """The token bucket's level at ``now`` (the same refill the Lua scripts apply)."""
    if now > ts:
        return min(burst, level + (now - ts) * rate / 60)
    return level


def _limit_args(limits: Limits) -> list[int]:
    money = -1 if limits.money_budget is None else limits.money_budget
    return [limits.monthly_budget, limits.rate_per_minute, limits.burst, limits.image_cost, limits.version, money]


class QuotaService:
    def __init__(
        self,
        redis: aioredis.Redis,
        database: Database,
        *,
        lease_seconds: int = 900,
        clock: Callable[[], float] = time.time,
        currency: str = "USD",
        key_space: str = "",
    ) -> None:
        """``key_space``: the region's, where regions share one Redis (``Settings.quota_key_space``)."""
        self.redis = redis
        self.key_space = key_space
        # The catalogue's currency: what money budgets are set and refused in.
        self.currency = currency
        self.database = database
        self.lease_seconds = lease_seconds
        self.clock = clock
        self.scripts = QuotaScripts.register(redis)

    # -- reserve ---------------------------------------------------------------------------------

    async def reserve(self, org_id: uuid.UUID, job_id: uuid.UUID, tokens: int, *, cost_micros: int = 0) -> Reservation:
        """Take ``tokens`` from the rate bucket and the month's budget, and ``cost_micros`` from the
        month's money budget when there is one, all or nothing.

        Raises ``QuotaDenied`` (a ``QuotaExceeded``) with what is left and when it refills, or
        ``ServiceUnavailable`` when Redis cannot be reached. A repeat for the same job returns the
        first grant and takes nothing more.
        """
        if tokens <= 0:
            raise ValueError("a reservation needs a positive number of tokens")
        if cost_micros < 0:
            raise ValueError("a reservation cannot hold negative money")
        with job_span("quota.reserve", org_id, job_id, requested=tokens) as span:
            now = self.clock()
            label = month_label(now)
            reply = await self.reserve_in_redis(org_id, job_id, tokens, now, cost_micros=cost_micros)
            if isinstance(reply, int):
                span.set_attribute("quota.outcome", "granted")
                span.set_attribute("quota.tokens_reserved", reply)
                count_tokens_reserved(org_id, reply)
                # The lease ends where the script put it (Lua prints numbers too briefly to quote it).
                return Reservation(org_id, job_id, reply, label, now + self.lease_seconds, cost_micros=cost_micros)
            span.set_attribute("quota.outcome", reply[0])
            if reply[0] == "replayed":
                return Reservation(org_id, job_id, int(reply[1]), label, float(reply[2]), replayed=True)
            if reply[0] == "closed":
                raise ReservationClosed(f"job {job_id} already settled its reservation")
            denial = replace(self._denial(reply, tokens, label, cost_micros), currency=self.currency)
            span.set_attribute("quota.denial", denial.reason)
            count_quota_denial(org_id, denial.reason)
            raise QuotaExceeded(denial)

    async def reserve_in_redis(
        self, org_id: uuid.UUID, job_id: uuid.UUID, tokens: int, now: float, *, cost_micros: int = 0
    ) -> int | list[str]:
        """The reserve script's raw reply (rebuilding lost state first): the Redis half of ``reserve``."""
        label = month_label(now)
        return await self._run(
            org_id,
            label,
            now,
            self.scripts.reserve,
            reserve_keys(org_id, label, self.key_space),
            [str(job_id), tokens, repr(now), self.lease_seconds, _month_expires_at(label), cost_micros],
        )

    @staticmethod
    def _denial(reply: list[str], tokens: int, label: str, cost_micros: int) -> Denial:
        _, reason, left, level, budget, rate, burst, money_left, money = reply
        rate_per_minute, burst_tokens, available = int(rate), int(burst), float(level)
        has_money = _number(money) >= 0
        return Denial(
            reason=reason,
            requested=tokens,
            budget=_number(budget),
            budget_left=_number(left),
            refills_on=next_month_start(label),
            rate_per_minute=rate_per_minute,
            burst=burst_tokens,
            available_now=max(0, math.floor(available)),
            enough_in_seconds=max(0.0, (tokens - available) * 60 / rate_per_minute),
            full_in_seconds=max(0.0, (burst_tokens - available) * 60 / rate_per_minute),
            cost_micros=cost_micros,
            money_left=max(0, _number(money_left)) if has_money else None,
            money_budget=_number(money) if has_money else None,
        )

    # -- settle / release ------------------------------------------------------------------------

    async def settle(
        self, org_id: uuid.UUID, job_id: uuid.UUID, actual: int, *, spend: Spend | None = None
    ) -> SettleResult:
        """Charge what the job really used and give back the rest, exactly once.

        ``actual`` above the reservation is charged too and recorded as an overrun. ``spend`` is the
        model, tokens and money the ledger records (without it, what the job row kept). A repeat (or
        a concurrent duplicate) changes nothing and answers with the first settlement's numbers.
        """
        if actual < 0:
            raise ValueError("actual usage cannot be negative")
        with job_span("quota.settle", org_id, job_id, actual=actual) as span:
            result = await self.close(org_id, job_id, actual, outcome="settled", spend=spend)
            span.set_attribute("quota.tokens_reserved", result.reserved)
            span.set_attribute("quota.tokens_refunded", result.refunded)
            span.set_attribute("quota.overrun", result.overrun)
            span.set_attribute("quota.applied", result.applied)
            return result

    async def release(self, org_id: uuid.UUID, job_id: uuid.UUID) -> bool:
        """Give back everything a job reserved when it never reached a model; True when this call
        returned tokens. A job already settled keeps its settlement."""
        with job_span("quota.release", org_id, job_id):
            result = await self.close(org_id, job_id, 0, outcome="released")
            return result.closed_reservation

    async def release_unsaved(self, org_id: uuid.UUID, job_id: uuid.UUID) -> bool:
        """Release a reservation whose job row was never committed, when the ledger is unreachable.

        Safe without a ledger row: no job row means no rebuild counts the reservation, and Redis
        files the job as settled, so a later release by the reaper is a no-op."""
        held = await self._held(org_id, job_id)
        if held is None:
            return False
        reply = await self.settle_in_redis(org_id, job_id, 0, 0, held[1], self.clock())
        return isinstance(reply, int)

    async def close(
        self,
        org_id: uuid.UUID,
        job_id: uuid.UUID,
        actual: int,
        *,
        outcome: Literal["settled", "released"],
        spend: Spend | None = None,
    ) -> SettleResult:
        """The one path behind settle and release: the ledger row first, then Redis."""
        now = self.clock()
        held = await self._held(org_id, job_id)
        try:
            async with self.database.tenant_driver(org_id, "record_settlement") as driver:
                entry = await record_settlement(
                    driver,
                    org_id,
                    job_id,
                    actual=actual,
                    outcome=outcome,
                    reserved=held[0] if held else None,
                    month=month_start(held[1]) if held else None,
                    default_month=month_start(month_label(now)),
                    spend=spend,
                )
        except Exception as exc:
            raise_if_ledger_down(exc)
            raise
        if entry.inserted:
            count_tokens_used(org_id, entry.actual)
        reply = None
        for delay in (0.0, *SETTLE_RETRY_DELAYS):
            await asyncio.sleep(delay)
            try:
                reply = await self.settle_in_redis(
                    org_id,
                    job_id,
                    entry.actual,
                    entry.overrun,
                    _month_label_of(entry.month),
                    now,
                    cost_micros=entry.cost_micros,
                )
                break
            except QuotaStoreUnavailable:
                continue
        if reply is None:
            log.warning("ledger has job %s's settlement; Redis unreachable, the reaper will apply it", job_id)
            return SettleResult(
                job_id,
                entry.reserved,
                entry.actual,
                entry.overrun,
                0,
                recorded=entry.inserted,
                applied=False,
                closed_reservation=False,
                synced=False,
            )
        closed = isinstance(reply, int)
        applied = isinstance(reply, int) or reply[0] == "applied"
        # Nothing known reserved (Redis and the job row both forgot it): nothing to refund either.
        refunded = reply if isinstance(reply, int) else (entry.reserved - entry.actual if entry.reserved else 0)
        if closed and refunded > 0:
            count_tokens_refunded(org_id, refunded)
        return SettleResult(
            job_id,
            entry.reserved,
            entry.actual,
            entry.overrun,
            refunded,
            recorded=entry.inserted,
            applied=applied,
            closed_reservation=closed,
        )

    async def _held(self, org_id: uuid.UUID, job_id: uuid.UUID) -> tuple[int, str] | None:
        """The open reservation Redis holds for a job, as (tokens, month), if it can say."""
        try:
            value = await self.redis.hget(org_keys(org_id, self.key_space).reservations, str(job_id))
        except REDIS_ERRORS:
            return None  # the ledger falls back to the job row; Redis is caught up later
        if value is None:
            return None
        tokens, label, *_money = (value.decode() if isinstance(value, bytes) else value).split(":")
        return int(tokens), label

    async def settle_in_redis(
        self,
        org_id: uuid.UUID,
        job_id: uuid.UUID,
        actual: int,
        overrun: int,
        label: str,
        now: float,
        *,
        cost_micros: int = 0,
    ) -> int | list[str]:
        """The settle script's raw reply: the Redis half of ``settle``, applying a ledger entry."""
        reply: int | list[str] = []
        job = str(job_id)
        # Redis files the reservation under the month it was taken in; that month is charged.
        for _ in range(2):
            reply = await self._run(
                org_id,
                label,
                now,
                self.scripts.settle,
                settle_keys(org_id, label, self.key_space),
                [job, actual, overrun, repr(now), cost_micros],
            )
            if isinstance(reply, int) or reply[0] != "month":
                break
            label = reply[1]
        return reply

    # -- leases ----------------------------------------------------------------------------------

    async def extend_lease(self, org_id: uuid.UUID, job_id: uuid.UUID, *, now: float | None = None) -> None:
        """Keep a running job's reservation from being reaped for another lease period."""
        deadline = (self.clock() if now is None else now) + self.lease_seconds
        try:
            # XX: a closed reservation is not reopened; GT: a lease is never shortened.
            await self.redis.zadd(org_keys(org_id, self.key_space).leases, {str(job_id): deadline}, xx=True, gt=True)
        except REDIS_ERRORS as exc:
            raise QuotaStoreUnavailable(UNAVAILABLE) from exc

    # -- rebuild ---------------------------------------------------------------------------------

    async def _run(
        self, org_id: uuid.UUID, label: str, now: float, script: AsyncScript, keys: list[str], args: list[str | int]
    ) -> int | list[str]:
        """Run a script; when it reports lost state, rebuild that state from PostgreSQL and retry.

        A bare integer is a script's common answer and comes back as is."""
        for _ in range(MAX_REBUILDS):
            try:
                raw = await script(keys=keys, args=args)
            except REDIS_ERRORS as exc:
                raise QuotaStoreUnavailable(UNAVAILABLE) from exc
            if isinstance(raw, int):
                return raw
            reply = _strings(raw)
            if reply[0] != "rebuild":
                return reply
            await self._rebuild(org_id, label, reply[1], now)
        raise QuotaStoreUnavailable(UNAVAILABLE)

    async def _rebuild(self, org_id: uuid.UUID, label: str, what: str, now: float) -> None:
        keys = org_keys(org_id, self.key_space)
        try:
            async with self.database.tenant(org_id) as session:
                limits = await read_limits(session)
                snapshot = await month_snapshot(session, org_id, month_start(label)) if what == "month" else None
        except Exception as exc:
            raise_if_ledger_down(exc)
            raise
        try:
            if snapshot is None:
                await self.scripts.configure(keys=[keys.settings], args=[*_limit_args(limits), SETTINGS_TTL_SECONDS])
                return
            log.info(
                "rebuilding quota month %s of organization %s from the ledger (%d used, %d open)",
                label,
                org_id,
                snapshot.used,
                len(snapshot.open),
            )
            args: list[str | int] = [
                label,
                *_limit_args(limits),
                SETTINGS_TTL_SECONDS,
                snapshot.used,
                snapshot.overrun,
                repr(now + self.lease_seconds),
                _month_expires_at(label),
                snapshot.spent_micros,
                len(snapshot.settled),
                *snapshot.settled,
            ]
            for job, tokens, micros in snapshot.open:
                args += [job, tokens, micros]
            await self.scripts.rebuild(keys=rebuild_keys(org_id, label, self.key_space), args=args)
        except REDIS_ERRORS as exc:
            raise QuotaStoreUnavailable(UNAVAILABLE) from exc

    # -- status and settings ---------------------------------------------------------------------

    async def status(self, org_id: uuid.UUID) -> QuotaStatus:
        """This month's use, reservations and what is left, and the rate allowance right now.

        Without Redis the numbers come from the ledger and ``live`` is False.
        """
        now = self.clock()
        try:
            status = await self._live_status(org_id, now)
        except QuotaStoreUnavailable:
            return await self._ledger_status(org_id, now)
        return await self._with_spend(status)

    async def _with_spend(self, status: QuotaStatus) -> QuotaStatus:
        """The month's spend by model and the budget's currency, from the ledger; without it the
        live numbers stand alone."""
        try:
            async with self.database.tenant(status.org_id) as session:
                limits = await read_limits(session)
                by_model = await spend_by_model(session, status.org_id, month_start(status.month))
        except Exception as exc:
            if is_database_outage(exc):
                return status
            raise
        return replace(status, by_model=by_model, currency=limits.currency)

    async def _live_status(self, org_id: uuid.UUID, now: float) -> QuotaStatus:
        label = month_label(now)
        keys = org_keys(org_id, self.key_space)
        for _ in range(MAX_REBUILDS):
            try:
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.hmget(keys.settings, "budget", "rate", "burst", "image_cost", "money")
                    pipe.hmget(keys.bucket, "tokens", "ts")
                    pipe.hmget(keys.month(label), "used", "reserved", "overrun", "spent", "cost_reserved")
                    settings, bucket, month = await pipe.execute()
            except REDIS_ERRORS as exc:
                raise QuotaStoreUnavailable(UNAVAILABLE) from exc
            if settings[0] is None or month[0] is None:
                await self._rebuild(org_id, label, "settings" if month[0] is not None else "month", now)
                continue
            budget, rate, burst, image_cost = (int(value) for value in settings[:4])
            money = int(settings[4]) if settings[4] is not None else -1
            level = (
                float(burst)
                if bucket[0] is None
                else _bucket_level(float(bucket[0]), float(bucket[1]), rate, burst, now)
            )
            return QuotaStatus(
                org_id=org_id,
                month=label,
                budget=budget,
                used=int(month[0]),
                reserved=int(month[1] or 0),
                overrun=int(month[2] or 0),
                refills_on=next_month_start(label),
                rate_per_minute=rate,
                burst=burst,
                image_cost=image_cost,
                available_now=max(0, math.floor(level)),
                full_in_seconds=max(0.0, (burst - level) * 60 / rate),
                spent_micros=int(month[3] or 0),
                cost_reserved_micros=int(month[4] or 0),
                money_budget=money if money >= 0 else None,
            )
        raise QuotaStoreUnavailable(UNAVAILABLE)

    async def _ledger_status(self, org_id: uuid.UUID, now: float) -> QuotaStatus:
        label = month_label(now)
        try:
            async with self.database.tenant(org_id) as session:
                limits = await read_limits(session)
                snapshot = await month_snapshot(session, org_id, month_start(label))
                by_model = await spend_by_model(session, org_id, month_start(label))
        except Exception as exc:
            raise_if_ledger_down(exc)
            raise
        return QuotaStatus(
            org_id=org_id,
            month=label,
            budget=limits.monthly_budget,
            used=snapshot.used,
            reserved=sum(tokens for _, tokens, _money in snapshot.open),
            overrun=snapshot.overrun,
            refills_on=next_month_start(label),
            rate_per_minute=limits.rate_per_minute,
            burst=limits.burst,
            image_cost=limits.image_cost,
            available_now=None,
            full_in_seconds=None,
            live=False,
            spent_micros=snapshot.spent_micros,
            cost_reserved_micros=sum(money for _, _tokens, money in snapshot.open),
            money_budget=limits.money_budget,
            currency=limits.currency,
            by_model=by_model,
        )

    async def limits(self, org_id: uuid.UUID) -> Limits:
        """The organization's limits: Redis's copy when it has one, else PostgreSQL's."""
        keys = org_keys(org_id, self.key_space)
        try:
            values = await self.redis.hmget(keys.settings, "budget", "rate", "burst", "image_cost", "version")
            present = [value for value in values if value is not None]
            if len(present) == len(values):
                budget, rate, burst, image_cost, version = (int(value) for value in present)
                # Redis keeps no currency: a caller that needs the money budget asks PostgreSQL.
                return Limits(budget, rate, burst, image_cost, version)
        except REDIS_ERRORS:
            pass  # PostgreSQL is the source of truth anyway
        try:
            async with self.database.tenant(org_id) as session:
                return await read_limits(session)
        except Exception as exc:
            raise_if_ledger_down(exc)
            raise

    async def estimate(
        self, org_id: uuid.UUID, kind: str, masked_prompt: str, *, max_output_tokens: int = DEFAULT_MAX_OUTPUT_TOKENS
    ) -> int:
        """``estimate_tokens`` with the organization's own image cost."""
        limits = await self.limits(org_id)
        return estimate_tokens(kind, masked_prompt, max_output_tokens=max_output_tokens, image_cost=limits.image_cost)

    async def set_budget(self, org_id: uuid.UUID, tokens_per_month: int, *, actor: str) -> None:
        """Change the monthly budget now (PostgreSQL, then Redis); audited as ``quota.budget_set``."""
        if not 0 <= tokens_per_month <= MAX_BUDGET:
            raise BadInput(
                f"The monthly budget must be between 0 and {MAX_BUDGET:,} tokens.",
                usage="/content quota set <tokens-per-month>",
            )
        await self._change_limits(org_id, actor, "quota.budget_set", monthly_budget=tokens_per_month)

    async def set_money_budget(
        self, org_id: uuid.UUID, micros: int | None, currency: str | None, *, actor: str
    ) -> Limits:
        """Set the monthly budget in money (millionths of ``currency``), or None for none; audited as
        ``quota.money_budget_set``."""
        if micros is not None and not 0 <= micros <= MAX_MONEY_MICROS:
            raise BadInput("That money budget is out of range.", usage="/content quota money <amount>|off")
        return await self._change_limits(
            org_id,
            actor,
            "quota.money_budget_set",
            money=(micros, currency if micros is not None else None),
        )

    async def set_limits(
        self,
        org_id: uuid.UUID,
        *,
        rate_per_minute: int | None = None,
        burst: int | None = None,
        image_cost: int | None = None,
        actor: str,
    ) -> Limits:
        """Change the rate limit, burst or image cost now; audited as ``quota.limits_set``."""
        if rate_per_minute is not None and not 1 <= rate_per_minute <= MAX_LIMIT:
            raise BadInput(f"The rate limit must be between 1 and {MAX_LIMIT:,} tokens per minute.")
        if burst is not None and not 1 <= burst <= MAX_LIMIT:
            raise BadInput(f"The burst must be between 1 and {MAX_LIMIT:,} tokens.")
        if image_cost is not None and not 0 <= image_cost <= MAX_LIMIT:
            raise BadInput(f"The cost of an image must be between 0 and {MAX_LIMIT:,} tokens.")
        return await self._change_limits(
            org_id, actor, "quota.limits_set", rate_per_minute=rate_per_minute, burst=burst, image_cost=image_cost
        )

    async def _change_limits(
        self,
        org_id: uuid.UUID,
        actor: str,
        action: str,
        *,
        money: tuple[int | None, str | None] | None = None,
        **changes: int | None,
    ) -> Limits:
        detail: dict[str, object] = {name: value for name, value in changes.items() if value is not None}
        if money is not None:
            detail |= {"money_budget_micros": money[0], "currency": money[1]}
        try:
            async with self.database.tenant(org_id) as session:
                limits = await write_limits(session, org_id, money=money, **changes)
                await record_event(session, org_id, action, actor=actor, detail=detail)
        except Exception as exc:
            raise_if_ledger_down(exc)
            raise
        try:
            await self.scripts.configure(
                keys=[org_keys(org_id, self.key_space).settings], args=[*_limit_args(limits), SETTINGS_TTL_SECONDS]
            )
        except REDIS_ERRORS:
            log.warning(
                "limits of organization %s saved; Redis unreachable, it takes them within %d s of coming back",
                org_id,
                SETTINGS_TTL_SECONDS,
            )
        return limits
