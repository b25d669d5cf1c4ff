"""The fake OpenAI-compatible server keeps the real API's shapes and limits, and can be driven
over HTTP by tests and benches in another process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.routing.catalogue import parse_catalogue
from sandbox.openai_server import FakeOpenAI, sandbox_catalogue

KEY = "fake-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
BODY = {"model": "llama", "messages": [{"role": "user", "content": "hello"}]}


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI(api_key=KEY, models=["llama"]) as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_a_completion_reports_its_usage_and_counts_it(fake: FakeOpenAI, http: aiohttp.ClientSession) -> None:
    async with http.post(fake.base_url + "/chat/completions", json=BODY, headers=AUTH) as response:
        body = await response.json()
    assert response.status == 200
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert fake.usage()["llama"].completion_tokens == usage["completion_tokens"]


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, BODY, 401),
        ({"Authorization": "Bearer wrong"}, BODY, 401),
        (AUTH, {**BODY, "model": "gpt-9"}, 404),
        (AUTH, {**BODY, "messages": []}, 400),
    ],
)
async def test_wrong_requests_get_the_apis_errors(
    fake: FakeOpenAI, http: aiohttp.ClientSession, headers: dict[str, str], body: dict[str, object], status: int
) -> None:
    async with http.post(fake.base_url + "/chat/completions", json=body, headers=headers) as response:
        assert response.status == status
        assert "message" in (await response.json())["error"]
    assert fake.usage() == {}


async def test_faults_and_latency_are_set_over_http_and_reset(fake: FakeOpenAI, http: aiohttp.ClientSession) -> None:
    async with http.post(fake.url + "/_fake/faults", json={"status": 429, "retry_after": 3}) as response:
        assert response.status == 200
    async with http.post(fake.url + "/_fake/latency", json={"model": "llama", "seconds": 0.01}) as response:
        assert response.status == 200
    async with http.post(fake.base_url + "/chat/completions", json=BODY, headers=AUTH) as response:
        assert (response.status, response.headers["Retry-After"]) == (429, "3")
    async with http.post(fake.url + "/_fake/faults", json={"status": 99}) as response:
        assert response.status == 400
    async with http.post(fake.url + "/_fake/reset") as response:
        assert response.status == 200
    assert fake.statuses == {}


def test_the_sandbox_catalogue_routes_between_both_fakes() -> None:
    document = sandbox_catalogue(["gemini-2.5-flash"], "http://127.0.0.1:1/v1", gemini_base_url="http://127.0.0.1:2")
    catalogue = parse_catalogue(document)
    assert [spec.provider for spec in catalogue.models] == ["gemini", "openai"]
    assert catalogue.priced
