"""The hosted image adapter (``provider: gemini-image``) against the fake Gemini, in Gemini's wire
format: ``generateContent`` asked for the ``IMAGE`` modality, the picture back as ``inlineData``;
errors map as for text (503 and 429 retryable, with the server's Retry-After; a block is final)."""

from __future__ import annotations

import asyncio

import pytest

from sandbox.gemini import FakeGemini, image_for
from tests.support.fakes import GEMINI_KEY
from workers.providers.base import ImageRequest, PermanentError, RetryableError
from workers.providers.gemini_images import GeminiImageProvider

MODEL = "gemini-2.5-flash-image"
REQUEST = ImageRequest(prompt="a lighthouse at dusk", seed=7, steps=20, width=512, height=512, guidance_scale=7.5)


def provider(fake: FakeGemini) -> GeminiImageProvider:
    return GeminiImageProvider(GEMINI_KEY, MODEL, base_url=fake.url, timeout=10)


async def test_the_image_comes_back_as_inline_data_and_is_the_result(fake_gemini: FakeGemini) -> None:
    result = await asyncio.to_thread(provider(fake_gemini).generate_image, REQUEST)

    assert result.png == image_for(REQUEST.prompt) and result.png.startswith(b"\x89PNG")
    assert (result.model, result.provider, result.units) == (MODEL, "gemini-image", 1)
    [call] = fake_gemini.requests
    assert (call.model, call.method, call.api_key) == (MODEL, "generateContent", GEMINI_KEY)
    assert call.body["generationConfig"]["responseModalities"] == ["IMAGE"]


@pytest.mark.parametrize(("status", "retry_after"), [(503, None), (429, 3)])
async def test_overload_and_rate_limits_are_retryable_with_the_wait_asked_for(
    fake_gemini: FakeGemini, status: int, retry_after: int | None
) -> None:
    fake_gemini.inject(model=MODEL, status=status, retry_after=retry_after)
    with pytest.raises(RetryableError) as raised:
        await asyncio.to_thread(provider(fake_gemini).generate_image, REQUEST)
    assert raised.value.retry_after == retry_after


async def test_a_blocked_prompt_is_final_and_says_it_was_filtered(fake_gemini: FakeGemini) -> None:
    fake_gemini.inject(model=MODEL, block_reason="SAFETY")
    with pytest.raises(PermanentError) as raised:
        await asyncio.to_thread(provider(fake_gemini).generate_image, REQUEST)
    assert "filtered" in raised.value.reason
