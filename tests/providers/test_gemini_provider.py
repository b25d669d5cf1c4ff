"""The Gemini provider turns what the SDK reports into results and classified errors."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from sandbox.gemini import FakeGemini
from tests.support.fakes import GEMINI_KEY
from workers.providers.base import PermanentError, RetryableError, TextRequest
from workers.providers.gemini import GeminiTextProvider, parse_retry_after_header, parse_retry_info

REQUEST = TextRequest(
    prompt="Announce the team offsite in two lines", system_instruction="Be upbeat.", max_output_tokens=300
)


@pytest.fixture
async def provider(fake_gemini: FakeGemini):
    provider = GeminiTextProvider(GEMINI_KEY, base_url=fake_gemini.url, timeout=0.5)
    yield provider
    await provider.aclose()


async def test_text_and_usage_come_back(provider: GeminiTextProvider, fake_gemini: FakeGemini) -> None:
    result = await provider.generate_text("gemini-a", REQUEST)
    assert result.text.startswith("Generated for: Announce the team offsite")
    assert (result.model, result.provider, result.finish_reason, result.attempts) == ("gemini-a", "gemini", "STOP", 1)
    assert result.input_tokens > 0 and result.output_tokens > 0
    assert fake_gemini.requests[0].api_version == "v1beta"


async def test_rate_limit_carries_the_retry_after_header(provider: GeminiTextProvider, fake_gemini: FakeGemini) -> None:
    fake_gemini.inject(status=429, retry_after=2)
    with pytest.raises(RetryableError) as limited:
        await provider.generate_text("gemini-a", REQUEST)
    assert limited.value.retry_after == 2.0
    assert "429" in limited.value.reason and REQUEST.prompt not in str(limited.value)


async def test_rate_limit_carries_the_retry_info_delay(provider: GeminiTextProvider, fake_gemini: FakeGemini) -> None:
    fake_gemini.inject(status=429, retry_delay=3)
    with pytest.raises(RetryableError) as limited:
        await provider.generate_text("gemini-a", REQUEST)
    assert limited.value.retry_after == 3.0


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, RetryableError),
        (503, RetryableError),
        (504, RetryableError),
        (408, RetryableError),
        (400, PermanentError),
        (403, PermanentError),
        (404, PermanentError),
    ],
)
async def test_server_trouble_is_retryable_and_client_mistakes_permanent(
    provider: GeminiTextProvider, fake_gemini: FakeGemini, status: int, error: type[Exception]
) -> None:
    fake_gemini.inject(status=status)
    with pytest.raises(error):
        await provider.generate_text("gemini-a", REQUEST)


async def test_wrong_key_is_permanent(fake_gemini: FakeGemini) -> None:
    provider = GeminiTextProvider("wrong", base_url=fake_gemini.url)
    with pytest.raises(PermanentError) as refused:
        await provider.generate_text("gemini-a", REQUEST)
    await provider.aclose()
    assert "401" in refused.value.reason


@pytest.mark.parametrize("finish_reason", ["SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST"])
async def test_blocked_output_is_permanent(
    provider: GeminiTextProvider, fake_gemini: FakeGemini, finish_reason: str
) -> None:
    fake_gemini.inject(finish_reason=finish_reason)
    with pytest.raises(PermanentError) as blocked:
        await provider.generate_text("gemini-a", REQUEST)
    assert finish_reason in blocked.value.reason


async def test_blocked_prompt_is_permanent(provider: GeminiTextProvider, fake_gemini: FakeGemini) -> None:
    fake_gemini.inject(block_reason="SAFETY")
    with pytest.raises(PermanentError, match="blocked the prompt"):
        await provider.generate_text("gemini-a", REQUEST)


async def test_slow_answer_times_out_as_retryable(provider: GeminiTextProvider, fake_gemini: FakeGemini) -> None:
    fake_gemini.inject(delay=3.0)
    with pytest.raises(RetryableError, match="timed out"):
        await provider.generate_text("gemini-a", REQUEST)


async def test_unreachable_server_is_retryable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = GeminiTextProvider(GEMINI_KEY, base_url=f"http://127.0.0.1:{port}", timeout=2.0)
    with pytest.raises(RetryableError, match="could not be reached"):
        await provider.generate_text("gemini-a", REQUEST)
    await provider.aclose()


def test_retry_after_header_accepts_seconds_and_dates() -> None:
    assert parse_retry_after_header("7") == 7.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (parse_retry_after_header(later) or 0) <= 30
    assert parse_retry_after_header("soon") is None
    assert parse_retry_after_header(None) is None


def test_retry_info_accepts_both_duration_forms() -> None:
    detail = {"@type": "type.googleapis.com/google.rpc.RetryInfo"}
    assert parse_retry_info({"error": {"details": [{**detail, "retryDelay": "1.5s"}]}}) == 1.5
    assert parse_retry_info({"error": {"details": [{**detail, "retryDelay": {"seconds": 2, "nanos": 5e8}}]}}) == 2.5
    assert parse_retry_info({"error": {"details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo"}]}}) is None
