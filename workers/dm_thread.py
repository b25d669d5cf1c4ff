"""A result asked for in the bot's DM: the thread's status line, and the text streamed into the thread.

Text goes out with Slack's chat streaming (``chat.startStream``, ``chat.appendStream``,
``chat.stopStream``), every piece passed by the output guard first (``workers.guarded_stream``); a
piece that fails it stops the stream and replaces the message with the refusal. Slack ends a stream
left open about five minutes after it started, so ours stops taking appends well before
(``STREAM_FINISH_SECONDS``; a text job's time limit ends generation sooner still) and whatever is
left follows as an ordinary reply. Where streaming is
unavailable (an older workspace, a token type that may not stream) the result is one placeholder
reply and one ``chat.update`` with the whole result. The finished message ends with who asked,
the feedback buttons and "Post to a channel", and carries the job id in its metadata.

Slack takes metadata only when a stream stops, so the job id cannot mark a message still being
written. Instead the reply's ts is kept on the job (``jobs.stream_ts``, fenced by the attempt's
lease) as soon as Slack names it, and a retry after a crash or a lost lease takes that message over
(``LiveReply.take_over``): it stops the earlier stream, shows the placeholder and ends with one
update holding the whole answer, so a job never shows two answers. (Between Slack naming the
message and the ts being kept lies one database statement: a crash exactly there leaves the
opened message to Slack's time-out.)

A fresh answer is shown while the model writes it: ``LiveReply`` is the ``TextStream`` the model
call hands each piece to (``workers.providers.router``), opened with the first text the guard
releases, so a failure before that can still move to another model and one after it cannot. An
answer that already exists (approved, or from the result cache) goes through the same
``LiveReply`` cut into pieces (``pieces_of``). Channel posts never stream: they stay whole
messages (``workers.posting``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, NoReturn

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.agent.views import STATUS_AWAITING_APPROVAL, STATUS_GENERATING, awaiting_approval_text, share_button
from bot.feedback.views import feedback_buttons
from bot.guard import OutputRejected
from db.models import Job
from workers import views
from workers.guarded_stream import Check, GuardedStream
from workers.lifecycle import JobResult, LeaseLost
from workers.result_markdown import MARKDOWN_BLOCK_LIMIT, slack_safe_markdown, split_markdown

log = logging.getLogger(__name__)

STREAM_FINISH_SECONDS = 240.0  # Slack stops a stream about 300 s after it started
APPEND_AT_LEAST = 200  # characters per appendStream, so a long answer is not hundreds of calls
PIECE_CHARS = 300
PLACEHOLDER = ":hourglass_flowing_sand: Writing…"
# Slack's answers that mean "this workspace or token cannot stream here": fall back to one update.
STREAM_UNAVAILABLE = frozenset(
    {
        "unknown_method",
        "not_allowed_token_type",
        "feature_not_enabled",
        "not_supported",
        "method_not_supported_for_channel_type",
    }
)
# Slack's answers that say a retry may work: a message taken over is left alone rather than
# judged on them.
SLACK_TRANSIENT = frozenset({"ratelimited", "service_unavailable", "fatal_error", "internal_error", "request_timeout"})
REFUSAL = ":no_entry_sign: I withheld this answer: {reason}"
FAILED = ":warning: I could not finish this answer: {reason}"


class StreamWithheld(Exception):
    """The output guard stopped the stream; the message now shows the refusal."""

    def __init__(self, rejected: OutputRejected) -> None:
        super().__init__(rejected.reason)
        self.rejected = rejected


async def show_status(client: AsyncWebClient, job: Job, status: str) -> None:
    """The thread's status line (cleared by Slack when the bot replies); never raises."""
    if not job.thread_ts:
        return
    try:
        await client.assistant_threads_setStatus(channel_id=job.target_channel, thread_ts=job.thread_ts, status=status)
    except Exception:
        log.info("job %s: could not set the thread's status", job.id, exc_info=True)


async def show_generating(client: AsyncWebClient, job: Job) -> None:
    await show_status(client, job, STATUS_GENERATING)


async def show_awaiting_approval(client: AsyncWebClient, job: Job) -> None:
    if not job.thread_ts:
        return
    await show_status(client, job, STATUS_AWAITING_APPROVAL)
    try:
        await client.chat_postMessage(
            channel=job.target_channel, thread_ts=job.thread_ts, text=awaiting_approval_text(job.id)
        )
    except Exception:
        log.info("job %s: could not say in the thread that it awaits approval", job.id, exc_info=True)


def closing_blocks(job: Job, result: JobResult) -> list[dict[str, Any]]:
    """What ends a result in the DM: who asked and what it cost, feedback, "Post to a channel"."""
    return [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": views.context_line(job, result)}]},
        feedback_buttons(job.id),
        share_button(job.id),
    ]


async def pieces_of(text: str, size: int = PIECE_CHARS) -> AsyncIterator[str]:
    """A finished answer (an approved or a stored one) as the pieces a model would have sent, cut
    after a line or a word."""
    rest = text
    while rest:
        if len(rest) <= size:
            yield rest
            return
        cut = rest.rfind("\n", 0, size)
        if cut < size // 3:
            cut = rest.rfind(" ", 0, size)
        cut = size if cut < 1 else cut + 1
        yield rest[:cut]
        rest = rest[cut:]


class _SafeText:
    """Released text made safe for Slack as it grows: escaped as one document, sent as its new end."""

    def __init__(self) -> None:
        self.raw = ""
        self.safe = ""

    def add(self, released: str) -> str:
        self.raw += released
        safe = slack_safe_markdown(self.raw)
        new = safe[len(self.safe) :] if safe.startswith(self.safe) else slack_safe_markdown(released)
        self.safe = safe
        return new


def _unchanged(text: str) -> str:
    return text


class LiveReply:
    """The answer in the job's DM thread, shown while it is written (``workers.providers.TextStream``).

    Each piece goes through the guarded stream; what it releases (placeholders restored by
    ``restore`` where the organization wants the originals shown) is appended to a Slack stream
    opened with the first text to show, so a model that fails before that leaves nothing behind and
    the router may still try another model (``shown``). Where streaming is unavailable the text is
    kept and the message is one placeholder reply and one ``chat.update`` at the end. A Slack error
    while showing stops the showing (the answer is still read to its end and checked) and is raised
    by ``finish``, where the post's error rules apply. ``on_send`` is called right before the first
    request that puts a message in the thread; ``on_open`` with the ts of the message it opened
    (where the job keeps it, raising ``LeaseLost`` when the job is another attempt's: the message
    is then withdrawn). ``earlier_ts``: the message an earlier attempt of the job opened, which
    ``take_over`` makes this one's.
    """

    def __init__(
        self,
        client: AsyncWebClient,
        job: Job,
        check: Check,
        *,
        on_send: Callable[[], None],
        restore: Callable[[str], str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_open: Callable[[str], Awaitable[None]] | None = None,
        earlier_ts: str | None = None,
    ) -> None:
        assert job.thread_ts is not None
        self.client = client
        self.job = job
        self._check = check
        self._on_send = on_send
        self._on_open = on_open
        self._earlier_ts = earlier_ts
        self._kept = False  # the earlier attempt's message already shows the whole answer
        self._restore = restore or _unchanged
        self._clock = clock
        self.ts: str | None = None
        self._streaming = False
        self._began = 0.0
        self._shown = False
        self._closed = False  # the message shows its end: the answer, a refusal or a failure
        self._failure: Exception | None = None
        self._reset()

    def _reset(self) -> None:
        self._guarded = GuardedStream(self._check)
        self._safe = _SafeText()
        self._waiting = ""
        self._overflow: list[str] = []

    # -- workers.providers.TextStream --------------------------------------------------------

    async def begin(self) -> None:
        assert not self._shown, "a new attempt after text was shown"
        self._reset()

    async def add(self, piece: str) -> None:
        try:
            released = await self._guarded.feed(piece)
        except OutputRejected as rejected:
            await self._withhold(rejected)
        self._waiting += self._restore(released)
        if len(self._waiting) >= APPEND_AT_LEAST:
            text, self._waiting = self._waiting, ""
            await self._show(text)

    def shown(self) -> bool:
        return self._shown

    # -- the end ------------------------------------------------------------------------------

    async def finish(self, result: JobResult, metadata: dict[str, Any]) -> str:
        """The whole answer has arrived: check it once more, show the rest and end the message with
        ``closing_blocks``; returns its ts. Raises ``StreamWithheld`` once the message shows the
        refusal, and the Slack error that stopped the showing, if one did."""
        try:
            rest = await self._guarded.finish()
        except OutputRejected as rejected:
            await self._withhold(rejected)
        if self._failure is not None:
            raise self._failure
        if self._kept:
            assert self.ts is not None
            return self.ts
        if self.ts is None:
            await self._open()
        assert self.ts is not None
        channel, job = self.job.target_channel, self.job
        if not self._streaming:
            message = views.result_message(
                job, result, self._restore(self._guarded.received), extra=[share_button(job.id)]
            )
            await self.client.chat_update(channel=channel, ts=self.ts, metadata=metadata, **message)
            self._closed = True
            return self.ts
        rest = "".join(self._overflow) + self._waiting + self._restore(rest)
        fits = not self._overflow and len(self._safe.safe) + len(rest) <= MARKDOWN_BLOCK_LIMIT
        last = self._safe.add(rest) if fits and rest else None
        await self.client.chat_stopStream(
            channel=channel, ts=self.ts, markdown_text=last, blocks=closing_blocks(job, result), metadata=metadata
        )
        self._closed = True
        if not fits and rest:
            # Past what one message holds, or past the stream's time: the rest follows as replies.
            for piece in split_markdown(slack_safe_markdown(rest)):
                await self.client.chat_postMessage(
                    channel=channel,
                    thread_ts=job.thread_ts,
                    text=views.escape_mrkdwn(piece[:3000]),
                    blocks=[views.markdown_block(piece)],
                )
        return self.ts

    async def abandon(self, reason: str, *, note: str | None = None) -> None:
        """The job failed after its message was opened: the message says so instead, in ``note``
        where given (never raises)."""
        if self.ts is None or self._closed:
            return
        self._closed = True
        try:
            await _replace(self.client, self.job.target_channel, self.ts, note or FAILED.format(reason=reason))
        except Exception:
            log.info("job %s: could not say in its thread that it failed", self.job.id, exc_info=True)

    async def take_over(self) -> None:
        """Make the message an earlier attempt opened (``earlier_ts``) this attempt's, before anything
        is shown: its stream is stopped and it shows the placeholder, and the answer comes as one
        update at the end (the message's place in the thread stays the same). A message the earlier
        attempt finished (it carries the job's metadata) is kept as it is; one that is gone leaves
        this attempt to open its own. Never raises: where Slack cannot be reached the message is
        still this attempt's, and the end's update meets Slack's answer under the post's rules."""
        ts = self._earlier_ts
        if ts is None or self.ts is not None:
            return
        channel = self.job.target_channel
        try:
            try:
                await self.client.chat_stopStream(channel=channel, ts=ts)
            except SlackApiError as error:
                if str(error.response.get("error")) in SLACK_TRANSIENT or error.response.status_code >= 500:
                    raise
                # Stopped already (finished, replaced, or past Slack's time-out), or never a stream.
                if await self._finished(ts):
                    log.info("job %s: an earlier attempt's reply %s already shows the answer", self.job.id, ts)
                    self.ts, self._kept, self._closed = ts, True, True
                    return
            await self.client.chat_update(channel=channel, ts=ts, text=PLACEHOLDER, blocks=_section(PLACEHOLDER))
        except SlackApiError as error:
            if str(error.response.get("error")) == "message_not_found":
                log.info("job %s: the reply an earlier attempt opened is gone; a new one follows", self.job.id)
                return
            log.warning("job %s: taking over the earlier reply failed (%s)", self.job.id, error.response.get("error"))
        except (SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as error:
            log.warning("job %s: taking over the earlier reply failed (%s)", self.job.id, type(error).__name__)
        log.info("job %s: continuing in the reply %s an earlier attempt opened", self.job.id, ts)
        self.ts = ts  # not streaming: one update at the end

    async def _finished(self, ts: str) -> bool:
        """Whether the message ``ts`` in the job's thread carries the job's metadata (a finished
        answer); False also when the thread cannot be read."""
        job = self.job
        assert job.thread_ts is not None
        try:
            response = await self.client.conversations_replies(
                channel=job.target_channel, ts=job.thread_ts, include_all_metadata=True, limit=200
            )
        except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError, OSError):
            return False
        for message in response.get("messages") or []:
            if str(message.get("ts")) == ts:
                payload = (message.get("metadata") or {}).get("event_payload") or {}
                return str(payload.get("job_id")) == str(job.id)
        return False

    # -- Slack --------------------------------------------------------------------------------

    async def _open(self) -> None:
        job = self.job
        assert job.thread_ts is not None
        self._on_send()
        try:
            started = await self.client.chat_startStream(
                channel=job.target_channel, thread_ts=job.thread_ts, recipient_user_id=job.requester_id
            )
        except SlackApiError as error:
            if str(error.response.get("error")) not in STREAM_UNAVAILABLE:
                raise
            log.info("job %s: streaming unavailable (%s); one update instead", job.id, error.response.get("error"))
            posted = await self.client.chat_postMessage(
                channel=job.target_channel, thread_ts=job.thread_ts, text=PLACEHOLDER
            )
            self.ts = str(posted["ts"])
        else:
            self.ts, self._streaming, self._began = str(started["ts"]), True, self._clock()
        if self._on_open is not None:
            try:
                await self._on_open(self.ts)
            except LeaseLost:
                await self._withdraw()
                raise

    async def _withdraw(self) -> None:
        """The job became another attempt's while this one opened its message: the message goes
        (never raises), so the attempt that owns the job shows the only answer."""
        assert self.ts is not None
        self._closed = True
        channel = self.job.target_channel
        log.warning("job %s: lost the job while opening its reply; withdrawing %s", self.job.id, self.ts)
        try:
            if self._streaming:
                await self.client.chat_stopStream(channel=channel, ts=self.ts)
            await self.client.chat_delete(channel=channel, ts=self.ts)
        except Exception:
            log.info("job %s: could not withdraw its reply", self.job.id, exc_info=True)

    async def _show(self, text: str) -> None:
        if self._failure is not None:
            return
        try:
            if self.ts is None:
                await self._open()
            if not self._streaming:
                return  # shown whole by finish's one update
            late = self._clock() - self._began > STREAM_FINISH_SECONDS
            if late or self._overflow or len(self._safe.safe) + len(text) > MARKDOWN_BLOCK_LIMIT:
                self._overflow.append(text)
                return
            assert self.ts is not None
            await self.client.chat_appendStream(
                channel=self.job.target_channel, ts=self.ts, markdown_text=self._safe.add(text)
            )
            self._shown = True
        except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as error:
            log.warning("job %s: showing the answer failed (%s)", self.job.id, type(error).__name__)
            self._failure = error

    async def _withhold(self, rejected: OutputRejected) -> NoReturn:
        """The guard refused the answer: the message (or a reply, where none was open) shows the
        refusal, and the stream stops with ``StreamWithheld``."""
        self._closed = True
        text = REFUSAL.format(reason=rejected.verdict.reason)
        channel = self.job.target_channel
        try:
            if self.ts is None:
                self._on_send()
                await self.client.chat_postMessage(
                    channel=channel, thread_ts=self.job.thread_ts, text=text, blocks=_section(text)
                )
            else:
                await _replace(self.client, channel, self.ts, text)
        except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError, OSError):
            log.warning("job %s: could not show the guard's refusal in the thread", self.job.id, exc_info=True)
        raise StreamWithheld(rejected) from rejected


async def stream_result(
    client: AsyncWebClient,
    job: Job,
    result: JobResult,
    pieces: AsyncIterator[str],
    check: Check,
    *,
    metadata: dict[str, Any],
    on_send: Callable[[], None],
    on_open: Callable[[str], Awaitable[None]] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> str:
    """Stream a finished answer into the job's DM thread (an approved or a stored result); returns
    the message's ts. A message an earlier attempt opened is taken over (``LiveReply.take_over``).
    Raises ``StreamWithheld`` once the message shows the refusal, ``SlackApiError`` for Slack's
    refusals."""
    live = LiveReply(client, job, check, on_send=on_send, clock=clock, on_open=on_open, earlier_ts=job.stream_ts)
    await live.take_over()
    async for piece in pieces:
        await live.add(piece)
    return await live.finish(result, metadata)


def _section(text: str) -> list[dict[str, Any]]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]


async def _replace(client: AsyncWebClient, channel: str, ts: str, text: str) -> None:
    try:
        await client.chat_stopStream(channel=channel, ts=ts)
    except SlackApiError:
        pass  # already stopped, or never a stream (the one-update fallback)
    await client.chat_update(channel=channel, ts=ts, text=text, blocks=_section(text))
