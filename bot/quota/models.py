"""What the quota service answers with: plain values, no Redis or Slack types."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Limits:
    """One organization's quota settings; ``version`` orders concurrent changes."""

    monthly_budget: int
    rate_per_minute: int
    burst: int
    image_cost: int
    version: int = 0


@dataclass(frozen=True)
class Reservation:
    org_id: uuid.UUID
    job_id: uuid.UUID
    tokens: int
    month: str
    lease_until: float
    replayed: bool = False  # a repeat of an earlier reserve for the same job: nothing new was taken


@dataclass(frozen=True)
class Denial:
    """Why a reservation was refused, with what is left and when it comes back."""

    reason: str  # "budget" | "rate" | "burst"
    requested: int
    budget: int
    budget_left: int
    refills_on: date  # first day of the next month (UTC): the monthly budget starts afresh
    rate_per_minute: int
    burst: int
    available_now: int  # what the rate bucket holds now
    enough_in_seconds: float  # until the bucket holds ``requested`` (rate denials)
    full_in_seconds: float  # until the bucket is full again


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
