"""A streamed answer its reader stops part-way: each provider says what the chunks received had
reported (Gemini counts the prompt on every chunk, and the answer so far where the model reports it
as it writes; OpenAI's include_usage comes only after the last text), and the router charges that,
estimating only what was not reported."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sandbox.gemini import FakeGemini, compose_text, count_tokens
from sandbox.openai_server import FakeOpenAI
from tests.support.fakes import RouterFactory
from workers.providers.base import StreamStopped, TextRequest
from workers.providers.gemini import GeminiTextProvider
from workers.providers.openai_compat import OpenAICompatibleProvider
from workers.providers.tokens import estimate_tokens

PROMPT = "A markdown launch plan for the new espresso machine"
THOUGHTS = 40


def request() -> TextRequest:
    return TextRequest(prompt=PROMPT, system_instruction="Plain words.", max_output_tokens=2000)


class StopAt:
    """The stream's reader: refuses the piece holding ``word`` the way the router's relay does."""

    def __init__(self, word: str) -> None:
        self.word = word
        self.received = ""

    async def __call__(self, text: str) -> None:
        self.received += text
        if self.word in text:
            raise StreamStopped(ValueError("refused"))


async def test_gemini_reports_the_prompt_and_the_answer_so_far_when_the_model_counts_as_it_writes(
    gemini_provider: GeminiTextProvider, fake_gemini: FakeGemini
) -> None:
    fake_gemini.inject(method="streamGenerateContent", running_usage=True, thoughts_tokens=THOUGHTS)
    reader = StopAt(compose_text(PROMPT).split()[20])

    with pytest.raises(StreamStopped) as stopped:
        await gemini_provider.stream_text("gemini-a", request(), reader)

    [stream] = fake_gemini.streams
    usage = _usage_when_read(stream.sent, reader)
    assert stopped.value.reported_input_tokens == usage["promptTokenCount"]
    assert stopped.value.reported_output_tokens == count_tokens(reader.received) + THOUGHTS


async def test_gemini_reports_only_the_prompt_when_the_answer_is_counted_at_its_end(
    gemini_provider: GeminiTextProvider, fake_gemini: FakeGemini
) -> None:
    reader = StopAt(compose_text(PROMPT).split()[20])

    with pytest.raises(StreamStopped) as stopped:
        await gemini_provider.stream_text("gemini-a", request(), reader)

    [stream] = fake_gemini.streams
    assert stopped.value.reported_input_tokens == stream.sent[0]["usageMetadata"]["promptTokenCount"]
    assert stopped.value.reported_output_tokens is None


async def test_openai_reports_nothing_before_its_usage_chunk() -> None:
    async with FakeOpenAI(api_key="k") as fake:
        provider = OpenAICompatibleProvider(api_key="k", base_url=fake.base_url, timeout=10)
        try:
            with pytest.raises(StreamStopped) as stopped:
                await provider.stream_text("gpt-test", request(), StopAt(""))  # at the first piece
        finally:
            await provider.aclose()

    assert (stopped.value.reported_input_tokens, stopped.value.reported_output_tokens) == (None, None)


async def test_the_router_charges_what_was_reported_and_estimates_the_rest(
    make_router: RouterFactory, fake_gemini: FakeGemini
) -> None:
    router = await make_router()
    refused_word = compose_text(PROMPT).split()[20]

    class Reader:
        async def begin(self) -> None:
            return None

        async def add(self, text: str) -> None:
            if refused_word in text:
                raise ValueError("refused")

        def shown(self) -> bool:
            return False

    with pytest.raises(StreamStopped) as stopped:
        await router.generate_text(replace(request(), stream=Reader()))

    [stream] = fake_gemini.streams
    assert stopped.value.input_tokens == stream.sent[0]["usageMetadata"]["promptTokenCount"]
    assert stopped.value.output_tokens == estimate_tokens(stopped.value.received)
    assert stopped.value.tokens_used == stopped.value.input_tokens + stopped.value.output_tokens


def _usage_when_read(sent: list[dict[str, object]], reader: StopAt) -> dict[str, int]:
    """The usage on the chunk that completed what the reader received."""
    text = ""
    for chunk in sent:
        parts = chunk["candidates"][0]["content"]["parts"]
        text += "".join(part.get("text", "") for part in parts)
        if text == reader.received:
            return chunk["usageMetadata"]
    raise AssertionError("the reader's text is not a prefix of what was sent")
