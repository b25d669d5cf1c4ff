"""Where one organization's quota lives in Redis.

Every key carries the organization id as a hash tag (``{...}``), so all of an organization's keys
fall in one Redis Cluster slot and each Lua script touches a single node.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

PREFIX = "cf:q:"


def month_label(moment: float) -> str:
    """The UTC month of an epoch time, as ``YYYY-MM``: budgets run per calendar month in UTC."""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m")


def month_start(label: str) -> date:
    year, month = label.split("-")
    return date(int(year), int(month), 1)


def next_month_start(label: str) -> date:
    start = month_start(label)
    return date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)


@dataclass(frozen=True)
class OrgKeys:
    org_id: uuid.UUID

    @property
    def _base(self) -> str:
        return f"{PREFIX}{{{self.org_id}}}:"

    @property
    def settings(self) -> str:
        """Hash: budget, rate, burst, image_cost, version (a short-lived copy of quota_settings)."""
        return self._base + "cfg"

    @property
    def bucket(self) -> str:
        """Hash: tokens, ts (the rate limiter's token bucket)."""
        return self._base + "bucket"

    def month(self, label: str) -> str:
        """Hash: used, reserved, overrun for one month."""
        return f"{self._base}month:{label}"

    def settled(self, label: str) -> str:
        """Set of job ids already settled or released in that month: makes settling exactly-once."""
        return f"{self._base}settled:{label}"

    @property
    def reservations(self) -> str:
        """Hash: job id -> ``tokens:month`` for every open reservation."""
        return self._base + "res"

    @property
    def leases(self) -> str:
        """Sorted set: job id -> lease deadline (epoch seconds) of every open reservation."""
        return self._base + "open"
