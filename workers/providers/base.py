"""What every model provider takes and returns, and how it fails."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypedDict

from bot.quota.models import ModelCharge, Spend


@dataclass(frozen=True)
class TextRequest:
    prompt: str
    system_instruction: str
    max_output_tokens: int
    temperature: float = 0.7
    # Context caching (``workers.providers.context_cache``): per model, the provider's cache that
    # holds the first ``cached_prefix_chars`` characters of ``system_instruction``; a model with
    # none gets the whole instruction as usual.
    cached_contents: Mapping[str, str] = field(default_factory=dict)
    cached_prefix_chars: int = 0
    # Says whether any of the answer has been shown to someone (a streamed reply): once it has,
    # a failure ends the job rather than moving to another model, which would start over.
    output_shown: Callable[[], bool] | None = None
    # Where the answer goes as the model writes it (``TextStream``); None: the whole answer at the end.
    stream: TextStream | None = None

    def shown(self) -> bool:
        """Has any of the answer reached a reader? Then a failure may not move to another model."""
        if self.stream is not None and self.stream.shown():
            return True
        return self.output_shown is not None and self.output_shown()


class TextStream(Protocol):
    """What receives an answer while the model writes it (``workers.dm_thread.LiveReply``)."""

    async def begin(self) -> None:
        """A new attempt starts: forget what an earlier one sent (nothing of it was shown)."""

    async def add(self, text: str) -> None:
        """The next piece of the answer, in order."""

    def shown(self) -> bool:
        """Has any of it reached a reader?"""


# A provider's streaming call hands each piece of text to this as it arrives.
OnText = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class TextResult:
    text: str
    model: str
    provider: str
    input_tokens: int
    output_tokens: int
    finish_reason: str
    attempts: int
    # What earlier attempts that gave no text (a safety block, thinking that ran out of tokens,
    # an empty answer) cost, as the provider reported it: billed all the same.
    failed_attempt_tokens: int = 0
    # Input tokens the provider served from its cache (billed at the cached price), part of input_tokens.
    cached_input_tokens: int = 0
    # What the whole job's model calls cost by the price table, failed attempts included, in
    # millionths of the catalogue's currency (0 when unpriced).
    cost_micros: int = 0
    # The same cost per attempt, each at the prices of the model that served it (set by the router).
    charges: tuple[ModelCharge, ...] = ()

    @property
    def tokens_used(self) -> int:
        return self.input_tokens + self.output_tokens + self.failed_attempt_tokens

    @property
    def spend(self) -> Spend:
        """What the ledger books for the job: the answering model, and every attempt's cost."""
        return Spend(
            self.model,
            self.input_tokens,
            self.output_tokens,
            self.cost_micros,
            cached_input_tokens=self.cached_input_tokens,
            charges=self.charges,
        )


@dataclass(frozen=True)
class ImageRequest:
    prompt: str
    seed: int
    steps: int
    width: int
    height: int
    guidance_scale: float


@dataclass(frozen=True)
class ImageResult:
    png: bytes
    model: str
    provider: str
    seed: int
    units: int


@dataclass(frozen=True)
class ContextCacheEntry:
    """A provider-side cache of an instruction prefix: its name and when it expires."""

    name: str
    expires_at: datetime


class StreamStopped(Exception):
    """The receiver of a streamed answer refused a piece (``error``: the output guard's verdict);
    the call was stopped there. ``reported_input_tokens`` / ``reported_output_tokens``: what the
    provider had reported so far in the chunks received (set by the provider; None where it had
    not). ``input_tokens``, ``output_tokens``, ``tokens_used`` and ``cost_micros``: what the call is
    charged, the reported counts where there are some and an estimate from what was sent and
    received where not (set by the router)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error
        self.received = ""
        self.reported_input_tokens: int | None = None
        self.reported_output_tokens: int | None = None
        self.input_tokens = 0
        self.output_tokens = 0
        self.tokens_used = 0
        self.cost_micros = 0
        self.charges: tuple[ModelCharge, ...] = ()
        self.model: str | None = None


class ReportedUsage(TypedDict):
    """What a provider's response said a call cost, as a provider error's keywords."""

    input_tokens: int
    output_tokens: int
    cached_input_tokens: int


class ProviderError(Exception):
    """A model call that did not produce content.

    ``reason`` is short, safe to show to users and to put in the audit trail: it never holds
    the prompt or the output. ``detail`` may add what the provider said, for logs.
    ``input_tokens`` / ``output_tokens`` / ``cached_input_tokens`` are what the provider reported
    this call cost even so (a model that read the prompt and then refused still bills it; thinking
    is billed as output); a response without usage is charged the provider's estimate for an answer
    without usage (``estimate_tokens`` of what was sent); a call that got no response (an HTTP
    error, a time-out, a refused connection) costs 0.
    """

    def __init__(
        self,
        reason: str,
        *,
        detail: str | None = None,
        input_tokens: int = 0,
        output_tokens: int = 0,
        cached_input_tokens: int = 0,
    ) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens
        self.cached_input_tokens = cached_input_tokens
        # Set by the router for the whole job: the tokens of every attempt, what they cost by the
        # price table (millionths), each attempt's bill booked to the model that served it, and
        # the model the last attempt went to.
        self.tokens_used = input_tokens + output_tokens
        self.cost_micros = 0
        self.charges: tuple[ModelCharge, ...] = ()
        self.model: str | None = None


class RetryableError(ProviderError):
    """Worth another try (rate limits, overload, timeouts); ``retry_after`` is the server's hint."""

    def __init__(
        self,
        reason: str,
        *,
        retry_after: float | None = None,
        detail: str | None = None,
        input_tokens: int = 0,
        output_tokens: int = 0,
        cached_input_tokens: int = 0,
    ) -> None:
        super().__init__(
            reason,
            detail=detail,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cached_input_tokens=cached_input_tokens,
        )
        self.retry_after = retry_after


class PermanentError(ProviderError):
    """The same request would fail again anywhere: safety blocks, invalid requests, bad credentials."""


def no_text_error(model: str, finish_reason: str, *, out_of_tokens: bool, spent: ReportedUsage) -> ProviderError:
    """Why an answer that holds no text failed: one that ran out of output tokens (thinking used
    them all) would run out again, so it is permanent; any other empty answer is worth another try.
    Either carries what the call cost (``spent``), since the model read the prompt all the same."""
    if out_of_tokens:
        return PermanentError(f"{model} used up the output token limit before writing any text", **spent)
    return RetryableError(f"{model} returned no text ({finish_reason})", **spent)


class AllModelsFailed(ProviderError):
    """Every configured model was tried (or skipped by its circuit breaker) and none answered."""


class TextProvider(Protocol):
    """One backend for text; the router owns retries and failover, so a provider tries once."""

    name: str

    async def generate_text(self, model: str, request: TextRequest) -> TextResult: ...

    async def aclose(self) -> None: ...


class StreamingTextProvider(TextProvider, Protocol):
    """A provider that can hand the answer over as the model writes it."""

    async def stream_text(self, model: str, request: TextRequest, on_text: OnText) -> TextResult:
        """One call that gives each piece of text to ``on_text`` as it arrives and returns the whole
        answer with the usage the provider reported at its end."""


class ImageProvider(Protocol):
    name: str

    def generate_image(self, request: ImageRequest) -> ImageResult: ...
