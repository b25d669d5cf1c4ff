"""A local stand-in for an OpenAI-compatible chat endpoint (OpenAI, vLLM, llama.cpp, Ollama).

The official ``openai`` package is pointed at it by base URL (``<url>/v1``). It answers
``POST /v1/chat/completions`` with a completion and its ``usage`` (with ``stream: true``, as
server-sent ``chat.completion.chunk`` events, the text a few words at a time and the latency spread
between them, ending with a chunk of usage alone when ``stream_options.include_usage`` asks, then
``data: [DONE]``), lists ``GET /v1/models``,
checks the bearer key, records every request and the usage it reported per model, and injects
faults: errors (429 with Retry-After, 5xx), slow answers, blank answers that still bill their usage,
a model's latency, either from Python
(:meth:`FakeOpenAI.inject`, :meth:`FakeOpenAI.set_latency`) or over HTTP (``POST /_fake/faults``,
``POST /_fake/latency``) so tests and benches in another process can drive it.

Embedded::

    async with FakeOpenAI(api_key="k") as fake:
        fake.base_url  # http://127.0.0.1:<random port>/v1

Standalone: ``python -m sandbox.openai_server --port 8090 --api-key k``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from sandbox.http_fake import FaultQueue, InjectedFault, LocalHttpFake, RequestRate, serve_model_fake, word_pieces

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    404: "invalid_request_error",
    429: "rate_limit_exceeded",
    500: "server_error",
    502: "server_error",
    503: "server_error",
}
MAX_TOKENS_CEILING = 32_768
STREAM_CHUNK_WORDS = 4  # words of the answer per streamed chunk
BLANK_ANSWER = "\n\n" + " " * 38  # white space only: ten tokens billed, no text


def count_tokens(text: str) -> int:
    """About four characters a token, as for English text on OpenAI's and Llama's tokenizers."""
    return math.ceil(len(text) / 4)


@dataclass
class Fault(InjectedFault):
    """One injected misbehaviour for the next ``count`` matching requests (None: until reset).
    ``retry_after`` sets the Retry-After header (seconds); ``delay`` holds the answer back.
    ``blank_answer`` makes the model write only white space: a completion that reports (and bills)
    its usage but holds no answer, as a model that lost its way does."""

    model: str = "*"
    status: int | None = None
    retry_after: float | None = None
    delay: float = 0.0
    blank_answer: bool = False
    count: int | None = 1
    prompt_contains: str | None = None

    def validate(self) -> None:
        super().validate()
        if self.delay < 0 or (self.retry_after is not None and self.retry_after < 0):
            raise ValueError("delay and retry_after must not be negative")

    def matches(self, model: str, prompt: str) -> bool:
        if self.model not in ("*", model):
            return False
        return self.prompt_contains is None or self.prompt_contains in prompt


@dataclass(frozen=True)
class RecordedRequest:
    model: str
    body: dict[str, Any]
    api_key: str | None


@dataclass
class Usage:
    """What the fake reported for one model: the figures a bill would be made from."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


def openai_error(status: int, message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": ERROR_TYPES.get(status, "api_error"), "param": None, "code": None}}


def compose_text(prompt: str) -> str:
    # Deterministic and marked, so nobody takes it for a real model's answer.
    return f"Generated for: {' '.join(prompt.split())[:200]}"


@dataclass
class FakeOpenAI(LocalHttpFake):
    thread_name = "fake-openai"
    server_name = "fake OpenAI"

    api_key: str | None = "test-key"
    host: str = "127.0.0.1"
    port: int = 0
    models: Iterable[str] | None = None
    latency: float = 0.0  # seconds every completion takes
    # Each model's requests a window (None: no limit); the window is a minute unless a test shortens it.
    requests_per_minute: int | None = None
    rate_window_seconds: float = 60.0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _faults: FaultQueue[Fault] = field(default_factory=FaultQueue)
    _requests: list[RecordedRequest] = field(default_factory=list)
    _latencies: dict[str, float] = field(default_factory=dict)
    _usage: dict[str, Usage] = field(default_factory=dict)
    _statuses: Counter[int] = field(default_factory=Counter)
    _serial: int = 0
    _runner: web.AppRunner | None = None
    _stopping: asyncio.Event | None = None

    def __post_init__(self) -> None:
        if self.latency < 0:
            raise ValueError("latency must not be negative")
        self._served = frozenset(self.models) if self.models is not None else None
        self.rate = RequestRate(self.requests_per_minute, window_seconds=self.rate_window_seconds)
        self.app = self._build_app()

    # -- programmatic control -------------------------------------------------------------

    def inject(self, fault: Fault | None = None, **fields: Any) -> Fault:
        """Queue a fault: ``inject(status=429, retry_after=1, count=2)``."""
        return self._faults.add(fault or Fault.from_json(fields))

    def set_latency(self, model: str, seconds: float) -> None:
        """How long ``model``'s completions take from now on (over ``latency``)."""
        if seconds < 0:
            raise ValueError("latency must not be negative")
        with self._lock:
            self._latencies[model] = seconds

    def reset(self) -> None:
        self._faults.clear()
        with self._lock:
            self._requests.clear()
            self._latencies.clear()
            self._usage.clear()
            self._statuses.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def usage(self) -> dict[str, Usage]:
        """Per model, the usage reported in every completion sent (blank ones too) since the last reset."""
        with self._lock:
            return {model: dataclasses.replace(usage) for model, usage in self._usage.items()}

    @property
    def statuses(self) -> dict[int, int]:
        with self._lock:
            return dict(self._statuses)

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    # -- lifecycle -------------------------------------------------------------------------

    # -- HTTP ------------------------------------------------------------------------------

    def _build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._handle_completion)
        app.router.add_get("/v1/models", self._handle_models)
        app.router.add_post("/_fake/faults", self._handle_inject)
        app.router.add_post("/_fake/latency", self._handle_latency)
        app.router.add_get("/_fake/usage", self._handle_usage)
        app.router.add_post("/_fake/reset", self._handle_reset)
        return app

    def _take_fault(self, model: str, prompt: str) -> Fault | None:
        return self._faults.take(lambda fault: fault.matches(model, prompt))

    def _refused(self, request: web.Request) -> web.Response | None:
        if self.api_key is None:
            return None
        header = request.headers.get("Authorization", "")
        if header != f"Bearer {self.api_key}":
            return self._error(401, "Incorrect API key provided.")
        return None

    def _error(self, status: int, message: str, retry_after: float | None = None) -> web.Response:
        with self._lock:
            self._statuses[status] += 1
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else None
        return web.json_response(openai_error(status, message), status=status, headers=headers)

    def _rate_limited(self, model: str, wait: float) -> web.Response:
        """OpenAI's answer past a model's requests-per-minute limit: its message and code, and the
        wait in its headers (``retry-after-ms``, ``Retry-After``, ``x-ratelimit-*``)."""
        with self._lock:
            self._statuses[429] += 1
        limit = self.rate.limit
        message = (
            f"Rate limit reached for {model} on requests per min (RPM): Limit {limit}, Used {limit}, "
            f"Requested 1. Please try again in {wait:.3g}s."
        )
        body = {"error": {"message": message, "type": "requests", "param": None, "code": "rate_limit_exceeded"}}
        headers = {
            "retry-after-ms": str(max(1, round(wait * 1000))),
            "Retry-After": str(RequestRate.whole_seconds(wait)),
            "x-ratelimit-limit-requests": str(limit),
            "x-ratelimit-remaining-requests": "0",
            "x-ratelimit-reset-requests": f"{wait:.3g}s",
        }
        return web.json_response(body, status=429, headers=headers)

    async def _handle_completion(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return self._error(400, "We could not parse the JSON body of your request.")
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body["messages"]:
            return self._error(400, "'messages' is a required property and must not be empty.")
        model = str(body.get("model") or "")
        header = request.headers.get("Authorization", "")
        with self._lock:
            self._serial += 1
            serial = self._serial
            self._requests.append(RecordedRequest(model, body, header.removeprefix("Bearer ") or None))
        refused = self._refused(request)
        if refused is not None:
            return refused
        if not model or (self._served is not None and model not in self._served):
            return self._error(404, f"The model `{model}` does not exist or you do not have access to it.")
        wait = self.rate.wait_before(model)
        if wait is not None:
            return self._rate_limited(model, wait)
        texts = [str(m.get("content", "")) for m in body["messages"] if isinstance(m, dict)]
        prompt = next((str(m.get("content", "")) for m in reversed(body["messages"]) if m.get("role") == "user"), "")
        fault = self._take_fault(model, prompt)
        with self._lock:
            pause = self._latencies.get(model, self.latency)
        pause += fault.delay if fault else 0.0
        streamed = body.get("stream") is True
        failing = fault is not None and fault.status is not None
        if pause and (failing or not streamed):  # a stream spreads its latency over its chunks
            await self.pause(pause)
        if fault and fault.status is not None:
            return self._error(fault.status, f"Injected {fault.status}.", fault.retry_after)
        limit = body.get("max_tokens") or body.get("max_completion_tokens") or MAX_TOKENS_CEILING
        text = BLANK_ANSWER if fault and fault.blank_answer else compose_text(prompt)
        finish_reason = "stop"
        if count_tokens(text) > int(limit):
            text, finish_reason = text[: int(limit) * 4], "length"
        prompt_tokens = sum(count_tokens(t) for t in texts) + 3 * len(texts)
        completion_tokens = count_tokens(text)
        with self._lock:
            usage = self._usage.setdefault(model, Usage())
            usage.calls += 1
            usage.prompt_tokens += prompt_tokens
            usage.completion_tokens += completion_tokens
            self._statuses[200] += 1
        usage_body = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        if streamed:
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return await self._stream(
                request, model, serial, text, finish_reason, usage_body if include_usage else None, pause
            )
        return web.json_response(
            {
                "id": f"chatcmpl-fake-{serial}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": finish_reason,
                        "logprobs": None,
                    }
                ],
                "usage": usage_body,
            }
        )

    async def _stream(
        self,
        request: web.Request,
        model: str,
        serial: int,
        text: str,
        finish_reason: str,
        usage: dict[str, int] | None,
        pause: float,
    ) -> web.StreamResponse:
        """The answer as OpenAI streams it: a role chunk, content chunks, a finish chunk, the usage
        chunk (empty ``choices``) when asked for, then ``[DONE]``; ``pause`` spread over them."""
        pieces = word_pieces(text, STREAM_CHUNK_WORDS)
        common = {"id": f"chatcmpl-fake-{serial}", "object": "chat.completion.chunk", "created": int(time.time())}
        common["model"] = model

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
            return {**common, "choices": [choice], **({"usage": None} if usage is not None else {})}

        events = [chunk({"role": "assistant", "content": ""})]
        events += [chunk({"content": piece}) for piece in pieces]
        events.append(chunk({}, finish_reason))
        if usage is not None:
            events.append({**common, "choices": [], "usage": usage})
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for event in events:
            if pause:
                await self.pause(pause / len(events))
            await response.write(b"data: " + json.dumps(event).encode() + b"\n\n")
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    async def _handle_models(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        served = sorted(self._served or [])
        return web.json_response(
            {"object": "list", "data": [{"id": m, "object": "model", "owned_by": "sandbox"} for m in served]}
        )

    async def _handle_inject(self, request: web.Request) -> web.Response:
        try:
            data = await request.json()
            items = data if isinstance(data, list) else [data]
            for item in items:
                self.inject(Fault.from_json(item))
        except (json.JSONDecodeError, TypeError, ValueError) as exc:
            return web.json_response(openai_error(400, str(exc)), status=400)
        return web.json_response({"ok": True})

    async def _handle_latency(self, request: web.Request) -> web.Response:
        try:
            data = await request.json()
            self.set_latency(str(data["model"]), float(data["seconds"]))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            return web.json_response(openai_error(400, f"need model and seconds ({exc})"), status=400)
        return web.json_response({"ok": True})

    async def _handle_usage(self, request: web.Request) -> web.Response:
        return web.json_response({model: dataclasses.asdict(usage) for model, usage in self.usage().items()})

    async def _handle_reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({"ok": True})


# Published list prices at the time of writing, per million tokens; the self-hosted model at a
# made-up cost of running it. Only for the local sandbox.
SANDBOX_PRICES = {
    "gemini-2.5-flash": ("0.30", "2.50"),
    "gemini-2.5-flash-lite": ("0.10", "0.40"),
}
SANDBOX_LLAMA = "llama-3.1-8b-instruct"


def sandbox_catalogue(gemini_models: Iterable[str], openai_base_url: str, *, gemini_base_url: str) -> str:
    """A catalogue (JSON) for `make run`: the Gemini models on the fake Gemini, then a Llama model on
    this fake, all priced, so every strategy and the money budget have something to work with."""
    models: list[dict[str, Any]] = []
    for name in gemini_models:
        input_price, output_price = SANDBOX_PRICES.get(name, ("0.30", "2.50"))
        models.append(
            {
                "name": name,
                "provider": "gemini",
                "base_url": gemini_base_url,
                "api_key_env": "GEMINI_API_KEY",
                "price": {"input": input_price, "output": output_price},
                "region": "us",
            }
        )
    models.append(
        {
            "name": SANDBOX_LLAMA,
            "provider": "openai",
            "base_url": openai_base_url,
            "api_key_env": "SANDBOX_OPENAI_API_KEY",
            "price": {"input": "0.05", "output": "0.08"},
            "context_tokens": 131072,
            "region": "eu",
        }
    )
    return json.dumps({"currency": "USD", "models": models})


def main(argv: list[str] | None = None) -> None:
    serve_model_fake(
        FakeOpenAI,
        argv,
        prog="python -m sandbox.openai_server",
        description=__doc__.splitlines()[0],
        sender="clients",
        call="completion",
        banner="fake OpenAI-compatible API listening on {url}/v1",
    )


if __name__ == "__main__":
    main()
