"""Text from Google Gemini through the google-genai SDK: one attempt per call, errors classified.

``stream_text`` asks for the answer as the model writes it (``streamGenerateContent`` with
server-sent events): each chunk's text goes on at once, and the usage Google reports on the last
chunk is what the call is charged. A stream its reader stops part-way is charged what the last
chunk received reported (``reported_so_far``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import httpx
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from workers.providers.base import (
    ContextCacheEntry,
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

# The Gemini API's own version path; the SDK's default differs between releases, so pin it.
API_VERSION = "v1beta"
# Output the model refused to give; asking again gives the same answer.
BLOCKING_FINISH_REASONS = frozenset({"SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION", "IMAGE_SAFETY"})


def single_attempt_client(
    api_key: str, *, base_url: str | None, timeout: float, api_version: str = API_VERSION
) -> genai.Client:
    """A google-genai client that tries each call once, within ``timeout`` seconds."""
    return genai.Client(
        api_key=api_key,
        http_options=types.HttpOptions(
            base_url=base_url,
            api_version=api_version,
            timeout=int(timeout * 1000),
            # One attempt: the router is the only retry policy. Setting retry options at all also
            # turns off the SDK's implicit reconnect-and-resend on connection errors.
            retry_options=types.HttpRetryOptions(attempts=1),
        ),
    )


@contextlib.contextmanager
def call_errors(model: str, timeout: float, *, what: str = "") -> Iterator[None]:
    """A call's failures as the router's kinds: what Gemini answered, a time-out, a network
    failure or a response the SDK could not read (all but the first are worth another try).
    ``what`` names a call other than a generation in the time-out's message."""
    try:
        yield
    except genai_errors.APIError as exc:
        raise error_from_api(model, exc) from exc
    except TimeoutError as exc:
        raise RetryableError(f"{model}{' ' + what if what else ''} timed out after {timeout:g}s") from exc
    except (aiohttp.ClientError, httpx.TransportError, OSError) as exc:
        raise RetryableError(f"{model} could not be reached", detail=type(exc).__name__) from exc
    except genai_errors.UnknownApiResponseError as exc:
        raise RetryableError(f"{model} sent a malformed response") from exc


class GeminiTextProvider:
    name = "gemini"

    def __init__(
        self, api_key: str, *, base_url: str | None = None, timeout: float = 60.0, api_version: str = API_VERSION
    ) -> None:
        self.timeout = timeout
        self._client = single_attempt_client(api_key, base_url=base_url, timeout=timeout, api_version=api_version)

    async def generate_text(self, model: str, request: TextRequest) -> TextResult:
        config, contents = request_parts(model, request)
        # The SDK's own timeout covers the HTTP exchange only; this one bounds the whole call.
        with call_errors(model, self.timeout):
            async with asyncio.timeout(self.timeout):
                response = await self._client.aio.models.generate_content(model=model, contents=contents, config=config)
        return result_from_response(model, response, prompt=request.prompt)

    async def stream_text(self, model: str, request: TextRequest, on_text: OnText) -> TextResult:
        config, contents = request_parts(model, request)
        chunks: list[types.GenerateContentResponse] = []
        with call_errors(model, self.timeout):
            async with asyncio.timeout(self.timeout):
                stream = await self._client.aio.models.generate_content_stream(
                    model=model, contents=contents, config=config
                )
                async with contextlib.aclosing(stream):  # type: ignore[type-var]  # typed AsyncIterator; an async generator, with aclose
                    try:
                        async for chunk in stream:
                            chunks.append(chunk)
                            text = answer_text(chunk)
                            if text:
                                await on_text(text)
                    except StreamStopped as stopped:
                        stopped.reported_input_tokens, stopped.reported_output_tokens = reported_so_far(chunks)
                        raise
        return result_from_response(model, merge_chunks(chunks), prompt=request.prompt)

    async def create_context_cache(self, model: str, system_instruction: str, ttl_seconds: int) -> ContextCacheEntry:
        """An explicit context cache holding ``system_instruction`` for ``model`` (``client.caches``)."""
        config = types.CreateCachedContentConfig(system_instruction=system_instruction, ttl=f"{ttl_seconds}s")
        cached = await self._call_caches(model, self._client.aio.caches.create(model=model, config=config))
        return _cache_entry(cached, ttl_seconds)

    async def refresh_context_cache(self, model: str, name: str, ttl_seconds: int) -> ContextCacheEntry:
        """Move a cache's expiry ``ttl_seconds`` ahead of now."""
        config = types.UpdateCachedContentConfig(ttl=f"{ttl_seconds}s")
        cached = await self._call_caches(model, self._client.aio.caches.update(name=name, config=config))
        return _cache_entry(cached, ttl_seconds)

    async def _call_caches(self, model: str, call: Any) -> types.CachedContent:
        with call_errors(model, self.timeout, what="cache call"):
            async with asyncio.timeout(self.timeout):
                result: types.CachedContent = await call
                return result

    async def aclose(self) -> None:
        await self._client.aio.aclose()


def request_parts(model: str, request: TextRequest) -> tuple[types.GenerateContentConfig, Any]:
    """The call's config and contents. With a context cache for ``model`` the cached prefix of the
    system instruction is not sent again (the API refuses a system instruction beside a cache):
    what follows it (the job's canary) goes as a turn of its own before the prompt."""
    cache = request.cached_contents.get(model)
    if cache is None:
        config = types.GenerateContentConfig(
            system_instruction=request.system_instruction or None,
            max_output_tokens=request.max_output_tokens,
            temperature=request.temperature,
        )
        return config, request.prompt
    config = types.GenerateContentConfig(
        cached_content=cache, max_output_tokens=request.max_output_tokens, temperature=request.temperature
    )
    rest = request.system_instruction[request.cached_prefix_chars :].strip()
    turns = [types.Content(role="user", parts=[types.Part(text=rest)])] if rest else []
    turns.append(types.Content(role="user", parts=[types.Part(text=request.prompt)]))
    return config, turns


def _cache_entry(cached: types.CachedContent, ttl_seconds: int) -> ContextCacheEntry:
    expires = cached.expire_time or datetime.now(UTC) + timedelta(seconds=ttl_seconds)
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    return ContextCacheEntry(name=cached.name or "", expires_at=expires)


def error_from_api(model: str, exc: genai_errors.APIError) -> ProviderError:
    return error_for_status(
        model, exc.code, status=exc.status or "UNKNOWN", retry_after=retry_after_of(exc), detail=exc.message
    )


def retry_after_of(exc: genai_errors.APIError) -> float | None:
    """The longer of the Retry-After header and the RetryInfo detail; the SDK reads neither."""
    headers = getattr(exc.response, "headers", None) or {}
    hints = [parse_retry_after_header(headers.get("Retry-After")), parse_retry_info(exc.details)]
    known = [hint for hint in hints if hint is not None]
    return max(known) if known else None


def parse_retry_info(body: Any) -> float | None:
    """``google.rpc.RetryInfo.retryDelay`` from an error body, as "2s" or {"seconds", "nanos"}."""
    if not isinstance(body, dict):
        return None
    error = body.get("error", body)
    details = error.get("details") if isinstance(error, dict) else None
    for detail in details if isinstance(details, list) else []:
        if not isinstance(detail, dict) or not str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
            continue
        delay = detail.get("retryDelay")
        try:
            if isinstance(delay, str):
                return max(0.0, float(delay.strip().removesuffix("s")))
            if isinstance(delay, dict):
                return max(0.0, float(delay.get("seconds", 0)) + float(delay.get("nanos", 0)) / 1e9)
        except ValueError:
            return None
    return None


def enum_text(value: object, default: str) -> str:
    if value is None:
        return default
    return str(getattr(value, "value", value))


def reported_usage(response: types.GenerateContentResponse, *, prompt: str) -> ReportedUsage:
    """What the response says the call cost, as a provider error's keywords: the prompt (of which
    cached), and the answer with the thinking (billed as output). A response without usage is
    charged the estimate an answer without usage gets: the prompt read, nothing written."""
    usage = response.usage_metadata
    if usage is None:
        return ReportedUsage(input_tokens=estimate_tokens(prompt), output_tokens=0, cached_input_tokens=0)
    return ReportedUsage(
        input_tokens=usage.prompt_token_count or 0,
        output_tokens=(usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0),
        cached_input_tokens=usage.cached_content_token_count or 0,
    )


def reported_so_far(chunks: list[types.GenerateContentResponse]) -> tuple[int | None, int | None]:
    """The input and output tokens the latest chunk with usage reported, for a stream stopped
    before its end. Every chunk counts the prompt; the answer so far is counted on every chunk by
    some models (Gemini 2.5) and only on the last by others, so the output may be unknown (None)."""
    usage = next((chunk.usage_metadata for chunk in reversed(chunks) if chunk.usage_metadata), None)
    if usage is None:
        return None, None
    written = (usage.candidates_token_count, usage.thoughts_token_count)
    output = None if written == (None, None) else sum(count or 0 for count in written)
    return usage.prompt_token_count, output


def answer_text(response: types.GenerateContentResponse) -> str:
    """The answer's text in a response or a streamed chunk (thought summaries left out)."""
    if not response.candidates:
        return ""
    content = response.candidates[0].content
    parts = content.parts if content and content.parts else []
    return "".join(part.text for part in parts if part.text and not part.thought)


def merge_chunks(chunks: list[types.GenerateContentResponse]) -> types.GenerateContentResponse:
    """A streamed answer as one response: every chunk's text, and the finish reason, usage and
    prompt feedback of the chunks that carried them (Google puts them on the last ones)."""
    text = "".join(answer_text(chunk) for chunk in chunks)
    usage, feedback, finish, had_candidates = None, None, None, False
    for chunk in chunks:
        usage = chunk.usage_metadata or usage
        feedback = chunk.prompt_feedback or feedback
        if chunk.candidates:
            had_candidates = True
            finish = chunk.candidates[0].finish_reason or finish
    candidates = None
    if had_candidates:
        content = types.Content(role="model", parts=[types.Part(text=text)] if text else None)
        candidates = [types.Candidate(content=content, finish_reason=finish, index=0)]
    return types.GenerateContentResponse(candidates=candidates, usage_metadata=usage, prompt_feedback=feedback)


def result_from_response(model: str, response: types.GenerateContentResponse, *, prompt: str) -> TextResult:
    """The answer's text and cost, or the error that says why there is none; every error carries
    what the response reported the call cost, so a refusal is charged like an answer."""
    spent = reported_usage(response, prompt=prompt)
    feedback = response.prompt_feedback
    if feedback is not None and feedback.block_reason is not None:
        block = enum_text(feedback.block_reason, "BLOCKED_REASON_UNSPECIFIED")
        raise PermanentError(f"{model} blocked the prompt ({block})", **spent)
    if not response.candidates:
        raise RetryableError(f"{model} returned no candidates", **spent)
    candidate = response.candidates[0]
    finish_reason = enum_text(candidate.finish_reason, "FINISH_REASON_UNSPECIFIED")
    if finish_reason in BLOCKING_FINISH_REASONS:
        raise PermanentError(f"{model} blocked the output ({finish_reason})", **spent)
    # Thought summaries are the model's scratch work, not the answer.
    text = answer_text(response)
    if not text:
        raise no_text_error(model, finish_reason, out_of_tokens=finish_reason == "MAX_TOKENS", spent=spent)
    usage = response.usage_metadata
    if usage is None or usage.prompt_token_count is None:
        # No count of the prompt: the answer is charged the estimate of what was read and written.
        spent = ReportedUsage(
            input_tokens=estimate_tokens(prompt),
            output_tokens=estimate_tokens(text),
            cached_input_tokens=spent["cached_input_tokens"],
        )
    return TextResult(text, model, GeminiTextProvider.name, finish_reason=finish_reason, attempts=1, **spent)
