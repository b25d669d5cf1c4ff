"""Image models through the same rules as text: the allowed ones in order, the next one when a
model fails, a circuit breaker each, and the image priced from the catalogue."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.routing.catalogue import ModelSpec
from workers.providers.base import (
    AllModelsFailed,
    ImageProvider,
    ImageRequest,
    ImageResult,
    PermanentError,
    RetryableError,
)
from workers.providers.images import ImageRouter
from workers.providers.offline import OfflineImageProvider, placeholder_png

SPECS = (
    ModelSpec("hosted", "gemini-image", "gemini-2.5-flash-image", api_key_env="IMAGE_KEY", image_price=Decimal("0.04")),
    ModelSpec("local", "diffusers", "/models/sd15", image_price=Decimal("0.002")),
)


class ScriptedProvider:
    """Fails with the given errors first, then draws a placeholder."""

    name = "scripted"

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def generate_image(self, request: ImageRequest) -> ImageResult:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return ImageResult(placeholder_png(4, 4, request.seed), "scripted", self.name, request.seed, 1)


def request_for(provider: ImageProvider) -> ImageRequest:
    return ImageRequest(prompt="a fox", seed=1, steps=2, width=4, height=4, guidance_scale=7.5)


def router_with(providers: dict[str, ScriptedProvider], **options: object) -> ImageRouter:
    options.setdefault("sleep", lambda _seconds: None)
    return ImageRouter(SPECS, build=lambda spec, _key: providers[spec.name], **options)


def test_the_first_allowed_model_draws_and_its_price_is_the_cost() -> None:
    providers = {"hosted": ScriptedProvider(), "local": ScriptedProvider()}
    routed = router_with(providers).generate_image(["local", "hosted"], request_for)
    assert (routed.model, routed.cost_micros) == ("local", 2000)
    assert providers["hosted"].calls == 0


def test_a_failing_model_hands_over_to_the_next_and_opens_its_circuit() -> None:
    providers = {
        "hosted": ScriptedProvider(*(RetryableError("hosted is overloaded (503)") for _ in range(3))),
        "local": ScriptedProvider(),
    }
    router = router_with(providers, failure_threshold=2)
    for _ in range(2):
        assert router.generate_image(["hosted", "local"], request_for).model == "local"
    assert not router.healthy("hosted")
    assert router.generate_image(["hosted", "local"], request_for).model == "local"
    assert providers["hosted"].calls == 2  # the open circuit kept the third job away


def test_a_permanent_refusal_is_not_retried_elsewhere() -> None:
    providers = {"hosted": ScriptedProvider(PermanentError("hosted blocked the prompt")), "local": ScriptedProvider()}
    with pytest.raises(PermanentError):
        router_with(providers).generate_image(["hosted", "local"], request_for)
    assert providers["local"].calls == 0


def test_no_allowed_model_answering_fails_the_job_with_each_reason() -> None:
    providers = {
        "hosted": ScriptedProvider(*(RetryableError("hosted timed out") for _ in range(3))),
        "local": ScriptedProvider(),
    }
    with pytest.raises(AllModelsFailed) as failed:
        router_with(providers).generate_image(["hosted"], request_for)
    assert "hosted timed out" in failed.value.reason
    assert providers["hosted"].calls == 3 and providers["local"].calls == 0


def test_the_last_model_is_tried_again_after_the_wait_its_server_asked_for() -> None:
    waits: list[float] = []
    providers = {
        "hosted": ScriptedProvider(RetryableError("hosted is rate limited (429)", retry_after=2.0)),
        "local": ScriptedProvider(),
    }
    routed = router_with(providers, sleep=waits.append).generate_image(["hosted"], request_for)
    assert routed.model == "hosted" and providers["hosted"].calls == 2
    assert len(waits) == 1 and waits[0] >= 2.0


def test_a_model_that_is_not_the_last_hands_over_at_its_first_failure_without_waiting() -> None:
    waits: list[float] = []
    providers = {
        "hosted": ScriptedProvider(RetryableError("hosted is rate limited (429)", retry_after=2.0)),
        "local": ScriptedProvider(),
    }
    routed = router_with(providers, sleep=waits.append).generate_image(["hosted", "local"], request_for)
    assert routed.model == "local" and providers["hosted"].calls == 1 and waits == []


def test_a_wait_longer_than_the_policy_allows_fails_instead_of_sleeping() -> None:
    waits: list[float] = []
    providers = {"hosted": ScriptedProvider(RetryableError("hosted is rate limited (429)", retry_after=600.0))}
    with pytest.raises(AllModelsFailed):
        router_with(providers, sleep=waits.append).generate_image(["hosted"], request_for)
    assert waits == [] and providers["hosted"].calls == 1


def test_a_hosted_image_model_without_its_key_draws_the_placeholder() -> None:
    router = ImageRouter(SPECS, environ={})
    assert isinstance(router.provider("hosted"), OfflineImageProvider)
