"""Which image provider answers a job: the catalogue's image models through the same policy as
text (allowed models, order, a circuit breaker each, Retry-After honoured), else the configured
diffusion pipeline, else the placeholder."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.routing.catalogue import Catalogue, ModelSpec
from bot.routing.pricing import image_cost_micros
from workers.providers.base import (
    AllModelsFailed,
    ImageProvider,
    ImageRequest,
    ImageResult,
    PermanentError,
    RetryableError,
)
from workers.providers.circuit import CircuitBreaker, CircuitState
from workers.providers.offline import OfflineImageProvider
from workers.providers.router import RetryPolicy

# An image is slow and dear: a troubled model hands over to the next one at its first retryable
# failure, and only the last one allowed is tried again (after what its server asked to wait).
IMAGE_RETRY_POLICY = RetryPolicy(failover_first=True)


def image_provider_from_settings(diffusion_model: str | None) -> ImageProvider:
    if not diffusion_model:
        return OfflineImageProvider()
    return diffusion_provider(diffusion_model)


def diffusion_provider(model: str) -> ImageProvider:
    try:
        # Imported here: torch and diffusers are the optional `image` extra.
        from workers.providers.diffusion import DiffusionImageProvider
    except ImportError as exc:
        raise PermanentError(
            "a diffusion model is configured but image support is not installed (pip install '.[image]')"
        ) from exc
    return DiffusionImageProvider(model)


@dataclass(frozen=True)
class RoutedImage:
    result: ImageResult
    model: str  # the catalogue's name for it
    cost_micros: int


class ImageRouter:
    """Tries the image models a job may use, in order, with the text router's retry rules
    (:data:`IMAGE_RETRY_POLICY`); a model's failures open its circuit.

    Synchronous: it runs on a worker thread. Providers are built on first use, so a text-only
    process never loads a pipeline."""

    def __init__(
        self,
        specs: Sequence[ModelSpec],
        *,
        environ: Mapping[str, str] | None = None,
        failure_threshold: int = 3,
        cooldown: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        build: Callable[[ModelSpec, str | None], ImageProvider] | None = None,
        policy: RetryPolicy = IMAGE_RETRY_POLICY,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.specs = {spec.name: spec for spec in specs}
        self._environ = environ
        self._build = build or _build_image_provider
        self._providers: dict[str, ImageProvider] = {}
        self.policy = policy
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._breakers = {
            name: CircuitBreaker(failure_threshold=failure_threshold, cooldown=cooldown, clock=clock)
            for name in self.specs
        }

    @classmethod
    def from_catalogue(cls, catalogue: Catalogue) -> ImageRouter | None:
        specs = catalogue.of_kind("image")
        return cls(specs) if specs else None

    def healthy(self, name: str) -> bool:
        breaker = self._breakers.get(name)
        return breaker is not None and breaker.state is not CircuitState.OPEN

    def provider(self, name: str) -> ImageProvider:
        if name not in self._providers:
            spec = self.specs[name]
            self._providers[name] = self._build(spec, spec.api_key(self._environ))
        return self._providers[name]

    def generate_image(
        self, models: Sequence[str], request_for: Callable[[ImageProvider], ImageRequest]
    ) -> RoutedImage:
        failures: list[str] = []
        for index, name in enumerate(models):
            breaker = self._breakers.get(name)
            if breaker is None:
                failures.append(f"{name} is not an image model")
                continue
            last_error: RetryableError | None = None
            attempts = self.policy.attempts_on(index, len(models))
            for attempt in range(1, attempts + 1):
                if not breaker.allow():
                    break
                try:
                    provider = self.provider(name)
                    result = provider.generate_image(request_for(provider))
                except RetryableError as error:
                    breaker.record_failure()
                    last_error = error
                    if not self._worth_retrying(attempt, attempts, error, breaker):
                        break
                    self._sleep(self.policy.delay_before_retry(attempt, error.retry_after, self._rng))
                    continue
                except PermanentError:
                    breaker.record_success()
                    raise
                except BaseException:
                    breaker.release()
                    raise
                breaker.record_success()
                return RoutedImage(result, name, image_cost_micros(self.specs[name]))
            failures.append(last_error.reason if last_error else f"{name} skipped (circuit open)")
        raise AllModelsFailed("no image model answered: " + "; ".join(failures or ["none allowed"]))

    def _worth_retrying(self, attempt: int, attempts: int, error: RetryableError, breaker: CircuitBreaker) -> bool:
        if attempt >= attempts or breaker.state is CircuitState.OPEN:
            return False
        return error.retry_after is None or error.retry_after <= self.policy.max_retry_after


def _build_image_provider(spec: ModelSpec, api_key: str | None) -> ImageProvider:
    if spec.provider == "gemini-image":
        if not api_key:
            return OfflineImageProvider()
        from workers.providers.gemini_images import GeminiImageProvider

        return GeminiImageProvider(api_key, spec.model_id, base_url=spec.base_url)
    return diffusion_provider(spec.model_id)
