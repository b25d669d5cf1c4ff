"""A local stand-in for Google's Gemini API that speaks its wire format.

The google-genai SDK is pointed at it by base URL. It answers ``generateContent`` (text, or an
image as ``inlineData`` when ``responseModalities`` asks for ``IMAGE``), ``streamGenerateContent``
(``?alt=sse``: server-sent events, the answer's text spread over the chunks with the usage on the
last one, the configured latency spread between them) and ``countTokens`` in the shapes Google
uses, checks the API key, records every request and
injects faults (errors with Retry-After or RetryInfo, slow answers, safety blocks), either
from Python (:meth:`FakeGemini.inject`) or over HTTP (``POST /_fake/faults``) so that tests in
another process can drive it.

Embedded::

    async with FakeGemini(api_key="k") as fake:
        fake.url  # http://127.0.0.1:<random port>

Standalone: ``python -m sandbox.gemini --port 8089 --api-key k``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import hashlib
import json
import math
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from sandbox.gemini_caches import ContextCaches
from sandbox.http_fake import FaultQueue, InjectedFault, LocalHttpFake, RequestRate, serve_model_fake, word_pieces
from sandbox.samples import GEMINI_STYLE_ANSWER
from workers.providers.offline import placeholder_png

GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
GOOGLE_MESSAGES = {
    429: "Resource has been exhausted (e.g. check quota).",
    500: "An internal error has occurred. Please retry or report in "
    "https://developers.generativeai.google/guide/troubleshooting",
    503: "The model is overloaded. Please try again later.",
    504: "The request timed out. Please try again.",
}
SAFETY_CATEGORIES = (
    "HARM_CATEGORY_HATE_SPEECH",
    "HARM_CATEGORY_DANGEROUS_CONTENT",
    "HARM_CATEGORY_HARASSMENT",
    "HARM_CATEGORY_SEXUALLY_EXPLICIT",
)
METHODS = ("generateContent", "streamGenerateContent", "countTokens")
STREAM_CHUNK_WORDS = 8  # words of the answer per streamed chunk
# What Google counts for one generated image (Gemini 2.5 Flash Image's output tokens per image).
IMAGE_TOKENS = 1290
IMAGE_SIZE = 64
# Finish reasons for which Google returns a candidate without content.
CONTENTLESS_FINISH_REASONS = {"SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION", "OTHER"}
FILLER_SENTENCES = (
    "It opens with a clear promise and keeps every sentence earning its place.",
    "The tone stays warm and direct, written for people who skim on their phones.",
    "A short example makes the idea concrete before the closing line.",
    "It ends with one specific next step the reader can take today.",
    "Each paragraph carries a single idea so the message survives a quick read.",
    "Plain words replace jargon wherever a simpler one says the same thing.",
)


def count_tokens(text: str) -> int:
    """Roughly four characters a token, as Google documents for Gemini models."""
    return math.ceil(len(text) / 4)


@dataclass
class Fault(InjectedFault):
    """One injected misbehaviour, applied to the next ``count`` matching requests.

    ``retry_after`` sets the HTTP Retry-After header; ``retry_delay`` adds a
    ``google.rpc.RetryInfo`` detail to the error body (what Gemini itself sends).
    ``count`` None means every matching request until :meth:`FakeGemini.reset`.
    ``prompt_contains`` narrows the fault to requests whose contents carry that text, so a test
    can aim it at its own prompt while other work shares the server.
    ``thoughts_tokens`` makes the model think that many tokens first (billed as output, reported
    as ``thoughtsTokenCount``); thinking that reaches ``maxOutputTokens`` leaves no room for text,
    and the answer is a ``MAX_TOKENS`` candidate without any, as Gemini 2.5 gives; with a
    ``finish_reason`` that carries no content, the thinking came before that empty candidate.
    ``echo_instruction`` ends the answer by repeating the system instruction word for word, as a
    model that a prompt injection talked round does (what the output guard's canary is for).
    ``running_usage`` makes every streamed chunk count the answer written so far
    (``candidatesTokenCount``), as Gemini 2.5 models do; without it only the last chunk does.
    """

    model: str = "*"
    method: str = "*"
    status: int | None = None
    message: str | None = None
    retry_after: float | None = None
    retry_delay: float | None = None
    delay: float = 0.0
    finish_reason: str | None = None
    block_reason: str | None = None
    thoughts_tokens: int | None = None
    echo_instruction: bool = False
    running_usage: bool = False
    count: int | None = 1
    prompt_contains: str | None = None

    def validate(self) -> None:
        super().validate()
        if self.method not in (*METHODS, "*"):
            raise ValueError(f"method must be one of {[*METHODS, '*']}")
        if self.thoughts_tokens is not None and self.thoughts_tokens < 0:
            raise ValueError("thoughts_tokens must not be negative")
        if self.delay < 0:
            raise ValueError("delay must not be negative")

    def matches(self, model: str, method: str, body: dict[str, Any] | None = None) -> bool:
        if self.model not in ("*", model) or self.method not in ("*", method):
            return False
        if self.prompt_contains is None:
            return True
        contents = (body or {}).get("contents")
        return self.prompt_contains in json.dumps(contents, ensure_ascii=False)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    model: str
    api_version: str
    body: dict[str, Any]
    api_key: str | None
    received_at: float = field(default_factory=time.time)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class StreamProgress:
    """One ``streamGenerateContent`` answer as it goes out: chunks written so far, and whether the
    last one has gone (what a test reads to see that something happened while the model wrote)."""

    request: RecordedRequest
    chunks: int
    chunks_sent: int = 0
    finished: bool = False
    sent: list[dict[str, Any]] = field(default_factory=list)  # the chunks written, in order


def google_error(
    status: int, message: str | None = None, *, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "code": status,
        "message": message or GOOGLE_MESSAGES.get(status, "Request failed."),
        "status": GOOGLE_STATUS.get(status, "UNKNOWN"),
    }
    if details:
        error["details"] = details
    return {"error": error}


def fault_response(fault: Fault) -> web.Response:
    assert fault.status is not None
    details = []
    if fault.retry_delay is not None:
        details.append({"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{fault.retry_delay:g}s"})
    headers = {}
    if fault.retry_after is not None:
        headers["Retry-After"] = f"{fault.retry_after:g}"
    return web.json_response(
        google_error(fault.status, fault.message, details=details), status=fault.status, headers=headers
    )


QUOTA_EXCEEDED = (
    "You exceeded your current quota, please check your plan and billing details. For more information "
    "on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits."
)
# The methods a model's requests-per-minute quota counts.
RATE_LIMITED_METHODS = frozenset({"generateContent", "streamGenerateContent"})


def quota_exceeded(model: str, limit: int, wait: float) -> web.Response:
    """Google's answer past a model's requests-per-minute quota: 429 RESOURCE_EXHAUSTED, the quota
    that was hit, and when to try again (RetryInfo; no Retry-After header)."""
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.QuotaFailure",
            "violations": [
                {
                    "quotaMetric": "generativelanguage.googleapis.com/generate_content_requests",
                    "quotaId": "GenerateRequestsPerMinutePerProjectPerModel",
                    "quotaDimensions": {"location": "global", "model": model},
                    "quotaValue": str(limit),
                }
            ],
        },
        {
            "@type": "type.googleapis.com/google.rpc.Help",
            "links": [
                {
                    "description": "Learn more about Gemini API quotas",
                    "url": "https://ai.google.dev/gemini-api/docs/rate-limits",
                }
            ],
        },
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{RequestRate.whole_seconds(wait)}s"},
    ]
    return web.json_response(google_error(429, QUOTA_EXCEEDED, details=details), status=429)


def texts_of(content: dict[str, Any] | None) -> list[str]:
    if not isinstance(content, dict):
        return []
    return [part["text"] for part in content.get("parts") or [] if isinstance(part.get("text"), str)]


def prompt_of(body: dict[str, Any]) -> str:
    """The text of the last user turn: what the response is "generated for"."""
    for content in reversed(body.get("contents") or []):
        if content.get("role", "user") == "user":
            return "\n".join(texts_of(content))
    return ""


def prompt_tokens(body: dict[str, Any]) -> int:
    # Google counts the system instruction as part of the prompt.
    texts = texts_of(body.get("systemInstruction"))
    for content in body.get("contents") or []:
        texts.extend(texts_of(content))
    return sum(count_tokens(text) for text in texts)


def compose_text(prompt: str) -> str:
    """Deterministic, prompt-derived text long enough to look like a real answer; asked for
    "markdown", an answer formatted the way Gemini formats one (headings, a table, code), three
    times over when asked for it "in detail"."""
    head = " ".join(prompt.split()[:12]) or "(empty prompt)"
    if "markdown" in prompt.lower():
        # "in detail": a longer answer, as a stream several screens long would be.
        body = "\n\n".join([GEMINI_STYLE_ANSWER] * (3 if "in detail" in prompt.lower() else 1))
        return f"Generated for: {head}\n\n{body}"
    start = hashlib.sha256(prompt.encode()).digest()[0]
    picked = [FILLER_SENTENCES[(start + i) % len(FILLER_SENTENCES)] for i in range(3)]
    return f"Generated for: {head}\n\n" + " ".join(picked)


def safety_ratings(blocked_category: str | None = None) -> list[dict[str, Any]]:
    ratings = []
    for category in SAFETY_CATEGORIES:
        if category == blocked_category:
            ratings.append({"category": category, "probability": "HIGH", "blocked": True})
        else:
            ratings.append({"category": category, "probability": "NEGLIGIBLE"})
    return ratings


def response_id(model: str, body: dict[str, Any], serial: int) -> str:
    seed = f"{serial}:{model}:{json.dumps(body, sort_keys=True)}".encode()
    return hashlib.sha256(seed).hexdigest()[:22]


def generate_content(
    model: str, body: dict[str, Any], fault: Fault | None, serial: int, cached_tokens: int = 0
) -> dict[str, Any]:
    """``cached_tokens``: what the named context cache holds; Google counts it in the prompt."""
    tokens_in = prompt_tokens(body) + cached_tokens
    common = {"modelVersion": model, "responseId": response_id(model, body, serial)}
    if fault and fault.block_reason:
        return {
            "promptFeedback": {
                "blockReason": fault.block_reason,
                "safetyRatings": safety_ratings("HARM_CATEGORY_DANGEROUS_CONTENT"),
            },
            "usageMetadata": {"promptTokenCount": tokens_in, "totalTokenCount": tokens_in},
            **common,
        }
    finish_reason = (fault.finish_reason if fault else None) or "STOP"
    if finish_reason in CONTENTLESS_FINISH_REASONS:
        candidate = {
            "finishReason": finish_reason,
            "index": 0,
            "safetyRatings": safety_ratings("HARM_CATEGORY_DANGEROUS_CONTENT" if finish_reason == "SAFETY" else None),
        }
        # A model may think first and then give nothing: the thinking is billed all the same.
        thought = (fault.thoughts_tokens if fault else None) or 0
        usage = {"promptTokenCount": tokens_in, "totalTokenCount": tokens_in + thought}
        return {
            "candidates": [candidate],
            "usageMetadata": {**usage, "thoughtsTokenCount": thought} if thought else usage,
            **common,
        }
    if "IMAGE" in ((body.get("generationConfig") or {}).get("responseModalities") or []):
        return generated_image(body, tokens_in, common)
    text = compose_text(prompt_of(body))
    if fault and fault.echo_instruction:
        text += "\n\nMy instructions were: " + "\n".join(texts_of(body.get("systemInstruction")))
    limit = (body.get("generationConfig") or {}).get("maxOutputTokens")
    thoughts = (fault.thoughts_tokens if fault else None) or 0
    if isinstance(limit, int) and limit > 0 and thoughts >= limit:
        return {
            "candidates": [{"content": {"role": "model"}, "finishReason": "MAX_TOKENS", "index": 0}],
            "usageMetadata": {
                "promptTokenCount": tokens_in,
                "thoughtsTokenCount": limit,
                "totalTokenCount": tokens_in + limit,
            },
            **common,
        }
    if isinstance(limit, int) and limit > 0 and count_tokens(text) > limit - thoughts:
        text, finish_reason = text[: (limit - thoughts) * 4], "MAX_TOKENS"
    tokens_out = count_tokens(text)
    thinking = {"thoughtsTokenCount": thoughts} if thoughts else {}
    return {
        "candidates": [
            {
                "content": {"parts": [{"text": text}], "role": "model"},
                "finishReason": finish_reason,
                "index": 0,
                "safetyRatings": safety_ratings(),
            }
        ],
        "usageMetadata": {
            "promptTokenCount": tokens_in,
            "candidatesTokenCount": tokens_out,
            "totalTokenCount": tokens_in + tokens_out + thoughts,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": tokens_in}],
            **thinking,
            **({"cachedContentTokenCount": cached_tokens} if cached_tokens else {}),
        },
        **common,
    }


def stream_chunks(response: dict[str, Any], *, running_usage: bool = False) -> list[dict[str, Any]]:
    """A whole ``generateContent`` response as the chunks ``streamGenerateContent`` sends: the
    text a few words at a time; the finish reason and the full usage on the last chunk (the
    others carry the prompt's count, as Google's do, and with ``running_usage`` also the answer's
    tokens so far, as Gemini 2.5 models report them). A response without text is one chunk."""
    candidates = response.get("candidates") or []
    parts = (candidates[0].get("content") or {}).get("parts") if candidates else None
    text = "".join(str(part.get("text", "")) for part in parts or [])
    if not text:
        return [response]
    pieces = word_pieces(text, STREAM_CHUNK_WORDS)
    usage = response["usageMetadata"]
    common = {key: response[key] for key in ("modelVersion", "responseId")}
    chunks = []
    written = ""
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        written += piece
        candidate: dict[str, Any] = {"content": {"parts": [{"text": piece}], "role": "model"}, "index": 0}
        if last:
            candidate["finishReason"] = candidates[0].get("finishReason", "STOP")
            candidate["safetyRatings"] = candidates[0].get("safetyRatings")
        partial_usage = {"promptTokenCount": usage["promptTokenCount"], "totalTokenCount": usage["promptTokenCount"]}
        if running_usage:
            # The thinking came before the first word, so every chunk counts all of it.
            so_far = count_tokens(written) + usage.get("thoughtsTokenCount", 0)
            partial_usage = {
                **partial_usage,
                "candidatesTokenCount": count_tokens(written),
                "totalTokenCount": usage["promptTokenCount"] + so_far,
                **({"thoughtsTokenCount": usage["thoughtsTokenCount"]} if "thoughtsTokenCount" in usage else {}),
            }
        chunks.append({"candidates": [candidate], "usageMetadata": usage if last else partial_usage, **common})
    return chunks


def image_for(prompt: str) -> bytes:
    """The PNG the fake draws for ``prompt``: the same prompt always gets the same picture."""
    seed = int.from_bytes(hashlib.sha256(prompt.encode()).digest()[:4], "big")
    return placeholder_png(IMAGE_SIZE, IMAGE_SIZE, seed)


def generated_image(body: dict[str, Any], tokens_in: int, common: dict[str, Any]) -> dict[str, Any]:
    """Gemini's image generation (``responseModalities`` with ``IMAGE``): the picture as an
    ``inlineData`` part (base64 bytes and their MIME type), counted as image output tokens."""
    data = base64.b64encode(image_for(prompt_of(body))).decode()
    return {
        "candidates": [
            {
                "content": {"parts": [{"inlineData": {"mimeType": "image/png", "data": data}}], "role": "model"},
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": tokens_in,
            "candidatesTokenCount": IMAGE_TOKENS,
            "totalTokenCount": tokens_in + IMAGE_TOKENS,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": tokens_in}],
            "candidatesTokensDetails": [{"modality": "IMAGE", "tokenCount": IMAGE_TOKENS}],
        },
        **common,
    }


def count_tokens_response(body: dict[str, Any]) -> dict[str, Any]:
    # The SDK may wrap the contents in a full generateContentRequest.
    request = body.get("generateContentRequest") or body
    total = prompt_tokens(request)
    return {"totalTokens": total, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": total}]}


class FakeGemini(LocalHttpFake):
    """The fake server. State is guarded by a lock so tests may drive it from any thread."""

    thread_name = "fake-gemini"
    server_name = "fake Gemini"

    def __init__(
        self,
        *,
        api_key: str | None = "test-key",
        host: str = "127.0.0.1",
        port: int = 0,
        models: Iterable[str] | None = None,
        latency: float = 0.0,
        requests_per_minute: int | None = None,
        rate_window_seconds: float = 60.0,
    ) -> None:
        """``requests_per_minute``: each model's quota, as Google keeps one per project and model
        (None: none); ``rate_window_seconds`` shortens its minute for tests."""
        if latency < 0:
            raise ValueError("latency must not be negative")
        self.api_key = api_key
        self.rate = RequestRate(requests_per_minute, window_seconds=rate_window_seconds)
        # Seconds every generateContent takes before it answers, as a real model's do.
        self.latency = latency
        self.host = host
        self.port = port
        self.models = frozenset(models) if models is not None else None
        self._lock = threading.Lock()
        self._faults = FaultQueue[Fault]()
        self._requests: list[RecordedRequest] = []
        self._streams: list[StreamProgress] = []
        self._serial = 0
        self._in_flight = 0
        self._peak_in_flight = 0
        self._runner: web.AppRunner | None = None
        self._stopping: asyncio.Event | None = None
        # Explicit context caches (client.caches): sandbox/gemini_caches.py.
        self.caches = ContextCaches(prompt_tokens)
        self.app = self._build_app()

    # -- programmatic control -------------------------------------------------------------

    def inject(self, fault: Fault | None = None, **fields: Any) -> Fault:
        """Queue a fault: ``inject(status=429, retry_after=1, count=2)``."""
        return self._faults.add(fault or Fault.from_json(fields))

    def reset(self) -> None:
        """Forget faults and recorded requests."""
        self._faults.clear()
        with self._lock:
            self._requests.clear()
            self._streams.clear()
            self._peak_in_flight = self._in_flight

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def streams(self) -> list[StreamProgress]:
        """Streamed answers since the last reset, oldest first (read them under no lock: copies)."""
        with self._lock:
            return [dataclasses.replace(progress, sent=list(progress.sent)) for progress in self._streams]

    def requests_for(self, model: str, method: str = "generateContent") -> list[RecordedRequest]:
        return [r for r in self.requests if r.model == model and r.method == method]

    @property
    def in_flight(self) -> int:
        """generateContent calls received and not yet answered."""
        with self._lock:
            return self._in_flight

    @property
    def peak_in_flight(self) -> int:
        """The most generateContent calls in flight at once since the last reset."""
        with self._lock:
            return self._peak_in_flight

    @property
    def pending_faults(self) -> list[Fault]:
        return self._faults.pending()

    # -- lifecycle -------------------------------------------------------------------------

    # -- HTTP ------------------------------------------------------------------------------

    def _build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/{version}/models/{model_method}", self._handle_model_call)
        self.caches.register(app)
        app.router.add_post("/_fake/faults", self._handle_inject)
        app.router.add_get("/_fake/faults", self._handle_list_faults)
        app.router.add_get("/_fake/requests", self._handle_list_requests)
        app.router.add_post("/_fake/reset", self._handle_reset)
        app.router.add_get("/_fake/stats", self._handle_stats)
        return app

    def _take_fault(self, model: str, method: str, body: dict[str, Any]) -> Fault | None:
        return self._faults.take(lambda fault: fault.matches(model, method, body))

    def _authorize(self, request: web.Request) -> web.Response | None:
        if self.api_key is None:
            return None
        given = request.headers.get("x-goog-api-key") or request.query.get("key")
        if not given:
            return web.json_response(
                google_error(
                    403,
                    "Method doesn't allow unregistered callers (callers without established identity). "
                    "Please use API Key or other form of API consumer identity to call this API.",
                ),
                status=403,
            )
        if given != self.api_key:
            details = [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "API_KEY_INVALID",
                    "domain": "googleapis.com",
                    "metadata": {"service": "generativelanguage.googleapis.com"},
                }
            ]
            return web.json_response(
                google_error(401, "API key not valid. Please pass a valid API key.", details=details),
                status=401,
            )
        return None

    async def _handle_model_call(self, request: web.Request) -> web.StreamResponse:
        model, _, method = request.match_info["model_method"].rpartition(":")
        if method not in METHODS or not model:
            return web.json_response(google_error(404, f"Method not found: {method}"), status=404)
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.json_response(google_error(400, "Invalid JSON payload received."), status=400)
        if not isinstance(body, dict):
            return web.json_response(google_error(400, "Invalid JSON payload received."), status=400)
        record = RecordedRequest(
            method=method,
            model=model,
            api_version=request.match_info["version"],
            body=body,
            api_key=request.headers.get("x-goog-api-key") or request.query.get("key"),
        )
        with self._lock:
            self._serial += 1
            serial = self._serial
            self._requests.append(record)
        refused = self._authorize(request)
        if refused is not None:
            return refused
        if self.models is not None and model not in self.models:
            message = (
                f"models/{model} is not found for API version {request.match_info['version']}, "
                f"or is not supported for {method}. Call ListModels to see the list of available "
                "models and their supported methods."
            )
            return web.json_response(google_error(404, message), status=404)
        if method in RATE_LIMITED_METHODS:
            wait = self.rate.wait_before(model)
            if wait is not None:
                assert self.rate.limit is not None
                return quota_exceeded(model, self.rate.limit, wait)
        fault = self._take_fault(model, method, body)
        if method == "countTokens":
            if fault and fault.delay:
                await self.pause(fault.delay)
            if fault and fault.status is not None:
                return fault_response(fault)
            return web.json_response(count_tokens_response(body))
        pause = self.latency + (fault.delay if fault else 0.0)
        if method == "streamGenerateContent":
            return await self._stream(request, record, body, fault, serial, pause)
        with self._counted_in_flight():
            if pause:
                await self.pause(pause)
            if fault and fault.status is not None:
                return fault_response(fault)
        if not body.get("contents"):
            return web.json_response(
                google_error(400, "* GenerateContentRequest.contents: contents is not specified"), status=400
            )
        cache, refused = self.caches.resolve(body, model)
        if refused is not None:
            return refused
        return web.json_response(generate_content(model, body, fault, serial, cache.tokens if cache else 0))

    async def _stream(
        self,
        request: web.Request,
        record: RecordedRequest,
        body: dict[str, Any],
        fault: Fault | None,
        serial: int,
        pause: float,
    ) -> web.StreamResponse:
        """``streamGenerateContent?alt=sse``: errors come before the stream as a plain error answer;
        otherwise the chunks, ``pause`` spread over them (the first one waits its share too)."""
        with self._counted_in_flight():
            if fault and fault.status is not None:
                if pause:
                    await self.pause(pause)
                return fault_response(fault)
            if request.query.get("alt") != "sse":
                return web.json_response(google_error(400, "This fake streams only with alt=sse."), status=400)
            if not body.get("contents"):
                return web.json_response(
                    google_error(400, "* GenerateContentRequest.contents: contents is not specified"), status=400
                )
            model = record.model
            cache, refused = self.caches.resolve(body, model)
            if refused is not None:
                return refused
            answer = generate_content(model, body, fault, serial, cache.tokens if cache else 0)
            chunks = stream_chunks(answer, running_usage=bool(fault and fault.running_usage))
            response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
            await response.prepare(request)
            progress = StreamProgress(record, len(chunks))
            with self._lock:
                self._streams.append(progress)
            for chunk in chunks:
                if pause:
                    await self.pause(pause / len(chunks))
                try:
                    await response.write(b"data: " + json.dumps(chunk).encode() + b"\r\n\r\n")
                except ConnectionResetError:
                    return response  # the reader stopped reading (or its process died): unfinished
                with self._lock:
                    progress.chunks_sent += 1
                    progress.sent.append(chunk)
            with self._lock:
                progress.finished = True
            await response.write_eof()
            return response

    @contextlib.contextmanager
    def _counted_in_flight(self) -> Iterator[None]:
        with self._lock:
            self._in_flight += 1
            self._peak_in_flight = max(self._peak_in_flight, self._in_flight)
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    async def _handle_inject(self, request: web.Request) -> web.Response:
        try:
            data = await request.json()
            items = data if isinstance(data, list) else [data]
            faults = [Fault.from_json(item) for item in items]
        except (json.JSONDecodeError, TypeError, ValueError) as exc:
            return web.json_response(google_error(400, str(exc)), status=400)
        for fault in faults:
            self.inject(fault)
        return web.json_response({"faults": [dataclasses.asdict(f) for f in self.pending_faults]})

    async def _handle_list_faults(self, request: web.Request) -> web.Response:
        return web.json_response({"faults": [dataclasses.asdict(f) for f in self.pending_faults]})

    async def _handle_list_requests(self, request: web.Request) -> web.Response:
        return web.json_response({"requests": [r.to_json() for r in self.requests]})

    async def _handle_stats(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"in_flight": self.in_flight, "peak_in_flight": self.peak_in_flight, "requests": len(self.requests)}
        )

    async def _handle_reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({"ok": True})


def main(argv: list[str] | None = None) -> None:
    serve_model_fake(
        FakeGemini,
        argv,
        prog="python -m sandbox.gemini",
        description=__doc__.splitlines()[0],
        sender="the SDK",
        call="generateContent",
        banner="fake Gemini API listening on {url}",
    )


if __name__ == "__main__":
    main()
