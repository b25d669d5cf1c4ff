"""What the quota service answers with: plain values, no Redis or Slack types."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Limits:
    """One organization's quota settings; ``version`` orders concurrent changes."""

    monthly_budget: int
    rate_per_minute: int
    burst: int
    image_cost: int
    version: int = 0
    # A monthly budget in money, in millionths of ``currency``; None: none.
    money_budget: int | None = None
    currency: str | None = None


@dataclass(frozen=True)
class ModelCharge:
    """One model call's bill: the model that served that attempt, the tokens it reported (or the
    documented estimate where it reported none) and their cost at that model's prices, in
    millionths of the catalogue's currency."""

    model: str
    attempt: int
    input_tokens: int
    output_tokens: int
    cost_micros: int
    cached_input_tokens: int = 0

    def to_json(self) -> dict[str, str | int]:
        return {
            "model": self.model,
            "attempt": self.attempt,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cached_input_tokens": self.cached_input_tokens,
            "cost_micros": self.cost_micros,
        }

    @classmethod
    def from_json(cls, line: Mapping[str, Any]) -> ModelCharge:
        return cls(
            str(line["model"]),
            int(line["attempt"]),
            int(line["input_tokens"]),
            int(line["output_tokens"]),
            int(line["cost_micros"]),
            cached_input_tokens=int(line.get("cached_input_tokens") or 0),
        )


@dataclass(frozen=True)
class Spend:
    """What a job's model calls cost: the model that answered (or last failed), the tokens it
    reported and the price table's cost in millionths of the catalogue's currency, every attempt
    included. Of the input tokens, ``cached_input_tokens`` were read from the provider's context
    cache (the cost already prices them at the cached price). ``charges``: the same cost per
    attempt, each booked to the model that served it (empty: one line, the fields above)."""

    model: str | None
    input_tokens: int
    output_tokens: int
    cost_micros: int
    cached_input_tokens: int = 0
    charges: tuple[ModelCharge, ...] = ()

    @classmethod
    def of_charges(cls, model: str | None, charges: Sequence[ModelCharge]) -> Spend:
        """A job that ended without an answer: what its attempts cost, under the last model tried."""
        return cls(
            model,
            sum(charge.input_tokens for charge in charges),
            sum(charge.output_tokens for charge in charges),
            sum(charge.cost_micros for charge in charges),
            cached_input_tokens=sum(charge.cached_input_tokens for charge in charges),
            charges=tuple(charges),
        )


@dataclass(frozen=True)
class ModelSpend:
    """One model's share of a month's spend, as the ledger holds it."""

    model: str
    jobs: int  # jobs that called it (a job that failed over counts under each model it called)
    input_tokens: int
    output_tokens: int
    cost_micros: int
    cached_input_tokens: int = 0  # of ``input_tokens``, read from the provider's context cache


@dataclass(frozen=True)
class Reservation:
    org_id: uuid.UUID
    job_id: uuid.UUID
    tokens: int
    month: str
    lease_until: float
    replayed: bool = False  # a repeat of an earlier reserve for the same job: nothing new was taken
    cost_micros: int = 0  # money reserved with the tokens (millionths of the currency)


@dataclass(frozen=True)
class Denial:
    """Why a reservation was refused, with what is left and when it comes back."""

    reason: str  # "budget" | "money" | "rate" | "burst"
    requested: int
    budget: int
    budget_left: int
    refills_on: date  # first day of the next month (UTC): the monthly budget starts afresh
    rate_per_minute: int
    burst: int
    available_now: int  # what the rate bucket holds now
    enough_in_seconds: float  # until the bucket holds ``requested`` (rate denials)
    full_in_seconds: float  # until the bucket is full again
    cost_micros: int = 0  # the money asked for (millionths)
    money_left: int | None = None  # what the money budget still had (None: no money budget)
    money_budget: int | None = None
    currency: str | None = None


@dataclass(frozen=True)
class SettleResult:
    job_id: uuid.UUID
    reserved: int
    actual: int
    overrun: int
    refunded: int  # reserved - actual given back (negative: an overrun charged)
    recorded: bool  # this call wrote the ledger row (PostgreSQL)
    applied: bool  # this call applied the settlement to Redis (at most one call does)
    closed_reservation: bool  # ...and in doing so closed an open reservation there
    synced: bool = True  # False: Redis was unreachable; the reaper finishes it from the ledger


@dataclass(frozen=True)
class QuotaStatus:
    org_id: uuid.UUID
    month: str
    budget: int
    used: int
    reserved: int
    overrun: int
    refills_on: date
    rate_per_minute: int
    burst: int
    image_cost: int
    available_now: int | None  # None when live rate data is unavailable
    full_in_seconds: float | None
    live: bool = True
    spent_micros: int = 0  # money charged this month (millionths of ``currency``)
    cost_reserved_micros: int = 0  # money held by jobs still running
    money_budget: int | None = None
    currency: str | None = None
    by_model: tuple[ModelSpend, ...] = ()

    @property
    def money_left(self) -> int | None:
        if self.money_budget is None:
            return None
        return max(0, self.money_budget - self.spent_micros - self.cost_reserved_micros)

    @property
    def left(self) -> int:
        return max(0, self.budget - self.used - self.reserved)


@dataclass
class ReapReport:
    released: list[uuid.UUID] = field(default_factory=list)
    settled: list[uuid.UUID] = field(default_factory=list)
    extended: list[uuid.UUID] = field(default_factory=list)
    failed: list[uuid.UUID] = field(default_factory=list)  # could not be finished now; tried next time

    @property
    def returned(self) -> list[uuid.UUID]:
        """Reservations this run closed (released or settled)."""
        return [*self.released, *self.settled]
