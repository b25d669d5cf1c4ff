"""Every attempt of a job is billed at the model that served it: a model that reports usage and
then gives no answer is charged its own input and output prices for what it reported, and the
model that answers next is charged its own; nothing is moved onto the last model. A response
without usage is charged the estimate of what was sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from google.genai.types import GenerateContentResponse
from openai.types.chat import ChatCompletion, ChatCompletionMessage
from openai.types.chat.chat_completion import Choice

from bot.quota.models import ModelCharge, Spend
from bot.routing.catalogue import Catalogue, ModelSpec
from bot.routing.pricing import cost_micros
from sandbox.gemini import FakeGemini
from sandbox.gemini import prompt_tokens as gemini_prompt_tokens
from sandbox.openai_server import BLANK_ANSWER, FakeOpenAI
from sandbox.openai_server import count_tokens as openai_tokens
from tests.support.fakes import GEMINI_KEY, OPENAI_KEY, fake_gemini, fake_openai
from workers.providers.base import AllModelsFailed, RetryableError, TextRequest
from workers.providers.gemini import result_from_response
from workers.providers.openai_compat import result_from_completion
from workers.providers.router import RetryPolicy, TextRouter
from workers.providers.tokens import estimate_tokens

__all__ = ["fake_gemini", "fake_openai"]

REQUEST = TextRequest(prompt="Announce the new office hours", system_instruction="Plain words.", max_output_tokens=300)
THOUGHTS = 120  # what the Gemini model thinks before it gives nothing


def priced(name: str, provider: str, model_id: str, url: str, key_env: str, prices: tuple[str, str]) -> ModelSpec:
    return ModelSpec(
        name,
        provider,
        model_id,
        base_url=url,
        api_key_env=key_env,
        input_price=Decimal(prices[0]),
        output_price=Decimal(prices[1]),
    )


@pytest.fixture
def catalogue(fake_gemini: FakeGemini, fake_openai: FakeOpenAI) -> Catalogue:
    return Catalogue(
        (
            priced("flash", "gemini", "gemini-a", fake_gemini.url, "G_KEY", ("0.30", "2.50")),
            priced("mini", "openai", "gpt-mini", fake_openai.base_url, "O_KEY", ("0.15", "0.60")),
            priced("llama", "openai", "llama-8b", fake_openai.base_url, "O_KEY", ("0.05", "0.08")),
        )
    )


@pytest.fixture
async def router(catalogue: Catalogue) -> AsyncIterator[TextRouter]:
    # One attempt per model: each model's bill is one call's.
    policy = RetryPolicy(max_attempts_per_model=1, failover_first=True)
    router = TextRouter.from_catalogue(catalogue, environ={"G_KEY": GEMINI_KEY, "O_KEY": OPENAI_KEY}, policy=policy)
    yield router
    await router.aclose()


def spec(catalogue: Catalogue, name: str) -> ModelSpec:
    found = catalogue.get(name)
    assert found is not None
    return found


async def test_a_blank_answer_is_billed_at_its_own_model_and_the_answer_at_the_next(
    router: TextRouter, catalogue: Catalogue, fake_openai: FakeOpenAI
) -> None:
    fake_openai.inject(model="gpt-mini", blank_answer=True)

    result = await router.generate_text(REQUEST, models=["mini", "llama"])

    usage = fake_openai.usage()
    blank, answer = usage["gpt-mini"], usage["llama-8b"]
    assert blank.completion_tokens == openai_tokens(BLANK_ANSWER) > 0
    assert result.charges == (
        ModelCharge(
            "mini",
            1,
            blank.prompt_tokens,
            blank.completion_tokens,
            cost_micros(spec(catalogue, "mini"), blank.prompt_tokens, blank.completion_tokens),
        ),
        ModelCharge(
            "llama",
            2,
            answer.prompt_tokens,
            answer.completion_tokens,
            cost_micros(spec(catalogue, "llama"), answer.prompt_tokens, answer.completion_tokens),
        ),
    )
    assert result.cost_micros == sum(charge.cost_micros for charge in result.charges)
    assert result.failed_attempt_tokens == blank.prompt_tokens + blank.completion_tokens
    assert result.spend == Spend(
        "llama", answer.prompt_tokens, answer.completion_tokens, result.cost_micros, charges=result.charges
    )


async def test_thinking_that_gave_no_text_is_billed_as_that_models_output(
    router: TextRouter, catalogue: Catalogue, fake_gemini: FakeGemini, fake_openai: FakeOpenAI
) -> None:
    fake_gemini.inject(model="gemini-a", finish_reason="OTHER", thoughts_tokens=THOUGHTS)

    result = await router.generate_text(REQUEST, models=["flash", "llama"])

    read = gemini_prompt_tokens(fake_gemini.requests[0].body)
    flash_cost = cost_micros(spec(catalogue, "flash"), read, THOUGHTS)
    # Priced as input, the thinking would cost a ninth of what Gemini bills for it as output.
    assert flash_cost > cost_micros(spec(catalogue, "flash"), read + THOUGHTS, 0)
    first, second = result.charges
    assert first == ModelCharge("flash", 1, read, THOUGHTS, flash_cost)
    assert (second.model, second.attempt) == ("llama", 2)
    assert result.cost_micros == flash_cost + second.cost_micros


async def test_a_job_no_model_answered_carries_each_models_bill(
    router: TextRouter, catalogue: Catalogue, fake_openai: FakeOpenAI
) -> None:
    fake_openai.inject(blank_answer=True, count=None)

    with pytest.raises(AllModelsFailed) as failed:
        await router.generate_text(REQUEST, models=["mini", "llama"])

    usage = fake_openai.usage()
    expected = {
        name: cost_micros(spec(catalogue, name), usage[model].prompt_tokens, usage[model].completion_tokens)
        for name, model in (("mini", "gpt-mini"), ("llama", "llama-8b"))
    }
    error = failed.value
    assert {charge.model: charge.cost_micros for charge in error.charges} == expected
    assert error.cost_micros == sum(expected.values())
    assert error.tokens_used == sum(u.prompt_tokens + u.completion_tokens for u in usage.values())
    assert error.model == "llama"
    spend = Spend.of_charges(error.model, error.charges)
    assert (spend.cost_micros, spend.output_tokens) == (error.cost_micros, 2 * openai_tokens(BLANK_ANSWER))


def test_an_empty_completion_without_usage_is_charged_the_estimate_of_what_was_sent() -> None:
    blank = ChatCompletion(
        id="c",
        object="chat.completion",
        created=0,
        model="llama-8b",
        choices=[Choice(index=0, message=ChatCompletionMessage(role="assistant", content=""), finish_reason="stop")],
        usage=None,
    )

    with pytest.raises(RetryableError) as raised:
        result_from_completion("llama-8b", blank, REQUEST)

    sent = estimate_tokens(REQUEST.system_instruction) + estimate_tokens(REQUEST.prompt)
    assert (raised.value.input_tokens, raised.value.output_tokens) == (sent, 0)


def test_a_gemini_response_without_candidates_or_usage_is_charged_the_estimate_of_the_prompt() -> None:
    with pytest.raises(RetryableError) as raised:
        result_from_response("gemini-a", GenerateContentResponse(candidates=[]), prompt=REQUEST.prompt)

    assert (raised.value.input_tokens, raised.value.output_tokens) == (estimate_tokens(REQUEST.prompt), 0)
