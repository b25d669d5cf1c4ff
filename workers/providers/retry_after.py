"""The HTTP Retry-After header, as every provider's server may send it."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime


def parse_retry_after_header(value: str | None) -> float | None:
    """Retry-After is either delay-seconds or an HTTP-date (RFC 9110, 10.2.3)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
