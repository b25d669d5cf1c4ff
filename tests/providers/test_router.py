"""The router retries, waits as told, fails over, trips breakers and traces every attempt."""

from __future__ import annotations

import random

import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from sandbox.gemini import FakeGemini
from tests.support.clock import FakeClock, SleepRecorder
from tests.support.fakes import RouterFactory
from tests.support.telemetry import counter_total
from workers.providers.base import AllModelsFailed, PermanentError, TextRequest
from workers.providers.circuit import CircuitState
from workers.providers.router import RetryPolicy, TextRouter

PROMPT = "Summarise the quarterly product update for the sales team"
REQUEST = TextRequest(prompt=PROMPT, system_instruction="Plain words.", max_output_tokens=300)


async def test_rate_limit_with_retry_after_waits_then_succeeds_on_same_model(
    make_router: RouterFactory, fake_gemini: FakeGemini, sleeps: SleepRecorder, metric_reader: InMemoryMetricReader
) -> None:
    fake_gemini.inject(model="gemini-a", status=429, retry_after=2, count=2)
    router = await make_router()

    result = await router.generate_text(REQUEST)

    assert (result.model, result.attempts) == ("gemini-a", 3)
    assert len(sleeps.waits) == 2 and all(wait >= 2.0 for wait in sleeps.waits)
    assert fake_gemini.requests_for("gemini-b") == []
    assert counter_total(metric_reader, "content_factory.model.retries") == 2
    assert counter_total(metric_reader, "content_factory.model.failovers") == 0


async def test_rate_limit_with_retry_info_only_is_honoured(
    make_router: RouterFactory, fake_gemini: FakeGemini, sleeps: SleepRecorder
) -> None:
    fake_gemini.inject(model="gemini-a", status=429, retry_delay=1.5, count=1)
    router = await make_router()

    result = await router.generate_text(REQUEST)

    assert (result.model, result.attempts) == ("gemini-a", 2)
    assert sleeps.waits and sleeps.waits[0] >= 1.5


async def test_retry_after_beyond_the_limit_fails_over_without_waiting(
    make_router: RouterFactory, fake_gemini: FakeGemini, sleeps: SleepRecorder
) -> None:
    fake_gemini.inject(model="gemini-a", status=429, retry_after=3600)
    router = await make_router()

    result = await router.generate_text(REQUEST)

    assert result.model == "gemini-b"
    assert sleeps.waits == []


async def test_overloaded_first_model_fails_over_to_second(
    make_router: RouterFactory, fake_gemini: FakeGemini, metric_reader: InMemoryMetricReader
) -> None:
    fake_gemini.inject(model="gemini-a", status=503, count=None)
    router = await make_router()

    result = await router.generate_text(REQUEST)

    assert (result.model, result.attempts) == ("gemini-b", 4)
    assert len(fake_gemini.requests_for("gemini-a")) == 3
    assert len(fake_gemini.requests_for("gemini-b")) == 1
    assert counter_total(metric_reader, "content_factory.model.failovers") == 1


async def test_all_models_down_raises_all_models_failed(make_router: RouterFactory, fake_gemini: FakeGemini) -> None:
    fake_gemini.inject(status=503, count=None)
    router = await make_router()

    with pytest.raises(AllModelsFailed) as failed:
        await router.generate_text(REQUEST)

    assert "gemini-a is overloaded (503 UNAVAILABLE)" in failed.value.reason
    assert "gemini-b is overloaded (503 UNAVAILABLE)" in failed.value.reason
    assert failed.value.reason.count("gemini-a") == 1
    assert PROMPT not in str(failed.value)
    assert len(fake_gemini.requests) == 6


async def test_safety_block_is_not_retried_nor_failed_over(
    make_router: RouterFactory, fake_gemini: FakeGemini, sleeps: SleepRecorder
) -> None:
    fake_gemini.inject(finish_reason="SAFETY", count=None)
    router = await make_router()

    with pytest.raises(PermanentError) as blocked:
        await router.generate_text(REQUEST)

    assert "SAFETY" in blocked.value.reason
    assert len(fake_gemini.requests) == 1
    assert sleeps.waits == []


async def test_slow_response_times_out_then_retry_succeeds(make_router: RouterFactory, fake_gemini: FakeGemini) -> None:
    fake_gemini.inject(model="gemini-a", delay=3.0, count=1)
    router = await make_router(timeout=0.3)

    result = await router.generate_text(REQUEST)

    assert (result.model, result.attempts) == ("gemini-a", 2)
    assert len(fake_gemini.requests_for("gemini-a")) == 2


async def test_circuit_opens_skips_the_model_and_half_opens_after_cooldown(
    make_router: RouterFactory, fake_gemini: FakeGemini, clock: FakeClock
) -> None:
    fake_gemini.inject(model="gemini-a", status=503, count=None)
    router = await make_router(
        policy=RetryPolicy(max_attempts_per_model=2, base_delay=0.0), failure_threshold=2, cooldown=30.0
    )

    first = await router.generate_text(REQUEST)
    assert first.model == "gemini-b"
    assert router.breaker("gemini-a").state is CircuitState.OPEN

    second = await router.generate_text(REQUEST)
    assert (second.model, second.attempts) == ("gemini-b", 1)
    assert len(fake_gemini.requests_for("gemini-a")) == 2, "an open circuit sends nothing"

    clock.advance(31.0)
    assert router.breaker("gemini-a").state is CircuitState.HALF_OPEN
    third = await router.generate_text(REQUEST)
    assert third.model == "gemini-b", "the one probe failed"
    assert len(fake_gemini.requests_for("gemini-a")) == 3
    assert router.breaker("gemini-a").state is CircuitState.OPEN

    fake_gemini.reset()
    clock.advance(31.0)
    fourth = await router.generate_text(REQUEST)
    assert fourth.model == "gemini-a"
    assert router.breaker("gemini-a").state is CircuitState.CLOSED


async def test_every_model_behind_an_open_circuit_fails_fast(
    make_router: RouterFactory, fake_gemini: FakeGemini
) -> None:
    fake_gemini.inject(status=503, count=None)
    router = await make_router(policy=RetryPolicy(max_attempts_per_model=1), failure_threshold=1)
    with pytest.raises(AllModelsFailed):
        await router.generate_text(REQUEST)
    fake_gemini.reset()

    with pytest.raises(AllModelsFailed, match="circuit open"):
        await router.generate_text(REQUEST)
    assert fake_gemini.requests == []


async def test_each_attempt_is_its_own_span_without_prompt_text(
    make_router: RouterFactory, fake_gemini: FakeGemini, span_exporter: InMemorySpanExporter
) -> None:
    fake_gemini.inject(model="gemini-a", status=503, count=3)
    router = await make_router()

    result = await router.generate_text(REQUEST)

    spans = span_exporter.get_finished_spans()
    assert [span.name for span in spans] == ["model.call"] * 4
    assert [span.attributes["model.attempt"] for span in spans] == [1, 2, 3, 4]
    assert [span.attributes["model.name"] for span in spans] == ["gemini-a"] * 3 + ["gemini-b"]
    assert [span.attributes["model.outcome"] for span in spans] == ["retryable"] * 3 + ["ok"]
    last = spans[-1].attributes
    assert last["model.provider"] == "gemini"
    assert (last["model.tokens_in"], last["model.tokens_out"]) == (result.input_tokens, result.output_tokens)
    assert last["model.finish_reason"] == "STOP"
    for span in spans:
        values = [str(value) for value in span.attributes.values()]
        values += [str(value) for event in span.events for value in (event.attributes or {}).values()]
        values.append(span.status.description or "")
        assert not any(PROMPT in value or "Generated for" in value for value in values)


def test_backoff_uses_full_jitter_and_never_undercuts_the_server() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)
    rng = random.Random(7)
    delays = [policy.delay_before_retry(n, None, rng) for n in range(1, 7) for _ in range(50)]
    assert all(0.0 <= delay <= 8.0 for delay in delays)
    assert max(delays[:50]) <= 1.0 and max(delays[-50:]) > 4.0
    assert all(policy.delay_before_retry(1, 5.0, rng) >= 5.0 for _ in range(20))


async def test_without_an_api_key_the_router_is_offline() -> None:
    router = TextRouter.from_settings(["gemini-a"], None, None)
    result = await router.generate_text(REQUEST)
    await router.aclose()
    assert result.text.startswith("offline provider: no model called")
    assert (result.provider, result.model, result.attempts) == ("offline", "gemini-a", 1)


def test_a_router_needs_models() -> None:
    with pytest.raises(ValueError, match="GEMINI_MODELS"):
        TextRouter.from_settings([], None, None)
