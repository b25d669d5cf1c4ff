"""A result asked for in the bot's DM: the thread's status line, and the text streamed into the thread.

Text goes out with Slack's chat streaming (``chat.startStream``, ``chat.appendStream``,
``chat.stopStream``), every piece passed by the output guard first (``workers.guarded_stream``); a
piece that fails it stops the stream and replaces the message with the refusal. Slack ends a stream
left open about five minutes after it started, so ours is stopped well before
(``STREAM_FINISH_SECONDS``) and whatever is left follows as an ordinary reply. Where streaming is
unavailable (an older workspace, a token type that may not stream) the result is one placeholder
reply and one ``chat.update`` with the whole result. The finished message ends with who asked,
the feedback buttons and "Post to a channel", and carries the job id in its metadata.

Channel posts never stream: they stay whole messages (``workers.posting``). The providers return
a whole answer today (``workers.providers``), so ``pieces_of`` cuts it into the pieces a streaming
model would send; the guarded stream does not depend on where its pieces come from.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.agent.views import STATUS_AWAITING_APPROVAL, STATUS_GENERATING, awaiting_approval_text, share_button
from bot.feedback.views import feedback_buttons
from bot.guard import OutputRejected
from db.models import Job
from workers import views
from workers.guarded_stream import Check, GuardedStream
from workers.lifecycle import JobResult
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
REFUSAL = ":no_entry_sign: I withheld this answer: {reason}"


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
    """A finished answer as the pieces a model would have sent, cut after a line or a word."""
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


async def stream_result(
    client: AsyncWebClient,
    job: Job,
    result: JobResult,
    pieces: AsyncIterator[str],
    check: Check,
    *,
    metadata: dict[str, Any],
    on_send: Callable[[], None],
    clock: Callable[[], float] = time.monotonic,
) -> str:
    """Stream the answer into the job's DM thread; returns the message's ts. Raises
    ``StreamWithheld`` once the message shows the refusal, ``SlackApiError`` for Slack's refusals."""
    assert job.thread_ts is not None
    channel = job.target_channel
    guarded = GuardedStream(check)
    on_send()
    try:
        started = await client.chat_startStream(
            channel=channel, thread_ts=job.thread_ts, recipient_user_id=job.requester_id
        )
    except SlackApiError as error:
        if str(error.response.get("error")) not in STREAM_UNAVAILABLE:
            raise
        log.info("job %s: streaming unavailable (%s); one update instead", job.id, error.response.get("error"))
        return await _post_then_update(client, job, result, pieces, guarded, metadata)
    ts = str(started["ts"])
    began = clock()
    safe = _SafeText()
    waiting = ""
    overflow: list[str] = []
    try:
        async for piece in pieces:
            waiting += await guarded.feed(piece)
            if len(waiting) < APPEND_AT_LEAST:
                continue
            if clock() - began > STREAM_FINISH_SECONDS or len(safe.safe) + len(waiting) > MARKDOWN_BLOCK_LIMIT:
                overflow.append(waiting)
            else:
                await client.chat_appendStream(channel=channel, ts=ts, markdown_text=safe.add(waiting))
            waiting = ""
        waiting += await guarded.finish()
    except OutputRejected as rejected:
        await _replace_with_refusal(client, channel, ts, rejected)
        raise StreamWithheld(rejected) from rejected
    rest = "".join(overflow) + waiting
    fits = not overflow and len(safe.safe) + len(rest) <= MARKDOWN_BLOCK_LIMIT
    last = safe.add(rest) if fits and rest else None
    await client.chat_stopStream(
        channel=channel, ts=ts, markdown_text=last, blocks=closing_blocks(job, result), metadata=metadata
    )
    if not fits and rest:
        # Past what one message holds, or past the stream's time: the rest follows as replies.
        for piece in split_markdown(slack_safe_markdown(rest)):
            await client.chat_postMessage(
                channel=channel,
                thread_ts=job.thread_ts,
                text=views.escape_mrkdwn(piece[:3000]),
                blocks=[views.markdown_block(piece)],
            )
    return ts


async def _post_then_update(
    client: AsyncWebClient,
    job: Job,
    result: JobResult,
    pieces: AsyncIterator[str],
    guarded: GuardedStream,
    metadata: dict[str, Any],
) -> str:
    assert job.thread_ts is not None
    channel = job.target_channel
    posted = await client.chat_postMessage(channel=channel, thread_ts=job.thread_ts, text=PLACEHOLDER)
    ts = str(posted["ts"])
    try:
        async for piece in pieces:
            await guarded.feed(piece)
        await guarded.finish()
    except OutputRejected as rejected:
        await _replace_with_refusal(client, channel, ts, rejected)
        raise StreamWithheld(rejected) from rejected
    message = views.result_message(job, result, guarded.received, extra=[share_button(job.id)])
    await client.chat_update(channel=channel, ts=ts, metadata=metadata, **message)
    return ts


async def _replace_with_refusal(client: AsyncWebClient, channel: str, ts: str, rejected: OutputRejected) -> None:
    text = REFUSAL.format(reason=rejected.verdict.reason)
    try:
        await client.chat_stopStream(channel=channel, ts=ts)
    except SlackApiError:
        pass  # already stopped, or never a stream (the one-update fallback)
    await client.chat_update(
        channel=channel, ts=ts, text=text, blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    )
