"""The one place an outbound Slack Web API client is made.

Every client gets the same retry policy, so a 429 from Slack (or from the local sandbox) is
retried after its Retry-After everywhere, not just where someone remembered to ask for it.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class RetryPolicy:
    """How many times each kind of failure is retried: 429 (sleeps Retry-After plus up to 1 s of
    jitter), 500/503, and dropped connections."""

    rate_limit: int = RATE_LIMIT_RETRIES
    server_error: int = SERVER_ERROR_RETRIES
    connection_error: int = CONNECTION_ERROR_RETRIES

    def async_handlers(self) -> list[AsyncRetryHandler]:
        return [
            AsyncRateLimitErrorRetryHandler(max_retry_count=self.rate_limit),
            AsyncServerErrorRetryHandler(max_retry_count=self.server_error),
            AsyncConnectionErrorRetryHandler(max_retry_count=self.connection_error),
        ]

    def sync_handlers(self) -> list[RetryHandler]:
        return [
            RateLimitErrorRetryHandler(max_retry_count=self.rate_limit),
            ServerErrorRetryHandler(max_retry_count=self.server_error),
            ConnectionErrorRetryHandler(max_retry_count=self.connection_error),
        ]


def async_retry_handlers() -> list[AsyncRetryHandler]:
    """The default policy's handlers, for clients made elsewhere (webhooks to response_urls)."""
    return RetryPolicy().async_handlers()


def make_web_client(
    token: str | None = None,
    *,
    base_url: str | None = None,
    retries: RetryPolicy = RetryPolicy(),
    timeout: int = TIMEOUT_SECONDS,
) -> AsyncWebClient:
    """Async client for the web process. ``token=None`` suits bolt's multi-workspace mode, where
    bolt copies this client (retry handlers included) with each workspace's token."""
    return AsyncWebClient(
        token=token, base_url=normalize_base_url(base_url), timeout=timeout, retry_handlers=retries.async_handlers()
    )


def make_sync_web_client(
    token: str | None = None,
    *,
    base_url: str | None = None,
    retries: RetryPolicy = RetryPolicy(),
    timeout: int = TIMEOUT_SECONDS,
) -> WebClient:
    """Blocking client for Celery workers, with the same retry policy as the async one."""
    return WebClient(
        token=token, base_url=normalize_base_url(base_url), timeout=timeout, retry_handlers=retries.sync_handlers()
    )
