"""Answers streamed as the model writes them: both providers hand over each chunk as it arrives
(in their real wire formats, served by the fakes), charge what the stream's usage reported, and
the router fails over only while nothing has been shown."""

from __future__ import annotations

import pytest

from sandbox.gemini import FakeGemini, compose_text, count_tokens, prompt_tokens
from sandbox.openai_server import FakeOpenAI
from tests.support.fakes import RouterFactory
from workers.providers.base import (
    OnText,
    PermanentError,
    RetryableError,
    StreamStopped,
    TextRequest,
    TextResult,
)
from workers.providers.gemini import GeminiTextProvider
from workers.providers.openai_compat import OpenAICompatibleProvider
from workers.providers.router import ModelRoute, RetryPolicy, TextRouter

PROMPT = "A markdown launch plan for the new espresso machine"


class Reader:
    """A TextStream that keeps what it was given; ``refuse`` makes it refuse a piece holding it."""

    def __init__(self, *, refuse: str | None = None, shown_after: int | None = None) -> None:
        self.attempts = 0
        self.pieces: list[str] = []
        self.refuse = refuse
        self.shown_after = shown_after

    async def begin(self) -> None:
        self.attempts += 1
        self.pieces = []

    async def add(self, text: str) -> None:
        if self.refuse is not None and self.refuse in text:
            raise ValueError("refused")
        self.pieces.append(text)

    def shown(self) -> bool:
        return self.shown_after is not None and len(self.pieces) >= self.shown_after


def request(stream: Reader | None = None) -> TextRequest:
    return TextRequest(prompt=PROMPT, system_instruction="Plain words.", max_output_tokens=2000, stream=stream)


async def test_gemini_hands_over_each_chunk_while_the_stream_is_still_open(
    gemini_provider: GeminiTextProvider, fake_gemini: FakeGemini
) -> None:
    open_when_handed: list[bool] = []
    pieces: list[str] = []

    async def on_text(text: str) -> None:
        pieces.append(text)
        [stream] = fake_gemini.streams
        open_when_handed.append(not stream.finished)

    fake_gemini.latency = 0.5  # spread over the chunks
    result = await gemini_provider.stream_text("gemini-a", request(), on_text)

    [recorded] = fake_gemini.requests
    assert recorded.method == "streamGenerateContent"
    [stream] = fake_gemini.streams
    assert stream.finished and stream.chunks == len(pieces) > 3
    assert open_when_handed[0] is True
    assert "".join(pieces) == result.text == compose_text(PROMPT)
    # Charged what the last chunk's usage says, which is what the whole answer would have cost.
    assert result.input_tokens == prompt_tokens(recorded.body)
    assert result.output_tokens == count_tokens(result.text)
    assert result.finish_reason == "STOP"


async def test_gemini_stream_errors_are_classified_like_whole_answers(
    gemini_provider: GeminiTextProvider, fake_gemini: FakeGemini
) -> None:
    fake_gemini.inject(method="streamGenerateContent", status=429, retry_after=3)
    with pytest.raises(RetryableError) as limited:
        await gemini_provider.stream_text("gemini-a", request(), _ignore)
    assert limited.value.retry_after == 3

    fake_gemini.inject(method="streamGenerateContent", finish_reason="SAFETY")
    with pytest.raises(PermanentError):
        await gemini_provider.stream_text("gemini-a", request(), _ignore)


async def test_openai_compatible_streams_and_charges_the_usage_chunk() -> None:
    async with FakeOpenAI(api_key="k", latency=0.2) as fake:
        provider = OpenAICompatibleProvider(api_key="k", base_url=fake.base_url, timeout=10)
        pieces: list[str] = []

        async def on_text(text: str) -> None:
            pieces.append(text)

        try:
            streamed = await provider.stream_text("gpt-test", request(), on_text)
            whole = await provider.generate_text("gpt-test", request())
        finally:
            await provider.aclose()
        streamed_request = fake.requests[0].body

    assert streamed_request["stream"] is True and streamed_request["stream_options"] == {"include_usage": True}
    assert len(pieces) > 1 and "".join(pieces) == streamed.text == whole.text
    assert (streamed.input_tokens, streamed.output_tokens) == (whole.input_tokens, whole.output_tokens)
    assert streamed.finish_reason == "stop"


async def test_the_router_fails_over_while_nothing_was_shown(
    make_router: RouterFactory, fake_gemini: FakeGemini
) -> None:
    fake_gemini.inject(model="gemini-a", status=503, count=None)
    router = await make_router(policy=RetryPolicy(max_attempts_per_model=1))
    reader = Reader()

    result = await router.generate_text(request(reader))

    assert result.model == "gemini-b" and reader.attempts == 2
    assert "".join(reader.pieces) == result.text


class HalfAnswer:
    """Writes some of the answer, then fails as an overloaded model would."""

    name = "half"

    async def generate_text(self, model: str, request: TextRequest) -> TextResult:
        raise AssertionError("a streamed request is streamed")

    async def stream_text(self, model: str, request: TextRequest, on_text: OnText) -> TextResult:
        for word in ("The ", "launch ", "plan "):
            await on_text(word)
        raise RetryableError(f"{model} is overloaded (503)")

    async def aclose(self) -> None:
        return None


async def test_the_router_never_fails_over_once_text_was_shown(
    make_router: RouterFactory, fake_gemini: FakeGemini
) -> None:
    base = await make_router(policy=RetryPolicy(max_attempts_per_model=3, base_delay=0.0))
    routes = {"gemini-a": ModelRoute(HalfAnswer(), "half-1"), "gemini-b": base.routes["gemini-b"]}
    router = TextRouter(base.provider, ["gemini-a", "gemini-b"], routes=routes, policy=base.policy, sleep=_no_sleep)

    with pytest.raises(RetryableError):
        await router.generate_text(request(Reader(shown_after=1)))

    assert fake_gemini.requests == []  # no other model started the answer again


async def test_a_refused_piece_stops_the_call_and_is_charged_what_was_read(
    make_router: RouterFactory, fake_gemini: FakeGemini
) -> None:
    router = await make_router()
    refused_word = compose_text(PROMPT).split()[20]

    with pytest.raises(StreamStopped) as stopped:
        await router.generate_text(request(Reader(refuse=refused_word)))

    assert isinstance(stopped.value.error, ValueError) and stopped.value.model == "gemini-a"
    assert stopped.value.output_tokens == count_tokens(stopped.value.received) > 0
    assert stopped.value.tokens_used == stopped.value.input_tokens + stopped.value.output_tokens
    assert len(fake_gemini.requests) == 1  # neither retried nor moved to another model
    assert router.breaker("gemini-a").state.name == "CLOSED"


async def _ignore(text: str) -> None:
    return None


async def _no_sleep(seconds: float) -> None:
    return None
