"""The fake speaks Gemini's wire format to the real google-genai SDK and obeys its control API."""

from __future__ import annotations

import asyncio
import sys

import aiohttp
import pytest
from google import genai
from google.genai import errors, types

from sandbox.gemini import FakeGemini
from tests.support.fakes import GEMINI_KEY

PROMPT = "Write a friendly launch note for the new espresso machine"


def sdk_client(url: str, api_key: str = GEMINI_KEY) -> genai.Client:
    return genai.Client(
        api_key=api_key,
        http_options=types.HttpOptions(
            base_url=url, api_version="v1beta", retry_options=types.HttpRetryOptions(attempts=1)
        ),
    )


async def test_generate_content_returns_text_and_usage(fake_gemini: FakeGemini) -> None:
    client = sdk_client(fake_gemini.url)
    response = await client.aio.models.generate_content(
        model="gemini-a",
        contents=PROMPT,
        config=types.GenerateContentConfig(system_instruction="Be brief.", max_output_tokens=400, temperature=0.2),
    )
    await client.aio.aclose()

    assert response.text is not None
    assert response.text.startswith("Generated for: Write a friendly launch note for the new espresso")
    assert response.candidates and response.candidates[0].finish_reason == types.FinishReason.STOP
    usage = response.usage_metadata
    assert usage is not None and usage.prompt_token_count and usage.candidates_token_count
    assert usage.total_token_count == usage.prompt_token_count + usage.candidates_token_count
    assert response.model_version == "gemini-a" and response.response_id

    [seen] = fake_gemini.requests
    assert seen.api_key == GEMINI_KEY
    assert seen.model == "gemini-a" and seen.api_version == "v1beta"
    assert seen.body["contents"] == [{"parts": [{"text": PROMPT}], "role": "user"}]
    assert seen.body["systemInstruction"]["parts"] == [{"text": "Be brief."}]
    assert seen.body["generationConfig"] == {"maxOutputTokens": 400, "temperature": 0.2}


async def test_same_prompt_gives_same_text(fake_gemini: FakeGemini) -> None:
    client = sdk_client(fake_gemini.url)
    first = await client.aio.models.generate_content(model="gemini-a", contents=PROMPT)
    second = await client.aio.models.generate_content(model="gemini-b", contents=PROMPT)
    await client.aio.aclose()
    assert first.text == second.text


async def test_count_tokens(fake_gemini: FakeGemini) -> None:
    client = sdk_client(fake_gemini.url)
    counted = await client.aio.models.count_tokens(model="gemini-a", contents="x" * 40)
    await client.aio.aclose()
    assert counted.total_tokens == 10
    assert fake_gemini.requests[0].method == "countTokens"


async def test_output_is_cut_at_max_output_tokens(fake_gemini: FakeGemini) -> None:
    client = sdk_client(fake_gemini.url)
    response = await client.aio.models.generate_content(
        model="gemini-a", contents=PROMPT, config=types.GenerateContentConfig(max_output_tokens=5)
    )
    await client.aio.aclose()
    assert response.candidates and response.candidates[0].finish_reason == types.FinishReason.MAX_TOKENS
    assert response.usage_metadata and response.usage_metadata.candidates_token_count == 5


async def test_wrong_api_key_is_refused_in_googles_shape(fake_gemini: FakeGemini) -> None:
    client = sdk_client(fake_gemini.url, api_key="not-the-key")
    with pytest.raises(errors.ClientError) as refused:
        await client.aio.models.generate_content(model="gemini-a", contents=PROMPT)
    await client.aio.aclose()
    assert refused.value.code == 401
    assert refused.value.status == "UNAUTHENTICATED"
    assert refused.value.details["error"]["details"][0]["reason"] == "API_KEY_INVALID"
    assert fake_gemini.requests[0].api_key == "not-the-key"


async def test_unknown_model_is_not_found_when_models_are_listed() -> None:
    async with FakeGemini(api_key=GEMINI_KEY, models=["gemini-a"]) as fake:
        client = sdk_client(fake.url)
        with pytest.raises(errors.ClientError) as missing:
            await client.aio.models.generate_content(model="gemini-z", contents=PROMPT)
        await client.aio.aclose()
    assert missing.value.code == 404 and missing.value.status == "NOT_FOUND"


async def test_faults_are_injected_and_requests_read_over_http(fake_gemini: FakeGemini) -> None:
    client = sdk_client(fake_gemini.url)
    async with aiohttp.ClientSession(base_url=fake_gemini.url) as http:
        async with http.post(
            "/_fake/faults", json={"model": "gemini-a", "status": 429, "count": 1, "retry_after": 1}
        ) as answer:
            assert answer.status == 200
        async with http.post("/_fake/faults", json={"nonsense": True}) as answer:
            assert answer.status == 400
            assert (await answer.json())["error"]["status"] == "INVALID_ARGUMENT"

        with pytest.raises(errors.ClientError) as limited:
            await client.aio.models.generate_content(model="gemini-a", contents=PROMPT)
        assert limited.value.code == 429 and limited.value.status == "RESOURCE_EXHAUSTED"
        assert limited.value.response.headers["Retry-After"] == "1"
        ok = await client.aio.models.generate_content(model="gemini-a", contents=PROMPT)
        assert ok.text

        async with http.get("/_fake/requests") as answer:
            recorded = (await answer.json())["requests"]
        assert [r["model"] for r in recorded] == ["gemini-a", "gemini-a"]
        assert recorded[0]["body"]["contents"][0]["parts"][0]["text"] == PROMPT

        async with http.post("/_fake/faults", json={"status": 503, "count": 2}):
            pass
        async with http.post("/_fake/reset") as answer:
            assert answer.status == 200
        async with http.get("/_fake/requests") as answer:
            assert (await answer.json())["requests"] == []
        async with http.get("/_fake/faults") as answer:
            assert (await answer.json())["faults"] == []
    await client.aio.aclose()


async def test_safety_finish_and_prompt_block_have_no_text(fake_gemini: FakeGemini) -> None:
    fake_gemini.inject(finish_reason="SAFETY")
    fake_gemini.inject(block_reason="PROHIBITED_CONTENT")
    client = sdk_client(fake_gemini.url)
    blocked_output = await client.aio.models.generate_content(model="gemini-a", contents=PROMPT)
    blocked_prompt = await client.aio.models.generate_content(model="gemini-a", contents=PROMPT)
    await client.aio.aclose()
    assert blocked_output.candidates and blocked_output.candidates[0].finish_reason == types.FinishReason.SAFETY
    assert blocked_output.candidates[0].content is None
    assert blocked_prompt.prompt_feedback and blocked_prompt.prompt_feedback.block_reason == "PROHIBITED_CONTENT"
    assert not blocked_prompt.candidates


async def test_fault_for_one_model_leaves_others_alone(fake_gemini: FakeGemini) -> None:
    fake_gemini.inject(model="gemini-a", status=503, count=None)
    client = sdk_client(fake_gemini.url)
    ok = await client.aio.models.generate_content(model="gemini-b", contents=PROMPT)
    with pytest.raises(errors.ServerError):
        await client.aio.models.generate_content(model="gemini-a", contents=PROMPT)
    await client.aio.aclose()
    assert ok.text
    assert len(fake_gemini.pending_faults) == 1


async def test_fault_aimed_at_a_prompt_spares_other_prompts(fake_gemini: FakeGemini) -> None:
    fake_gemini.inject(status=503, prompt_contains="espresso", count=1)
    client = sdk_client(fake_gemini.url)
    other = await client.aio.models.generate_content(model="gemini-a", contents="Write a note about tea")
    with pytest.raises(errors.ServerError):
        await client.aio.models.generate_content(model="gemini-a", contents=PROMPT)
    after = await client.aio.models.generate_content(model="gemini-a", contents=PROMPT)
    await client.aio.aclose()
    assert other.text and after.text
    assert fake_gemini.pending_faults == []


def test_runs_in_a_background_thread_for_synchronous_callers() -> None:
    fake = FakeGemini(api_key=GEMINI_KEY)
    with fake.running_in_thread():
        fake.inject(status=503)
        client = sdk_client(fake.url)
        with pytest.raises(errors.ServerError):
            client.models.generate_content(model="gemini-a", contents=PROMPT)
        assert client.models.generate_content(model="gemini-a", contents=PROMPT).text
        client.close()
    assert len(fake.requests) == 2


async def test_runs_as_a_standalone_process() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox.gemini",
        "--port",
        "0",
        "--api-key",
        GEMINI_KEY,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        banner = (await asyncio.wait_for(process.stdout.readline(), timeout=20)).decode()
        url = banner.strip().rsplit(" ", 1)[-1]
        assert url.startswith("http://127.0.0.1:")
        client = sdk_client(url)
        response = await client.aio.models.generate_content(model="gemini-a", contents=PROMPT)
        await client.aio.aclose()
        assert response.text and response.text.startswith("Generated for:")
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), timeout=10) == 0
