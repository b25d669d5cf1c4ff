"""The telemetry fixtures are the root conftest's plugin (tests/support/telemetry.py)."""

from __future__ import annotations

from tests.support.telemetry import Telemetry, by_id

__all__ = ["Telemetry", "by_id"]
