"""A model call that gives no text still costs what the provider reports (a safety block read the
prompt, thinking that ran out of tokens was billed as output), and that cost reaches the quota
instead of the whole reservation being handed back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from bot.routing.catalogue import Catalogue, shorthand_catalogue
from db.models import Job, JobKind
from sandbox.gemini import FakeGemini
from sandbox.gemini import prompt_tokens as billed_prompt
from tests.support.fakes import GEMINI_KEY, RouterFactory
from workers.generation import GenerationFailed, generate_text
from workers.providers.base import AllModelsFailed, PermanentError, TextRequest
from workers.providers.gemini import GeminiTextProvider
from workers.providers.router import TextRouter

PROMPT = "Write the release notes for the new billing page"
REQUEST = TextRequest(prompt=PROMPT, system_instruction="Plain words.", max_output_tokens=300)


@pytest.fixture
async def provider(fake_gemini: FakeGemini):
    provider = GeminiTextProvider(GEMINI_KEY, base_url=fake_gemini.url, timeout=5.0)
    yield provider
    await provider.aclose()


def prompt_tokens(fake_gemini: FakeGemini) -> int:
    """What the fake billed for the prompt of the last request (system instruction included)."""
    return billed_prompt(fake_gemini.requests[-1].body)


@pytest.mark.parametrize("fault", [{"finish_reason": "SAFETY"}, {"block_reason": "SAFETY"}])
async def test_a_safety_block_carries_what_it_cost(
    provider: GeminiTextProvider, fake_gemini: FakeGemini, fault: dict[str, str]
) -> None:
    fake_gemini.inject(**fault)
    with pytest.raises(PermanentError) as blocked:
        await provider.generate_text("gemini-a", REQUEST)
    assert blocked.value.tokens_used == prompt_tokens(fake_gemini) > 0


async def test_thinking_that_uses_up_the_output_limit_is_charged_its_thoughts(
    provider: GeminiTextProvider, fake_gemini: FakeGemini
) -> None:
    fake_gemini.inject(thoughts_tokens=5000)
    with pytest.raises(PermanentError, match="used up the output token limit") as ran_out:
        await provider.generate_text("gemini-a", REQUEST)
    # The prompt, and the thinking (billed as output) up to the whole output limit.
    assert ran_out.value.tokens_used == prompt_tokens(fake_gemini) + REQUEST.max_output_tokens


async def test_thinking_with_room_left_counts_as_output(provider: GeminiTextProvider, fake_gemini: FakeGemini) -> None:
    fake_gemini.inject(thoughts_tokens=40)
    result = await provider.generate_text("gemini-a", REQUEST)
    assert result.output_tokens >= 40 and result.tokens_used == result.input_tokens + result.output_tokens


async def test_an_empty_answer_then_an_answer_bills_both(make_router: RouterFactory, fake_gemini: FakeGemini) -> None:
    fake_gemini.inject(model="gemini-a", finish_reason="OTHER", count=1)  # no candidates' text
    router = await make_router()

    result = await router.generate_text(REQUEST)

    assert result.attempts == 2 and result.failed_attempt_tokens > 0
    assert result.tokens_used == result.input_tokens + result.output_tokens + result.failed_attempt_tokens


async def test_a_block_after_an_empty_answer_carries_both_costs(
    make_router: RouterFactory, fake_gemini: FakeGemini
) -> None:
    fake_gemini.inject(model="gemini-a", finish_reason="OTHER", count=1)
    router = await make_router()
    fake_gemini.inject(model="gemini-a", finish_reason="SAFETY", count=1)

    with pytest.raises(PermanentError) as blocked:
        await router.generate_text(REQUEST)

    per_attempt = prompt_tokens(fake_gemini)
    assert blocked.value.tokens_used == 2 * per_attempt


async def test_when_every_model_answers_empty_every_attempt_is_billed(
    make_router: RouterFactory, fake_gemini: FakeGemini
) -> None:
    fake_gemini.inject(finish_reason="OTHER", count=None)
    router = await make_router()

    with pytest.raises(AllModelsFailed) as failed:
        await router.generate_text(REQUEST)

    assert len(fake_gemini.requests) == 6
    assert failed.value.tokens_used == 6 * prompt_tokens(fake_gemini)


@dataclass
class _Context:
    """What text generation reads from a worker's context: the router, the models it routes over."""

    router: TextRouter
    latency: None = None

    @property
    def models(self) -> Catalogue:
        return shorthand_catalogue(self.router.models)


def _job() -> Job:
    return Job(id=uuid.uuid4(), org_id=uuid.uuid4(), kind=JobKind.TEXT, masked_prompt=PROMPT, tokens_reserved=2000)


async def test_a_blocked_job_is_charged_not_released(make_router: RouterFactory, fake_gemini: FakeGemini) -> None:
    """GenerationFailed.tokens_used is what the worker settles; None would release everything."""
    fake_gemini.inject(finish_reason="SAFETY", count=None)
    router = await make_router()

    with pytest.raises(GenerationFailed) as failed:
        await generate_text(_Context(router), _job(), {})

    assert failed.value.tokens_used == prompt_tokens(fake_gemini) > 0
    assert failed.value.detail["tokens_charged"] == failed.value.tokens_used


async def test_a_job_that_reached_no_model_is_released(make_router: RouterFactory, fake_gemini: FakeGemini) -> None:
    fake_gemini.inject(status=503, count=None)
    router = await make_router()

    with pytest.raises(GenerationFailed) as failed:
        await generate_text(_Context(router), _job(), {})

    assert failed.value.tokens_used is None
