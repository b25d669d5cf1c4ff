"""Where one organization's quota lives in Redis.

Every key carries the organization id as a hash tag (``{...}``), so all of an organization's keys
fall in one Redis Cluster slot and each Lua script touches a single node. Key names are built once
per organization and month: they sit on the path of every reservation.

With REGIONS, a region that shares its Redis with other regions keeps its keys in a key space of its
own (``cf:q:eu:{org}:...``, ``Settings.quota_key_space``); a region with a Redis of its own, and a
service without REGIONS, use none (``cf:q:{org}:...``, as always).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from functools import lru_cache

PREFIX = "cf:q:"


@lru_cache(maxsize=64)
def _label_of_hour(hour: int) -> str:
    return datetime.fromtimestamp(hour * 3600, UTC).strftime("%Y-%m")


def month_label(moment: float) -> str:
    """The UTC month of an epoch time, as ``YYYY-MM``: budgets run per calendar month in UTC."""
    # A UTC month always starts on the hour, so the hour decides it.
    return _label_of_hour(int(moment // 3600))


def month_start(label: str) -> date:
    year, month = label.split("-")
    return date(int(year), int(month), 1)


def next_month_start(label: str) -> date:
    start = month_start(label)
    return date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)


class OrgKeys:
    """The key names of one organization (use ``org_keys``, which remembers them)."""

    __slots__ = ("_base", "bucket", "every", "leases", "reservations", "settings")

    def __init__(self, org_id: uuid.UUID, key_space: str = "") -> None:
        self._base = f"{PREFIX}{key_space}{{{org_id}}}:"
        # Hash: budget, rate, burst, image_cost, version (a short-lived copy of quota_settings).
        self.settings = self._base + "cfg"
        # Hash: tokens, ts, rate, burst (the rate limiter's token bucket).
        self.bucket = self._base + "bucket"
        # Hash: job id -> "tokens:YYYY-MM" for every open reservation.
        self.reservations = self._base + "res"
        # Sorted set: job id -> lease deadline (epoch seconds) of every open reservation.
        self.leases = self._base + "open"
        # A SCAN pattern matching every key above (a region move clears them from the old region).
        self.every = self._base + "*"

    def month(self, label: str) -> str:
        """Hash: used, reserved, overrun for one month (created only by a rebuild)."""
        return f"{self._base}month:{label}"

    def settled(self, label: str) -> str:
        """Set of job ids already settled or released in that month: makes settling exactly-once."""
        return f"{self._base}settled:{label}"


@lru_cache(maxsize=4096)
def org_keys(org_id: uuid.UUID, key_space: str = "") -> OrgKeys:
    return OrgKeys(org_id, key_space)


@lru_cache(maxsize=4096)
def reserve_keys(org_id: uuid.UUID, label: str, key_space: str = "") -> list[str]:
    """KEYS of reserve.lua (callers must not change the list)."""
    keys = org_keys(org_id, key_space)
    return [keys.settings, keys.bucket, keys.month(label), keys.settled(label), keys.reservations, keys.leases]


@lru_cache(maxsize=4096)
def settle_keys(org_id: uuid.UUID, label: str, key_space: str = "") -> list[str]:
    """KEYS of settle.lua (callers must not change the list)."""
    keys = org_keys(org_id, key_space)
    return [keys.bucket, keys.month(label), keys.settled(label), keys.reservations, keys.leases]


@lru_cache(maxsize=4096)
def rebuild_keys(org_id: uuid.UUID, label: str, key_space: str = "") -> list[str]:
    """KEYS of rebuild.lua (callers must not change the list)."""
    keys = org_keys(org_id, key_space)
    return [keys.settings, keys.month(label), keys.settled(label), keys.reservations, keys.leases]
