"""What an HTTP status from a model provider means: whether asking again can help, and in words."""

from __future__ import annotations

from workers.providers.base import PermanentError, ProviderError, RetryableError

# 409 is ABORTED in Google's mapping (a concurrency conflict), which its guidance says to retry;
# OpenAI-compatible servers use it the same way.
RETRYABLE_STATUS_CODES = frozenset({408, 409, 429, 500, 502, 503, 504})
STATUS_WORDS = {
    400: "rejected the request as invalid",
    401: "rejected the API key",
    403: "refused access with this API key",
    404: "is not available",
    408: "timed out",
    429: "is rate limited",
    500: "had an internal error",
    502: "had a gateway error",
    503: "is overloaded",
    504: "timed out",
}


def error_for_status(
    model: str, code: int, *, status: str | None = None, retry_after: float | None, detail: str | None
) -> ProviderError:
    """``status``: the provider's own name for the code (Google's "RESOURCE_EXHAUSTED"), if any."""
    named = f"{code} {status}" if status is not None else str(code)
    reason = f"{model} {STATUS_WORDS.get(code, 'failed')} ({named})"
    if code in RETRYABLE_STATUS_CODES:
        return RetryableError(reason, retry_after=retry_after, detail=detail)
    return PermanentError(reason, detail=detail)
