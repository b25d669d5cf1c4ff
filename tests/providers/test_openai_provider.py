"""The OpenAI-compatible provider against the fake server: text and usage, errors classified,
timeouts, Retry-After; and the router over a catalogue of several providers."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from bot.routing.catalogue import Catalogue, ModelSpec
from bot.routing.pricing import cost_micros
from sandbox.openai_server import FakeOpenAI
from tests.support.clock import FakeClock, SleepRecorder
from tests.support.fakes import OPENAI_KEY, fake_openai
from workers.providers.base import AllModelsFailed, PermanentError, RetryableError, TextRequest
from workers.providers.openai_compat import OpenAICompatibleProvider
from workers.providers.router import RetryPolicy, TextRouter

__all__ = ["fake_openai"]

KEY = OPENAI_KEY
REQUEST = TextRequest(prompt="a haiku about tea", system_instruction="You write haiku.", max_output_tokens=256)


@contextlib.asynccontextmanager
async def _provider(
    base_url: str, *, api_key: str = KEY, timeout_s: float = 5.0
) -> AsyncIterator[OpenAICompatibleProvider]:
    client = OpenAICompatibleProvider(api_key=api_key, base_url=base_url, timeout=timeout_s)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def provider(fake_openai: FakeOpenAI) -> AsyncIterator[OpenAICompatibleProvider]:
    async with _provider(fake_openai.base_url) as client:
        yield client


def spec(name: str, base_url: str, *, input_price: str = "0", output_price: str = "0") -> ModelSpec:
    return ModelSpec(
        name=name,
        provider="openai",
        model_id=f"{name}-id",
        base_url=base_url,
        api_key_env="FAKE_OPENAI_KEY",
        input_price=Decimal(input_price),
        output_price=Decimal(output_price),
    )


async def test_text_and_usage_come_back_as_the_server_reported_them(
    provider: OpenAICompatibleProvider, fake_openai: FakeOpenAI
) -> None:
    result = await provider.generate_text("llama-3-8b", REQUEST)

    assert result.text.startswith("Generated for: a haiku about tea")
    assert (result.provider, result.finish_reason) == ("openai", "stop")
    usage = fake_openai.usage()["llama-3-8b"]
    assert (result.input_tokens, result.output_tokens) == (usage.prompt_tokens, usage.completion_tokens)
    [sent] = fake_openai.requests
    assert sent.api_key == KEY
    assert sent.body["messages"] == [
        {"role": "system", "content": "You write haiku."},
        {"role": "user", "content": "a haiku about tea"},
    ]
    assert sent.body["max_tokens"] == 256


async def test_a_429_is_retryable_and_carries_its_retry_after(
    provider: OpenAICompatibleProvider, fake_openai: FakeOpenAI
) -> None:
    fake_openai.inject(status=429, retry_after=7)
    with pytest.raises(RetryableError) as error:
        await provider.generate_text("llama-3-8b", REQUEST)
    assert error.value.retry_after == 7.0
    assert "is rate limited (429)" in error.value.reason


@pytest.mark.parametrize(
    ("status", "error"),
    [(500, RetryableError), (502, RetryableError), (503, RetryableError), (400, PermanentError), (404, PermanentError)],
)
async def test_server_errors_are_retryable_and_client_errors_permanent(
    provider: OpenAICompatibleProvider, fake_openai: FakeOpenAI, status: int, error: type[Exception]
) -> None:
    fake_openai.inject(status=status)
    with pytest.raises(error):
        await provider.generate_text("llama-3-8b", REQUEST)


async def test_a_wrong_key_is_permanent_and_never_shows_the_key(fake_openai: FakeOpenAI) -> None:
    async with _provider(fake_openai.base_url, api_key="sk-wrong-secret") as client:
        with pytest.raises(PermanentError) as error:
            await client.generate_text("llama-3-8b", REQUEST)
    assert "rejected the API key (401)" in error.value.reason
    assert "sk-wrong-secret" not in str(error.value)


async def test_a_slow_answer_times_out_as_retryable(fake_openai: FakeOpenAI) -> None:
    fake_openai.set_latency("llama-3-8b", 5.0)
    async with _provider(fake_openai.base_url, timeout_s=0.2) as client:
        with pytest.raises(RetryableError) as error:
            await client.generate_text("llama-3-8b", REQUEST)
    assert "timed out" in error.value.reason


async def test_an_unreachable_server_is_retryable() -> None:
    async with _provider("http://127.0.0.1:9/v1", timeout_s=2.0) as client:
        with pytest.raises(RetryableError) as error:
            await client.generate_text("llama-3-8b", REQUEST)
    assert "could not be reached" in error.value.reason


async def test_the_router_fails_over_to_the_next_model_at_once_and_prices_the_answer(
    fake_openai: FakeOpenAI, sleeps: SleepRecorder
) -> None:
    catalogue = Catalogue(
        (
            spec("first", fake_openai.base_url, input_price="1", output_price="2"),
            spec("second", fake_openai.base_url, input_price="0.5", output_price="1.5"),
        )
    )
    router = TextRouter.from_catalogue(catalogue, environ={"FAKE_OPENAI_KEY": KEY}, sleep=sleeps)
    fake_openai.inject(model="first-id", status=503)
    try:
        result = await router.generate_text(REQUEST)
    finally:
        await router.aclose()

    assert (result.model, result.attempts) == ("second", 2)
    assert sleeps.waits == []  # another model was there: no backoff on the troubled one
    usage = fake_openai.usage()["second-id"]
    expected = cost_micros(catalogue.models[1], usage.prompt_tokens, usage.completion_tokens)
    assert result.cost_micros == expected > 0


async def test_the_last_model_honours_retry_after(fake_openai: FakeOpenAI, sleeps: SleepRecorder) -> None:
    catalogue = Catalogue((spec("only", fake_openai.base_url),))
    router = TextRouter.from_catalogue(
        catalogue,
        environ={"FAKE_OPENAI_KEY": KEY},
        sleep=sleeps,
        policy=RetryPolicy(max_attempts_per_model=2, base_delay=0.01, max_delay=0.01, failover_first=True),
    )
    fake_openai.inject(model="only-id", status=429, retry_after=3)
    try:
        result = await router.generate_text(REQUEST)
    finally:
        await router.aclose()
    assert result.model == "only"
    assert sleeps.waits == [3.0]


async def test_no_failover_once_output_was_shown(fake_openai: FakeOpenAI, sleeps: SleepRecorder) -> None:
    catalogue = Catalogue((spec("first", fake_openai.base_url), spec("second", fake_openai.base_url)))
    router = TextRouter.from_catalogue(catalogue, environ={"FAKE_OPENAI_KEY": KEY}, sleep=sleeps)
    fake_openai.inject(model="first-id", status=503)
    shown = TextRequest(
        prompt=REQUEST.prompt,
        system_instruction=REQUEST.system_instruction,
        max_output_tokens=64,
        output_shown=lambda: True,
    )
    try:
        with pytest.raises(RetryableError):
            await router.generate_text(shown)
    finally:
        await router.aclose()
    assert [request.model for request in fake_openai.requests] == ["first-id"]


async def test_a_job_follows_the_order_it_is_given_and_skips_what_is_not_allowed(
    fake_openai: FakeOpenAI, sleeps: SleepRecorder
) -> None:
    catalogue = Catalogue((spec("first", fake_openai.base_url), spec("second", fake_openai.base_url)))
    router = TextRouter.from_catalogue(catalogue, environ={"FAKE_OPENAI_KEY": KEY}, sleep=sleeps)
    try:
        result = await router.generate_text(REQUEST, models=["second", "unknown"])
        with pytest.raises(AllModelsFailed):
            await router.generate_text(REQUEST, models=[])
    finally:
        await router.aclose()
    assert result.model == "second"
    assert [request.model for request in fake_openai.requests] == ["second-id"]


async def test_a_model_that_asked_for_a_pause_is_skipped_by_the_next_jobs_until_it_ends(
    fake_openai: FakeOpenAI, sleeps: SleepRecorder, clock: FakeClock
) -> None:
    catalogue = Catalogue((spec("first", fake_openai.base_url), spec("second", fake_openai.base_url)))
    router = TextRouter.from_catalogue(catalogue, environ={"FAKE_OPENAI_KEY": KEY}, sleep=sleeps, clock=clock)
    fake_openai.inject(model="first-id", status=429, retry_after=30)
    try:
        assert (await router.generate_text(REQUEST)).model == "second"
        assert not router.healthy("first")
        assert (await router.generate_text(REQUEST)).model == "second"
        clock.advance(31)
        assert router.healthy("first")
        assert (await router.generate_text(REQUEST)).model == "first"
    finally:
        await router.aclose()
    assert [request.model for request in fake_openai.requests] == ["first-id", "second-id", "second-id", "first-id"]
