"""Text from any OpenAI-compatible chat endpoint through the official ``openai`` package: OpenAI
itself, and self-hosted models (Llama served by vLLM, llama.cpp's server, Ollama) that speak the
same API. One attempt per call, errors classified like Gemini's. ``stream_text`` asks for the
answer in server-sent chunks (``stream=True``) with the usage on a last chunk of its own
(``stream_options.include_usage``), which is what the call is charged."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator, Mapping

import openai
from openai.types.chat import ChatCompletion, ChatCompletionMessage, ChatCompletionMessageParam
from openai.types.chat.chat_completion import Choice
from openai.types.completion_usage import CompletionUsage

from workers.providers.base import (
    OnText,
    PermanentError,
    ProviderError,
    ReportedUsage,
    RetryableError,
    StreamStopped,
    TextRequest,
    TextResult,
    no_text_error,
)
from workers.providers.http_status import error_for_status
from workers.providers.retry_after import parse_retry_after_header
from workers.providers.tokens import estimate_tokens

# A self-hosted server needs no key, but the client insists on one.
NO_KEY = "unused"


@contextlib.contextmanager
def call_errors(model: str, timeout: float) -> Iterator[None]:
    """A call's failures as the router's kinds: the endpoint's status, a time-out, a network
    failure or a response the client could not read (all but a refusing status are retryable)."""
    try:
        yield
    except openai.APIStatusError as exc:
        raise error_from_status(model, exc) from exc
    except (TimeoutError, openai.APITimeoutError) as exc:
        raise RetryableError(f"{model} timed out after {timeout:g}s") from exc
    except (openai.APIConnectionError, OSError) as exc:
        raise RetryableError(f"{model} could not be reached", detail=type(exc).__name__) from exc
    except openai.APIResponseValidationError as exc:
        raise RetryableError(f"{model} sent a malformed response") from exc


class OpenAICompatibleProvider:
    """One endpoint (base URL and key); the model is named per call."""

    name = "openai"

    def __init__(self, *, api_key: str | None, base_url: str | None, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self.base_url = base_url
        # max_retries=0: the router is the only retry policy (and the one that honours Retry-After).
        self._client = openai.AsyncOpenAI(api_key=api_key or NO_KEY, base_url=base_url, timeout=timeout, max_retries=0)

    async def generate_text(self, model: str, request: TextRequest) -> TextResult:
        messages = chat_messages(request)
        with call_errors(model, self.timeout):
            async with asyncio.timeout(self.timeout):
                # max_tokens rather than max_completion_tokens: every compatible server reads it.
                response = await self._client.chat.completions.create(
                    model=model,
                    messages=messages,
                    max_tokens=request.max_output_tokens,
                    temperature=request.temperature,
                )
        return result_from_completion(model, response, request)

    async def stream_text(self, model: str, request: TextRequest, on_text: OnText) -> TextResult:
        texts: list[str] = []
        finish_reason: str | None = None
        usage: CompletionUsage | None = None
        with call_errors(model, self.timeout):
            async with asyncio.timeout(self.timeout):
                stream = await self._client.chat.completions.create(
                    model=model,
                    messages=chat_messages(request),
                    max_tokens=request.max_output_tokens,
                    temperature=request.temperature,
                    stream=True,
                    stream_options={"include_usage": True},
                )
                async with stream:
                    try:
                        async for chunk in stream:
                            usage = chunk.usage or usage
                            if not chunk.choices:
                                continue
                            choice = chunk.choices[0]
                            finish_reason = choice.finish_reason or finish_reason
                            if choice.delta.content:
                                texts.append(choice.delta.content)
                                await on_text(choice.delta.content)
                    except StreamStopped as stopped:
                        # include_usage reports on a chunk after the last text: a stream stopped
                        # before it has none, and the router estimates.
                        if usage is not None:
                            stopped.reported_input_tokens = usage.prompt_tokens
                            stopped.reported_output_tokens = usage.completion_tokens
                        raise
        # The chunks as the one completion they make up, read by the same rules.
        whole = ChatCompletion(
            id="streamed",
            object="chat.completion",
            created=0,
            model=model,
            choices=[
                Choice(
                    index=0,
                    message=ChatCompletionMessage(role="assistant", content="".join(texts)),
                    finish_reason=finish_reason or "stop",
                )
            ],
            usage=usage,
        )
        return result_from_completion(model, whole, request)

    async def aclose(self) -> None:
        await self._client.close()


def chat_messages(request: TextRequest) -> list[ChatCompletionMessageParam]:
    messages: list[ChatCompletionMessageParam] = []
    if request.system_instruction:
        messages.append({"role": "system", "content": request.system_instruction})
    messages.append({"role": "user", "content": request.prompt})
    return messages


def error_from_status(model: str, exc: openai.APIStatusError) -> ProviderError:
    return error_for_status(
        model, exc.status_code, retry_after=retry_after_of(exc.response.headers), detail=type(exc).__name__
    )


def retry_after_of(headers: Mapping[str, str]) -> float | None:
    """``retry-after-ms`` (OpenAI's own, finer) or ``Retry-After``, whichever is longer."""
    hints: list[float] = []
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            hints.append(max(0.0, float(millis) / 1000))
        except ValueError:
            pass
    seconds = parse_retry_after_header(headers.get("retry-after"))
    if seconds is not None:
        hints.append(seconds)
    return max(hints) if hints else None


def reported_usage(usage: CompletionUsage | None, request: TextRequest) -> ReportedUsage:
    """What a completion says the call cost, as a provider error's keywords. A completion without
    usage is charged the estimate an answer without usage gets: the messages read, nothing written."""
    if usage is None:
        read = estimate_tokens(request.system_instruction) + estimate_tokens(request.prompt)
        return ReportedUsage(input_tokens=read, output_tokens=0, cached_input_tokens=0)
    details = usage.prompt_tokens_details
    return ReportedUsage(
        input_tokens=usage.prompt_tokens,
        output_tokens=usage.completion_tokens,
        cached_input_tokens=(details.cached_tokens or 0) if details is not None else 0,
    )


def result_from_completion(model: str, response: ChatCompletion, request: TextRequest) -> TextResult:
    usage = response.usage
    spent = reported_usage(usage, request)
    if not response.choices:
        raise RetryableError(f"{model} returned no choices", **spent)
    choice = response.choices[0]
    finish_reason = choice.finish_reason or "unknown"
    text = choice.message.content or ""
    if finish_reason == "content_filter":
        raise PermanentError(f"{model} filtered the output (content_filter)", **spent)
    if not text.strip():
        raise no_text_error(model, finish_reason, out_of_tokens=finish_reason == "length", spent=spent)
    if usage is None:
        # The messages read are already estimated; the answer written is estimated the same way.
        spent = ReportedUsage(
            input_tokens=spent["input_tokens"], output_tokens=estimate_tokens(text), cached_input_tokens=0
        )
    return TextResult(text, model, OpenAICompatibleProvider.name, finish_reason=finish_reason, attempts=1, **spent)
