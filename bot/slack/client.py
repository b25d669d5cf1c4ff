"""The one place an outbound Slack Web API client is made.

Every client gets the same retry policy, so a 429 from Slack (or from the local sandbox) is
retried after its Retry-After everywhere, not just where someone remembered to ask for it.
"""

from __future__ import annotations

from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.web import WebClient
from slack_sdk.web.async_client import AsyncWebClient

from bot.process.settings import DEFAULT_SLACK_API_URL

# slack-sdk shares one attempt counter between all handlers of a request, so these are upper
# bounds per kind of failure, not a sum.
RATE_LIMIT_RETRIES = 3
SERVER_ERROR_RETRIES = 2
CONNECTION_ERROR_RETRIES = 2
TIMEOUT_SECONDS = 30


def normalize_base_url(base_url: str | None) -> str:
    """Slack's own API URL when unset; always ending in '/' because slack-sdk joins method names
    with urljoin, which drops the last path segment of a base without one."""
    url = (base_url or "").strip() or DEFAULT_SLACK_API_URL
    return url if url.endswith("/") else url + "/"


def async_retry_handlers(
    *,
    rate_limit_retries: int = RATE_LIMIT_RETRIES,
    server_error_retries: int = SERVER_ERROR_RETRIES,
    connection_error_retries: int = CONNECTION_ERROR_RETRIES,
) -> list[AsyncRetryHandler]:
    """429 (sleeps Retry-After plus up to 1 s of jitter), 500/503, and dropped connections."""
    return [
        AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
        AsyncServerErrorRetryHandler(max_retry_count=server_error_retries),
        AsyncConnectionErrorRetryHandler(max_retry_count=connection_error_retries),
    ]


def sync_retry_handlers(
    *,
    rate_limit_retries: int = RATE_LIMIT_RETRIES,
    server_error_retries: int = SERVER_ERROR_RETRIES,
    connection_error_retries: int = CONNECTION_ERROR_RETRIES,
) -> list[RetryHandler]:
    return [
        RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
        ServerErrorRetryHandler(max_retry_count=server_error_retries),
        ConnectionErrorRetryHandler(max_retry_count=connection_error_retries),
    ]


def make_web_client(
    token: str | None = None,
    *,
    base_url: str | None = None,
    rate_limit_retries: int = RATE_LIMIT_RETRIES,
    server_error_retries: int = SERVER_ERROR_RETRIES,
    connection_error_retries: int = CONNECTION_ERROR_RETRIES,
    timeout: int = TIMEOUT_SECONDS,
) -> AsyncWebClient:
    """Async client for the web process. ``token=None`` suits bolt's multi-workspace mode, where
    bolt copies this client (retry handlers included) with each workspace's token."""
    return AsyncWebClient(
        token=token,
        base_url=normalize_base_url(base_url),
        timeout=timeout,
        retry_handlers=async_retry_handlers(
            rate_limit_retries=rate_limit_retries,
            server_error_retries=server_error_retries,
            connection_error_retries=connection_error_retries,
        ),
    )


def make_sync_web_client(
    token: str | None = None,
    *,
    base_url: str | None = None,
    rate_limit_retries: int = RATE_LIMIT_RETRIES,
    server_error_retries: int = SERVER_ERROR_RETRIES,
    connection_error_retries: int = CONNECTION_ERROR_RETRIES,
    timeout: int = TIMEOUT_SECONDS,
) -> WebClient:
    """Blocking client for Celery workers, with the same retry policy as the async one."""
    return WebClient(
        token=token,
        base_url=normalize_base_url(base_url),
        timeout=timeout,
        retry_handlers=sync_retry_handlers(
            rate_limit_retries=rate_limit_retries,
            server_error_retries=server_error_retries,
            connection_error_retries=connection_error_retries,
        ),
    )
