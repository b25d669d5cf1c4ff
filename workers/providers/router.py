"""The one retry policy for text models: backoff with jitter, Retry-After, failover, circuit breakers.

Every attempt is an OpenTelemetry span ``model.call``; retries and failovers are counted. Spans
carry model names, attempt numbers, token counts and outcomes, never prompt or output text.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from workers.providers.base import (
    AllModelsFailed,
    PermanentError,
    ProviderError,
    RetryableError,
    TextProvider,
    TextRequest,
    TextResult,
)
from workers.providers.circuit import CircuitBreaker, CircuitState
from workers.providers.gemini import GeminiTextProvider
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

    def delay_before_retry(self, retry_number: int, retry_after: float | None, rng: random.Random) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2^(n-1))], but never less than the server asked."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry_number - 1))
        delay = rng.uniform(0.0, ceiling)
        return max(delay, retry_after) if retry_after is not None else delay


class TextRouter:
    def __init__(
        self,
        provider: TextProvider,
        models: Sequence[str],
        *,
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
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self.rate_limit = rate_limit
        self._rng = rng or random.Random()
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
        failure_threshold: int = 5,
        cooldown: float = 30.0,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
        rate_limit: ModelRateLimit | None = None,
    ) -> TextRouter:
        """Gemini when a key is set, else the offline placeholder (the local sandbox)."""
        provider: TextProvider
        if api_key:
            provider = GeminiTextProvider(api_key, base_url=base_url, timeout=timeout)
        else:
            provider = OfflineTextProvider()
        return cls(
            provider,
            models,
            policy=policy,
            failure_threshold=failure_threshold,
            cooldown=cooldown,
            sleep=sleep,
            clock=clock,
            tracer_provider=tracer_provider,
            meter_provider=meter_provider,
            rate_limit=rate_limit,
        )

    def breaker(self, model: str) -> CircuitBreaker:
        return self._breakers[model]

    async def generate_text(self, request: TextRequest) -> TextResult:
        """Try each model in order; raise PermanentError at once, AllModelsFailed at the end.
        What every attempt cost (as the provider reported it) is carried to the end: on the
        result as ``failed_attempt_tokens``, on the error as ``tokens_used``."""
        attempts = 0
        spent = 0  # by attempts that gave no text
        failures: list[str] = []
        for index, model in enumerate(self.models):
            breaker = self._breakers[model]
            last_error: RetryableError | None = None
            for try_on_model in range(1, self.policy.max_attempts_per_model + 1):
                if not breaker.allow():
                    break
                attempts += 1
                try:
                    result = await self._attempt(model, request, attempts, breaker)
                except PermanentError as error:
                    error.tokens_used += spent
                    raise
                except RetryableError as error:
                    spent += error.tokens_used
                    last_error = error
                    if not self._worth_retrying(try_on_model, error, breaker):
                        break
                    self._retries.add(1, {"model.provider": self.provider.name, "model.name": model})
                    await self._sleep(self.policy.delay_before_retry(try_on_model, error.retry_after, self._rng))
                    continue
                return replace(result, attempts=attempts, failed_attempt_tokens=result.failed_attempt_tokens + spent)
            failures.append(last_error.reason if last_error else f"{model} skipped (circuit open)")
            if index + 1 < len(self.models):
                self._failovers.add(
                    1,
                    {
                        "model.provider": self.provider.name,
                        "model.name": model,
                        "model.next": self.models[index + 1],
                    },
                )
        raise AllModelsFailed("no text model answered: " + "; ".join(failures), tokens_used=spent)

    def _worth_retrying(self, try_on_model: int, error: RetryableError, breaker: CircuitBreaker) -> bool:
        # An open circuit refuses the next attempt anyway, so waiting for it would be wasted time.
        if try_on_model >= self.policy.max_attempts_per_model or breaker.state is CircuitState.OPEN:
            return False
        return error.retry_after is None or error.retry_after <= self.policy.max_retry_after

    async def _attempt(self, model: str, request: TextRequest, attempt: int, breaker: CircuitBreaker) -> TextResult:
        attributes: dict[str, str | int] = {
            "model.provider": self.provider.name,
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
                result = await self.provider.generate_text(model, request)
            except RetryableError as error:
                if self.rate_limit is not None and error.retry_after:
                    await self.rate_limit.pause(model, error.retry_after)
                breaker.record_failure()
                mark_failed(span, "retryable", error)
                if error.retry_after is not None:
                    span.set_attribute("model.retry_after", error.retry_after)
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
            if self.rate_limit is not None:
                await self.rate_limit.correct_tokens(model, estimated, result.input_tokens + result.output_tokens)
            span.set_attribute("model.outcome", "ok")
            span.set_attribute("model.tokens_in", result.input_tokens)
            span.set_attribute("model.tokens_out", result.output_tokens)
            span.set_attribute("model.finish_reason", result.finish_reason)
            return result

    async def aclose(self) -> None:
        await self.provider.aclose()


def mark_failed(span: trace.Span, outcome: str, error: ProviderError) -> None:
    span.set_attribute("model.outcome", outcome)
    span.set_attribute("error.type", type(error).__name__)
    span.set_status(Status(StatusCode.ERROR, error.reason))
