"""What the fault suite's checks read, built by hand for the tests of one check."""

from __future__ import annotations

from typing import Any

from bench.faults.invariants import Snapshot


def snapshot_of(**seen: Any) -> Snapshot:
    """A snapshot of a system that did nothing but what ``seen`` names (any of Snapshot's fields)."""
    empty: dict[str, Any] = {
        "jobs": {},
        "settlements": {},
        "ledger": [],
        "quota_settings": {},
        "organizations": {},
        "org_of_team": {},
        "schedules": [],
        "audit": [],
        "messages": [],
        "calls": [],
        "responses": [],
        "ephemerals": [],
        "gemini_requests": [],
        "redis_open": {},
        "redis_month_reserved": {},
    }
    return Snapshot(**{**empty, **seen})
