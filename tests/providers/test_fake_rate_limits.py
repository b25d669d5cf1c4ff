"""The model fakes keep the providers' per-model request limits, answered as each provider answers
them, and the router gets a burst past such a limit through without losing a call."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from sandbox.gemini import FakeGemini
from sandbox.http_fake import RequestRate
from sandbox.openai_server import FakeOpenAI
from workers.providers.base import TextRequest
from workers.providers.router import RetryPolicy, TextRouter

KEY = "rate-key"
# Two requests a second: a test waits out the window in about a second, not a minute.
LIMIT, WINDOW = 2, 1.0
GEMINI_BODY = {"contents": [{"role": "user", "parts": [{"text": "hello"}]}]}
OPENAI_BODY = {"model": "llama", "messages": [{"role": "user", "content": "hello"}]}


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def limited_gemini() -> AsyncIterator[FakeGemini]:
    async with FakeGemini(api_key=KEY, requests_per_minute=LIMIT, rate_window_seconds=WINDOW) as fake:
        yield fake


async def gemini_call(
    http: aiohttp.ClientSession, fake: FakeGemini, model: str, method: str = "generateContent"
) -> tuple[int, dict[str, Any]]:
    url = f"{fake.url}/v1beta/models/{model}:{method}"
    async with http.post(url, json=GEMINI_BODY, headers={"x-goog-api-key": KEY}) as response:
        return response.status, await response.json()


def test_a_window_admits_its_limit_and_says_when_the_next_one_fits() -> None:
    now = [100.0]
    rate = RequestRate(2, window_seconds=10.0, clock=lambda: now[0])
    assert rate.wait_before("m") is None
    now[0] += 4
    assert rate.wait_before("m") is None
    assert rate.wait_before("m") == pytest.approx(6.0)
    assert rate.wait_before("other") is None
    now[0] += 6
    assert rate.wait_before("m") is None  # the first one left the window
    assert rate.wait_before("m") == pytest.approx(4.0)  # a refused request was not counted
    assert rate.refused == 2
    assert RequestRate(None).wait_before("m") is None
    with pytest.raises(ValueError):
        RequestRate(0)


async def test_gemini_past_a_models_quota_answers_resource_exhausted_with_its_retry_delay(
    limited_gemini: FakeGemini, http: aiohttp.ClientSession
) -> None:
    assert [(await gemini_call(http, limited_gemini, "gemini-a"))[0] for _ in range(LIMIT)] == [200] * LIMIT
    status, body = await gemini_call(http, limited_gemini, "gemini-a")
    assert status == 429 and body["error"]["status"] == "RESOURCE_EXHAUSTED"
    details = {detail["@type"].rsplit(".", 1)[-1]: detail for detail in body["error"]["details"]}
    assert details["RetryInfo"]["retryDelay"] == "1s"
    violation = details["QuotaFailure"]["violations"][0]
    assert violation["quotaValue"] == str(LIMIT) and violation["quotaDimensions"]["model"] == "gemini-a"
    # Each model has its own quota, and counting tokens is not generating.
    assert (await gemini_call(http, limited_gemini, "gemini-b"))[0] == 200
    assert (await gemini_call(http, limited_gemini, "gemini-a", "countTokens"))[0] == 200
    await asyncio.sleep(WINDOW)
    assert (await gemini_call(http, limited_gemini, "gemini-a"))[0] == 200


async def test_openai_past_a_models_limit_answers_rate_limit_exceeded_with_its_headers(
    http: aiohttp.ClientSession,
) -> None:
    async with FakeOpenAI(api_key=KEY, requests_per_minute=LIMIT, rate_window_seconds=WINDOW) as fake:
        headers = {"Authorization": f"Bearer {KEY}"}
        statuses = []
        for _ in range(LIMIT + 1):
            async with http.post(fake.base_url + "/chat/completions", json=OPENAI_BODY, headers=headers) as response:
                statuses.append(response.status)
                body, answer_headers = await response.json(), response.headers
        assert statuses == [200] * LIMIT + [429]
        assert body["error"]["code"] == "rate_limit_exceeded" and body["error"]["type"] == "requests"
        assert f"Limit {LIMIT}" in body["error"]["message"]
        assert 0 < int(answer_headers["retry-after-ms"]) <= WINDOW * 1000
        assert answer_headers["Retry-After"] == "1" and answer_headers["x-ratelimit-remaining-requests"] == "0"


async def test_the_router_gets_a_burst_past_the_quota_through_without_losing_a_call(
    limited_gemini: FakeGemini,
) -> None:
    burst = 2 * LIMIT + 1
    router = TextRouter.from_settings(
        ["gemini-a"],
        KEY,
        limited_gemini.url,
        timeout=10.0,
        policy=RetryPolicy(max_attempts_per_model=8, base_delay=0.05, max_delay=2.0),
    )
    try:
        request = TextRequest(
            prompt="Write a short welcome note", system_instruction="Plain words.", max_output_tokens=50
        )
        results = await asyncio.gather(*(router.generate_text(request) for _ in range(burst)))
    finally:
        await router.aclose()
    assert len(results) == burst and all(result.model == "gemini-a" and result.text for result in results)
    assert limited_gemini.rate.refused > 0, "the burst was past the quota"
    answered = limited_gemini.requests_for("gemini-a")
    assert len(answered) == burst + limited_gemini.rate.refused
