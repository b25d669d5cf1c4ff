"""The one retry policy for text models: backoff with jitter, Retry-After, failover, circuit breakers.

Each model name routes to a provider and that provider's model id (``ModelRoute``): one provider
for ``GEMINI_MODELS``, several for a catalogue (``from_catalogue``). A job may name the order to
try the models in (``bot.routing.policy`` decides it); without one, the configured order holds.
The router prices each attempt from the catalogue and records how long each answer took.

Every attempt is an OpenTelemetry span ``model.call``; retries and failovers are counted. Spans
carry model names, attempt numbers, token counts and outcomes, never prompt or output text.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TypedDict, Unpack

from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from bot.quota.models import ModelCharge
from bot.routing.catalogue import Catalogue, ModelSpec
from bot.routing.latency import LatencyBoard
from bot.routing.pricing import cost_micros
from workers.providers.base import (
    AllModelsFailed,
    PermanentError,
    ProviderError,
    RetryableError,
    StreamStopped,
    TextProvider,
    TextRequest,
    TextResult,
    TextStream,
)
from workers.providers.circuit import CircuitBreaker, CircuitState
from workers.providers.offline import OfflineTextProvider
from workers.providers.rate_limit import ModelRateLimit
from workers.providers.tokens import estimate_tokens

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts_per_model: int = 3
    base_delay: float = 0.5
    max_delay: float = 20.0
    # A server asking for a longer wait has run this model out for a while: fail over instead.
    max_retry_after: float = 30.0
    # Move to the next model at the first retryable failure and retry only the last one: with
    # several providers, another model answers sooner than a backoff on a troubled one.
    failover_first: bool = False

    def attempts_on(self, position: int, count: int) -> int:
        if self.failover_first and position + 1 < count:
            return 1
        return self.max_attempts_per_model

    def delay_before_retry(self, retry_number: int, retry_after: float | None, rng: random.Random) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2^(n-1))], but never less than the server asked."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry_number - 1))
        delay = rng.uniform(0.0, ceiling)
        return max(delay, retry_after) if retry_after is not None else delay


@dataclass(frozen=True)
class ModelRoute:
    """Where a model name goes: the provider, its id there, and its catalogue entry (prices)."""

    provider: TextProvider
    model_id: str
    spec: ModelSpec | None = None


class RouterOptions(TypedDict, total=False):
    """What ``from_settings`` and ``from_catalogue`` pass on to the router as given (the
    constructor's defaults where absent): failure handling, time, telemetry and rate limits."""

    failure_threshold: int
    cooldown: float
    sleep: Sleep
    clock: Clock
    rng: random.Random | None
    tracer_provider: trace.TracerProvider | None
    meter_provider: metrics.MeterProvider | None
    rate_limit: ModelRateLimit | None


class TextRouter:
    def __init__(
        self,
        provider: TextProvider,
        models: Sequence[str],
        *,
        routes: Mapping[str, ModelRoute] | None = None,
        latency: LatencyBoard | None = None,
        policy: RetryPolicy | None = None,
        failure_threshold: int = 5,
        cooldown: float = 30.0,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
        rng: random.Random | None = None,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
        rate_limit: ModelRateLimit | None = None,
    ) -> None:
        if not models:
            raise ValueError("at least one text model is required (GEMINI_MODELS)")
        self.provider = provider
        self.models = tuple(models)
        self.routes: dict[str, ModelRoute] = {model: ModelRoute(provider, model) for model in self.models}
        self.routes.update(routes or {})
        self.latency = latency
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self.rate_limit = rate_limit
        self._rng = rng or random.Random()
        self._clock = clock
        # Until when (clock) a model asked not to be called (Retry-After): with failover first,
        # jobs go to the other models meanwhile instead of calling it again.
        self._paused_until: dict[str, float] = {}
        self._breakers = {
            model: CircuitBreaker(failure_threshold=failure_threshold, cooldown=cooldown, clock=clock)
            for model in self.models
        }
        self._tracer = trace.get_tracer(__name__, tracer_provider=tracer_provider)
        meter = metrics.get_meter(__name__, meter_provider=meter_provider)
        self._retries = meter.create_counter(
            "content_factory.model.retries", unit="1", description="Model calls retried on the same model"
        )
        self._failovers = meter.create_counter(
            "content_factory.model.failovers", unit="1", description="Jobs moved on to the next model"
        )

    @classmethod
    def from_settings(
        cls,
        models: Sequence[str],
        api_key: str | None,
        base_url: str | None,
        *,
        timeout: float = 60.0,
        policy: RetryPolicy | None = None,
        latency: LatencyBoard | None = None,
        **options: Unpack[RouterOptions],
    ) -> TextRouter:
        """Gemini when a key is set, else the offline placeholder (the local sandbox)."""
        provider = _provider_for("gemini", api_key, base_url, timeout)
        return cls(provider, models, policy=policy, latency=latency, **options)

    @classmethod
    def from_catalogue(
        cls,
        catalogue: Catalogue,
        *,
        environ: Mapping[str, str] | None = None,
        timeout: float = 60.0,
        policy: RetryPolicy | None = None,
        latency: LatencyBoard | None = None,
        **options: Unpack[RouterOptions],
    ) -> TextRouter:
        """Every text model of the catalogue, each through its provider; one client per endpoint
        and key. A Gemini model without its key answers offline (the local sandbox), as before."""
        clients: dict[tuple[str, str | None, str | None], TextProvider] = {}
        routes: dict[str, ModelRoute] = {}
        for spec in catalogue.of_kind("text"):
            key = spec.api_key(environ)
            endpoint = (spec.provider, spec.base_url, key)
            if endpoint not in clients:
                clients[endpoint] = _provider_for(spec.provider, key, spec.base_url, timeout)
            routes[spec.name] = ModelRoute(clients[endpoint], spec.model_id, spec)
        if not routes:
            raise ValueError("the model catalogue has no text model")
        first = next(iter(routes.values())).provider
        if policy is None:
            policy = RetryPolicy(failover_first=not catalogue.shorthand)
        return cls(first, list(routes), routes=routes, policy=policy, latency=latency, **options)

    def breaker(self, model: str) -> CircuitBreaker:
        return self._breakers[model]

    def healthy(self, model: str) -> bool:
        """Would a call go through now (circuit not open, no Retry-After pending)? Asked by the
        routing decision."""
        breaker = self._breakers.get(model)
        return breaker is not None and breaker.state is not CircuitState.OPEN and not self.paused(model)

    def paused(self, model: str) -> bool:
        """Still within the wait a model asked for (failover-first routing only: GEMINI_MODELS
        keeps waiting the pause out on the same model, as it always did)."""
        return self.policy.failover_first and self._paused_until.get(model, 0.0) > self._clock()

    async def generate_text(self, request: TextRequest, *, models: Sequence[str] | None = None) -> TextResult:
        """Try each model in order (``models``, else the configured order); raise PermanentError at
        once, AllModelsFailed at the end. What every attempt cost is carried to the end, each
        attempt's usage (as the provider reported it) priced at the catalogue prices of the model
        that served it: on the result as ``charges``, ``failed_attempt_tokens`` and ``cost_micros``,
        on the error as ``charges``, ``tokens_used`` and ``cost_micros``."""
        order = [model for model in (self.models if models is None else models) if model in self._breakers]
        if not order:
            raise AllModelsFailed("no text model is allowed for this organization")
        attempts = 0
        bill = _Bill()
        failures: list[str] = []
        last_model: str | None = None
        for index, model in enumerate(order):
            breaker = self._breakers[model]
            route = self.routes[model]
            last_error: RetryableError | None = None
            if index + 1 < len(order) and self.paused(model):
                failures.append(f"{model} skipped (it asked for a pause)")
                continue
            for try_on_model in range(1, self.policy.attempts_on(index, len(order)) + 1):
                if not breaker.allow():
                    break
                attempts += 1
                last_model = model
                try:
                    result = await self._attempt(model, route, request, attempts, breaker)
                except PermanentError as error:
                    bill.add(
                        model, route.spec, attempts, error.input_tokens, error.output_tokens, error.cached_input_tokens
                    )
                    bill.close(error, model)
                    raise
                except StreamStopped as stopped:
                    # The reader refused what the model wrote (the output guard): no other model.
                    bill.add(model, route.spec, attempts, stopped.input_tokens, stopped.output_tokens)
                    bill.close(stopped, model)
                    raise
                except RetryableError as error:
                    bill.add(
                        model, route.spec, attempts, error.input_tokens, error.output_tokens, error.cached_input_tokens
                    )
                    last_error = error
                    if request.shown():
                        # Another model would start the answer again under what was already shown.
                        bill.close(error, model)
                        raise
                    if not self._worth_retrying(try_on_model, index, len(order), error, breaker):
                        break
                    self._retries.add(1, {"model.provider": route.provider.name, "model.name": model})
                    await self._sleep(self.policy.delay_before_retry(try_on_model, error.retry_after, self._rng))
                    continue
                failed_tokens = bill.tokens
                bill.add(
                    model,
                    route.spec,
                    attempts,
                    result.input_tokens,
                    result.output_tokens,
                    result.cached_input_tokens,
                )
                return replace(
                    result,
                    model=model,
                    attempts=attempts,
                    failed_attempt_tokens=result.failed_attempt_tokens + failed_tokens,
                    cost_micros=bill.cost_micros,
                    charges=bill.charges,
                )
            failures.append(last_error.reason if last_error else f"{model} skipped (circuit open)")
            if index + 1 < len(order):
                self._failovers.add(
                    1,
                    {"model.provider": route.provider.name, "model.name": model, "model.next": order[index + 1]},
                )
        failed = AllModelsFailed("no text model answered: " + "; ".join(failures))
        bill.close(failed, last_model)
        raise failed

    def _worth_retrying(
        self, try_on_model: int, position: int, count: int, error: RetryableError, breaker: CircuitBreaker
    ) -> bool:
        # An open circuit refuses the next attempt anyway, so waiting for it would be wasted time.
        if try_on_model >= self.policy.attempts_on(position, count) or breaker.state is CircuitState.OPEN:
            return False
        return error.retry_after is None or error.retry_after <= self.policy.max_retry_after

    async def _attempt(
        self, model: str, route: ModelRoute, request: TextRequest, attempt: int, breaker: CircuitBreaker
    ) -> TextResult:
        attributes: dict[str, str | int] = {
            "model.provider": route.provider.name,
            "model.name": model,
            "model.attempt": attempt,
        }
        with self._tracer.start_as_current_span(
            "model.call",
            kind=SpanKind.CLIENT,
            attributes=attributes,
            # Exception messages are not ours to vet; the span gets the class and our own reason.
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            estimated = estimate_tokens(request.system_instruction) + estimate_tokens(request.prompt)
            try:
                if self.rate_limit is not None:
                    # Inside the try: a job cancelled while it waits frees a half-open probe.
                    waited = await self.rate_limit.acquire(model, estimated)
                    span.set_attribute("model.rate_limit_wait", round(waited, 3))
                started = time.monotonic()
                if request.stream is None:
                    result = await route.provider.generate_text(route.model_id, request)
                else:
                    result = await _streamed(route.provider, route.model_id, request, request.stream)
                took = time.monotonic() - started
            except RetryableError as error:
                if error.retry_after:
                    until = self._clock() + error.retry_after
                    self._paused_until[model] = max(self._paused_until.get(model, 0.0), until)
                if self.rate_limit is not None and error.retry_after:
                    await self.rate_limit.pause(model, error.retry_after)
                breaker.record_failure()
                mark_failed(span, "retryable", error)
                if error.retry_after is not None:
                    span.set_attribute("model.retry_after", error.retry_after)
                raise
            except StreamStopped as stopped:
                # The model was answering; what it wrote is what was refused. Charged what the
                # provider reported for the chunks received; where it reported nothing (yet), the
                # estimate: the instruction and prompt sent, and the text received, at
                # ``estimate_tokens``' rate.
                breaker.record_success()
                reported_in, reported_out = stopped.reported_input_tokens, stopped.reported_output_tokens
                stopped.input_tokens = estimated if reported_in is None else reported_in
                stopped.output_tokens = estimate_tokens(stopped.received) if reported_out is None else reported_out
                stopped.tokens_used = stopped.input_tokens + stopped.output_tokens
                span.set_attribute("model.outcome", "stopped")
                raise
            except PermanentError as error:
                # The model answered; the request is what failed, so the model stays trusted.
                breaker.record_success()
                mark_failed(span, "permanent", error)
                raise
            except BaseException as error:
                breaker.release()
                span.set_attribute("model.outcome", "error")
                span.set_attribute("error.type", type(error).__name__)
                span.set_status(Status(StatusCode.ERROR))
                raise
            breaker.record_success()
            if self.latency is not None:
                await self.latency.record(model, took)
            if self.rate_limit is not None:
                await self.rate_limit.correct_tokens(model, estimated, result.input_tokens + result.output_tokens)
            span.set_attribute("model.outcome", "ok")
            span.set_attribute("model.tokens_in", result.input_tokens)
            span.set_attribute("model.tokens_out", result.output_tokens)
            span.set_attribute("model.finish_reason", result.finish_reason)
            return result

    async def aclose(self) -> None:
        providers = {id(route.provider): route.provider for route in self.routes.values()}
        providers.setdefault(id(self.provider), self.provider)
        for provider in providers.values():
            await provider.aclose()


class _Bill:
    """A job's model calls so far, each priced at the model that served it."""

    def __init__(self) -> None:
        self.lines: list[ModelCharge] = []

    def add(
        self,
        model: str,
        spec: ModelSpec | None,
        attempt: int,
        input_tokens: int,
        output_tokens: int,
        cached_input_tokens: int = 0,
    ) -> ModelCharge | None:
        """Book one attempt; one that reported nothing (an HTTP error, a time-out) costs nothing."""
        if input_tokens <= 0 and output_tokens <= 0:
            return None
        price = 0 if spec is None else cost_micros(spec, input_tokens, output_tokens, cached_input_tokens)
        line = ModelCharge(model, attempt, input_tokens, output_tokens, price, cached_input_tokens=cached_input_tokens)
        self.lines.append(line)
        return line

    @property
    def charges(self) -> tuple[ModelCharge, ...]:
        return tuple(self.lines)

    @property
    def tokens(self) -> int:
        return sum(line.input_tokens + line.output_tokens for line in self.lines)

    @property
    def cost_micros(self) -> int:
        return sum(line.cost_micros for line in self.lines)

    def close(self, failure: ProviderError | StreamStopped, model: str | None) -> None:
        """Put the whole job's bill on the failure that ends it."""
        failure.tokens_used = self.tokens
        failure.cost_micros = self.cost_micros
        failure.charges = self.charges
        failure.model = model


async def _streamed(provider: TextProvider, model_id: str, request: TextRequest, stream: TextStream) -> TextResult:
    """One attempt whose answer goes to ``stream`` as it arrives; a provider that cannot stream
    hands it over whole at the end. A piece the stream refuses stops the call (``StreamStopped``)."""
    await stream.begin()
    received: list[str] = []

    async def relay(text: str) -> None:
        received.append(text)
        try:
            await stream.add(text)
        except Exception as error:
            stopped = StreamStopped(error)
            stopped.received = "".join(received)
            raise stopped from error

    stream_text = getattr(provider, "stream_text", None)
    if stream_text is None:
        result = await provider.generate_text(model_id, request)
        await relay(result.text)
        return result
    streamed: TextResult = await stream_text(model_id, request, relay)
    return streamed


def _provider_for(provider: str, api_key: str | None, base_url: str | None, timeout: float) -> TextProvider:
    # Each SDK is imported here, where its client is built: they are the slowest imports of the
    # product (about half a second together), and a web process, the guard and the tests that use
    # neither SDK (the offline placeholder, a fake provider) never pay for them.
    if provider == "openai":
        from workers.providers.openai_compat import OpenAICompatibleProvider

        return OpenAICompatibleProvider(api_key=api_key, base_url=base_url, timeout=timeout)
    if api_key:
        from workers.providers.gemini import GeminiTextProvider

        return GeminiTextProvider(api_key, base_url=base_url, timeout=timeout)
    return OfflineTextProvider()


def mark_failed(span: trace.Span, outcome: str, error: ProviderError) -> None:
    span.set_attribute("model.outcome", outcome)
    span.set_attribute("error.type", type(error).__name__)
    span.set_status(Status(StatusCode.ERROR, error.reason))
