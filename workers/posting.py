"""Talking to Slack from the workers: the one function that posts a result, and the one that tells
the requester what happened.

Both use bot.slack.client's client, whose retry handlers already sleep out a 429's Retry-After and
retry 5xx answers and dropped connections; what still fails here is either a refusal a person has
to fix (``PostRefused``) or an outage that outlasted those retries (``SlackUnavailable``).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.feedback.views import FEEDBACK_BLOCK_PREFIX
from bot.process.runtime import Runtime
from bot.slack.bot_tokens import NoBotToken, bot_token_for
from bot.slack.client import RetryPolicy, async_retry_handlers, make_web_client
from bot.slack.response_urls import trusted_response_url
from db.models import Job, JobKind
from workers import views
from workers.dm_thread import LiveReply, StreamWithheld, pieces_of, stream_result
from workers.guarded_stream import Check
from workers.lifecycle import JobResult

log = logging.getLogger(__name__)

TOKEN_CACHE_SECONDS = 60.0
# Slack honours a response_url for 30 minutes (and five posts); after that, chat.postEphemeral.
RESPONSE_URL_LIFETIME = timedelta(minutes=29)
REINSTALL = "Ask a workspace admin to reinstall Content Factory, then run the command again."
# Slack error code -> (what went wrong, how to fix it); {channel} is filled with a channel mention.
REFUSALS: dict[str, tuple[str, str]] = {
    "not_in_channel": (
        "I am not a member of {channel}",
        "Invite me with `/invite @Content Factory` in {channel}, then run the command again.",
    ),
    "channel_not_found": (
        "I cannot find {channel}",
        "If it is a private channel, invite me with `/invite @Content Factory` there; "
        "otherwise check the channel and run the command again.",
    ),
    "is_archived": ("{channel} is archived", "Pick another channel with `in #channel`."),
    "restricted_action": (
        "posting in {channel} is restricted by the workspace's settings",
        "Ask a workspace admin to allow the app to post there, or pick another channel.",
    ),
    "missing_scope": ("the app lacks a permission it needs to post", REINSTALL),
    "invalid_auth": ("Content Factory's access to this workspace is no longer valid", REINSTALL),
    "not_authed": ("Content Factory's access to this workspace is no longer valid", REINSTALL),
    "token_revoked": ("Content Factory was uninstalled from this workspace", REINSTALL),
    "token_expired": ("Content Factory's access to this workspace expired", REINSTALL),
    "account_inactive": ("Content Factory's bot user was deactivated", REINSTALL),
}
TRANSIENT_ERRORS = frozenset({"ratelimited", "service_unavailable", "fatal_error", "internal_error", "request_timeout"})
# Where the token itself is gone, no bot call can reach the requester: only a response_url can.
TOKEN_ERRORS = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"})


class PostRefused(Exception):
    """Slack refused the post for a reason a person must fix; retrying would fail the same way."""

    def __init__(self, code: str, reason: str, fix: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason
        self.fix = fix


class SlackUnavailable(Exception):
    """Slack did not answer usefully even after the client's retries; worth a later attempt."""


@dataclass(frozen=True)
class Posted:
    ts: str
    channel: str


def _refusal(code: str, channel: str) -> PostRefused:
    reason, fix = REFUSALS.get(code, (f"Slack refused the post ({code})", "Contact your workspace admin."))
    mention = f"<#{channel}>"
    return PostRefused(code, reason.format(channel=mention), fix.format(channel=mention))


class TokenCache:
    """Bot tokens for a minute, so posting does not read (and decrypt) the installation every time.
    A minute is far inside bot_tokens' rotation margin; a token Slack calls dead is forgotten."""

    def __init__(self, seconds: float = TOKEN_CACHE_SECONDS) -> None:
        self.seconds = seconds
        self._tokens: dict[uuid.UUID, tuple[str, float]] = {}

    async def get(self, runtime: Runtime, org_id: uuid.UUID) -> str:
        cached = self._tokens.get(org_id)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        token = await bot_token_for(runtime, org_id)
        self._tokens[org_id] = (token, time.monotonic() + self.seconds)
        return token

    def forget(self, org_id: uuid.UUID) -> None:
        self._tokens.pop(org_id, None)


_token_cache = TokenCache()
# One HTTP session per event loop: a post reuses a warm keep-alive connection instead of opening
# and closing one (slack-sdk makes a session per request when the client has none).
_http_sessions: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aiohttp.ClientSession] = (
    weakref.WeakKeyDictionary()
)


def _http_session() -> aiohttp.ClientSession:
    loop = asyncio.get_running_loop()
    session = _http_sessions.get(loop)
    if session is None or session.closed:
        session = aiohttp.ClientSession()
        _http_sessions[loop] = session
    return session


async def close_http_session() -> None:
    """Close this loop's Slack connections (a worker process shutting down)."""
    session = _http_sessions.pop(asyncio.get_running_loop(), None)
    if session is not None:
        await session.close()


async def slack_client(runtime: Runtime, job: Job) -> AsyncWebClient:
    client = make_web_client(await _token_cache.get(runtime, job.org_id), base_url=runtime.settings.slack_api_url)
    client.session = _http_session()
    return client


def _share_ts(response: Any, channel: str) -> str | None:
    """The ts of the message that shares an uploaded file, when the upload's answer has it (Slack
    shares after answering, so it mostly does not: ``_share_in_history``)."""
    files = response.get("files") or []
    shares = (files[0].get("shares") or {}) if files else {}
    for visibility in ("public", "private"):
        entries = (shares.get(visibility) or {}).get(channel) or []
        if entries and entries[0].get("ts"):
            return str(entries[0]["ts"])
    return None


# Waits before each look at the channel for an upload's share (about 8 s in all): Slack shares a
# file a moment after files.completeUploadExternal answers, longer while it scans the file.
SHARE_LOOKS_SECONDS = (0.2, 0.4, 0.8, 1.6, 2.0, 3.0)
# How far back the look starts: a margin for the difference between this clock and Slack's.
SHARE_LOOKBACK_SECONDS = 60.0


async def _share_in_history(client: AsyncWebClient, job: Job, channel: str, file_id: str) -> str | None:
    """The ts of the message sharing ``file_id`` in ``channel`` (in the job's thread, for a job of
    the bot's DM), once it shows in the history (the scopes a retried post reads it with); None when
    it does not show in time or the history cannot be read."""
    oldest = f"{time.time() - SHARE_LOOKBACK_SECONDS:.6f}"
    for wait in SHARE_LOOKS_SECONDS:
        await asyncio.sleep(wait)
        try:
            response = await _recent_messages(client, job, channel, oldest)
        except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError, OSError):
            log.info("job %s: cannot read %s's history for its image's share", job.id, channel, exc_info=True)
            return None
        for message in response.get("messages") or []:
            if any(str(f.get("id")) == file_id for f in message.get("files") or []):
                return str(message["ts"])
    log.warning("job %s: its image's share did not show in %s in time", job.id, channel)
    return None


async def _recent_messages(
    client: AsyncWebClient,
    job: Job,
    channel: str,
    oldest: str | None,
    *,
    cursor: str | None = None,
    with_metadata: bool = False,
) -> Any:
    """One page of where the job's post lands: the channel's history, or its DM thread's replies."""
    # conversations.history lists a channel's top-level messages only: a reply is in its thread's.
    if job.thread_ts:
        return await client.conversations_replies(
            channel=channel,
            ts=job.thread_ts,
            oldest=oldest,
            limit=HISTORY_PAGE,
            cursor=cursor,
            include_all_metadata=with_metadata,
        )
    return await client.conversations_history(
        channel=channel, oldest=oldest, limit=HISTORY_PAGE, cursor=cursor, include_all_metadata=with_metadata
    )


async def post_result(
    runtime: Runtime,
    job: Job,
    result: JobResult,
    *,
    text: str | None,
    on_send: Callable[[], None] = lambda: None,
    check: Check | None = None,
    live: LiveReply | None = None,
    on_open: Callable[[str], Awaitable[None]] | None = None,
) -> Posted:
    """Post a job's result to its target channel and return where it landed; ``text`` is the
    result's text as it should appear (placeholders restored where the organization asked).

    Text goes out as Block Kit (sections of at most 3,000 characters, then a context line); an
    image as a PNG through files_upload_v2. A text message carries the job id in its metadata, an
    upload in its file name, so a message can always be traced to its job. Slack does not
    deduplicate posts: a process that dies after Slack accepted a post and before the caller stored
    its ts leaves a job that looks unposted. So a retried job first looks for its own message in
    the channel's recent history (its thread's, for a job of the bot's DM) and, when it is there,
    takes its ts instead of posting again (``_earlier_post``).

    Posts to one channel go out one at a time from this process and wait out Slack's 429s (about
    one message per second per channel), in the order the jobs got there. ``on_send`` is called
    right before the request that may put the message in the channel.

    A job asked for in the bot's DM lands in its thread instead: text streamed there
    (``workers.dm_thread``, each piece passed by ``check``, the output guard), an image uploaded
    into the thread. ``live``: the reply that showed the answer while it was written, to be ended;
    ``on_open``: told the ts of a reply opened here (``LiveReply``).
    """
    channel = job.target_channel
    try:
        client = await slack_client(runtime, job)
    except NoBotToken as missing:
        raise _refusal("token_revoked", channel) from missing
    try:
        # A live reply finds its earlier attempt's reply itself (``LiveReply.take_over``).
        earlier = await _earlier_post(client, job, channel) if job.attempts > 1 and live is None else None
        if earlier is not None:
            log.warning("job %s: found its post from an earlier attempt (%s); not posting again", job.id, earlier.ts)
            if job.kind == JobKind.IMAGE:
                await _earlier_image_buttons(client, job, channel, earlier.ts)
            return earlier
        if job.kind == JobKind.IMAGE:
            assert result.png is not None
            on_send()
            response = await client.files_upload_v2(
                content=result.png,
                filename=image_filename(job),
                title=views.image_title(job),
                alt_txt=views.image_title(job),
                channel=channel,
                initial_comment=views.context_line(job, result),
                thread_ts=job.thread_ts,
            )
            files = response.get("files") or []
            file_id = str(files[0]["id"]) if files else ""
            share = _share_ts(response, channel)
            if share is None and file_id:
                # The share is the job's post, and the buttons follow it (in its thread, in a
                # channel), so both wait for it to exist.
                share = await _share_in_history(client, job, channel, file_id)
            # Without a share ts (Slack slow to share, the history unreadable), the file id marks
            # the job as posted all the same.
            ts = share or file_id
            await _image_buttons(client, job, channel, job.thread_ts or share)
        elif live is not None:
            ts = await live.finish(result, post_metadata(job))
        elif job.thread_ts:
            assert text is not None
            metadata = post_metadata(job)
            ts = await stream_result(
                client,
                job,
                result,
                pieces_of(text),
                check or _no_check,
                metadata=metadata,
                on_send=on_send,
                on_open=on_open,
            )
        else:
            assert text is not None
            response = await _paced_post(
                client,
                job.org_id,
                on_send,
                channel=channel,
                **views.result_message(job, result, text),
                unfurl_links=False,
                unfurl_media=False,
                metadata=post_metadata(job),
            )
            ts = str(response["ts"])
            channel = str(response.get("channel") or channel)
            await _post_continuations(client, job, channel, ts, text)
    except StreamWithheld as withheld:
        raise PostRefused("output_guard", withheld.rejected.reason, "Rephrase the request and try again.") from withheld
    except SlackApiError as error:
        code = str(error.response.get("error") or "unknown_error")
        if code in TOKEN_ERRORS:
            _token_cache.forget(job.org_id)
        if code in TRANSIENT_ERRORS or error.response.status_code >= 500:
            raise SlackUnavailable(f"Slack answered {code}") from error
        raise _refusal(code, channel) from error
    except (SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as error:
        raise SlackUnavailable(f"Slack could not be reached ({type(error).__name__})") from error
    if not ts:
        raise SlackUnavailable("Slack accepted the upload but named no message or file")
    return Posted(ts=ts, channel=channel)


# How long a post may wait out one channel's rate limit before the attempt counts as an outage.
POST_PATIENCE_SECONDS = 300.0
POST_EVENT_TYPE = "content_factory_job"


def post_metadata(job: Job) -> dict[str, Any]:
    """What every text result message carries, so it can be traced to its job."""
    return {"event_type": POST_EVENT_TYPE, "event_payload": {"job_id": str(job.id)}}


def image_filename(job: Job) -> str:
    """An uploaded image's file name: what traces the message sharing it to its job (an upload
    carries no message metadata)."""
    return f"content-{job.id}.png"


def is_result_of(job: Job, message: dict[str, Any]) -> bool:
    """Whether ``message`` (as the history lists it, with metadata) is ``job``'s result post."""
    if job.kind == JobKind.IMAGE:
        filename = image_filename(job)
        return any(str(file.get("name")) == filename for file in message.get("files") or [])
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return metadata.get("event_type") == POST_EVENT_TYPE and payload.get("job_id") == str(job.id)


HISTORY_PAGE = 200
HISTORY_PAGES = 5
# One lock per (organization, channel) and event loop, kept only while someone holds it.
_channel_locks: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, weakref.WeakValueDictionary[tuple[uuid.UUID, str], asyncio.Lock]
] = weakref.WeakKeyDictionary()


def _channel_lock(org_id: uuid.UUID, channel: str) -> asyncio.Lock:
    locks = _channel_locks.setdefault(asyncio.get_running_loop(), weakref.WeakValueDictionary())
    lock = locks.get((org_id, channel))
    if lock is None:
        lock = asyncio.Lock()
        locks[(org_id, channel)] = lock
    return lock


def retry_after(error: SlackApiError) -> float | None:
    """Seconds Slack asked us to wait (a 429), else None."""
    if error.response.status_code != 429:
        return None
    headers = {str(k).lower(): v for k, v in (error.response.headers or {}).items()}
    try:
        return max(1.0, float(headers.get("retry-after") or 1))
    except (TypeError, ValueError):
        return 1.0


async def _paced_post(
    client: AsyncWebClient, org_id: uuid.UUID, on_send: Callable[[], None], *, channel: str, **message: Any
) -> Any:
    """chat.postMessage, one at a time per channel (the lock is first come, first served), waiting
    out Slack's 429s here rather than in the client's retry handler, so that ``on_send`` is asked
    again before each resend (an attempt whose lease was taken over meanwhile stops there)."""
    loop = asyncio.get_running_loop()
    poster = _without_rate_limit_retries(client)
    async with _channel_lock(org_id, channel):
        deadline = loop.time() + POST_PATIENCE_SECONDS
        while True:
            on_send()
            try:
                return await poster.chat_postMessage(channel=channel, **message)
            except SlackApiError as error:
                wait = retry_after(error)
                if wait is None or loop.time() + wait > deadline:
                    raise
                await asyncio.sleep(wait)


def _without_rate_limit_retries(client: AsyncWebClient) -> AsyncWebClient:
    """``client`` (same token, server and connections) less the resends after a 429."""
    poster = make_web_client(client.token, base_url=client.base_url, retries=RetryPolicy(rate_limit=0))
    poster.session = client.session
    return poster


async def _earlier_post(client: AsyncWebClient, job: Job, channel: str) -> Posted | None:
    """This job's message, if an earlier attempt's post reached the channel (or the job's thread),
    newest first from just before the job was created. None also when the history cannot be read
    (an installation from before the history scopes): then the post goes out as it always did."""
    oldest = f"{job.created_at.timestamp() - 1:.6f}" if job.created_at else None
    cursor: str | None = None
    for _ in range(HISTORY_PAGES):
        try:
            response = await _recent_messages(client, job, channel, oldest, cursor=cursor, with_metadata=True)
        except SlackApiError as error:
            code = str(error.response.get("error") or "")
            if code in TRANSIENT_ERRORS or error.response.status_code >= 500:
                raise
            log.info("job %s: cannot read %s's history (%s); posting without looking", job.id, channel, code)
            return None
        for message in response.get("messages") or []:
            if is_result_of(job, message):
                return Posted(ts=str(message["ts"]), channel=channel)
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        if cursor is None:
            return None
    return None


async def _image_buttons(client: AsyncWebClient, job: Job, channel: str, thread_ts: str | None) -> None:
    """An upload carries no buttons: the feedback (and, in the DM, "Post to a channel") follow it
    as a reply in its thread. The upload is what makes the job posted; this is best effort."""
    if not thread_ts:
        return
    try:
        await client.chat_postMessage(channel=channel, thread_ts=thread_ts, **views.image_buttons_message(job))
    except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError, OSError):
        log.warning("job %s: the buttons under its image could not be posted", job.id, exc_info=True)


async def _earlier_image_buttons(client: AsyncWebClient, job: Job, channel: str, share_ts: str) -> None:
    """The buttons under an image an earlier attempt shared, unless that attempt posted them too
    (they follow the share in its thread, or in the job's DM thread); best effort, as they are."""
    thread_ts = job.thread_ts or share_ts
    feedback_block = f"{FEEDBACK_BLOCK_PREFIX}{job.id}"
    try:
        response = await client.conversations_replies(
            channel=channel, ts=thread_ts, oldest=share_ts, limit=HISTORY_PAGE
        )
    except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError, OSError):
        log.warning("job %s: cannot tell whether its image's buttons were posted; leaving them", job.id, exc_info=True)
        return
    for message in response.get("messages") or []:
        if any(block.get("block_id") == feedback_block for block in message.get("blocks") or []):
            return
    await _image_buttons(client, job, channel, thread_ts)


async def _post_continuations(client: AsyncWebClient, job: Job, channel: str, ts: str, text: str) -> None:
    """What one message cannot hold (``views.continuation_messages``), in the post's thread. The post
    is what makes the job posted; a continuation Slack refuses is logged, never retried into a
    second post."""
    for message in views.continuation_messages(text):
        try:
            await _paced_post(client, job.org_id, lambda: None, channel=channel, thread_ts=ts, **message)
        except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError, OSError):
            log.warning("job %s: a continuation of its post could not be posted", job.id, exc_info=True)
            return


async def _no_check(text: str) -> None:
    """The whole answer passed the output guard before posting began (``workers.generation``)."""


def response_url_valid(job: Job, now: datetime | None = None) -> bool:
    if not job.response_url or job.created_at is None:
        return False
    return (now or datetime.now(UTC)) - job.created_at < RESPONSE_URL_LIFETIME


async def tell_requester(runtime: Runtime, job: Job, text: str, *, token_gone: bool = False) -> bool:
    """An ephemeral note to whoever asked: through the command's response_url while Slack still
    honours it, else chat.postEphemeral where they typed the command, else a direct message (a
    scheduled job has neither). False when nothing reached them; never raises. A response_url
    that is not Slack's is never posted to (``bot.slack.response_urls``)."""
    response_url = trusted_response_url(job.response_url, runtime.settings.slack_api_url)
    if response_url is not None and response_url_valid(job):
        try:
            webhook = AsyncWebhookClient(response_url, session=_http_session(), retry_handlers=async_retry_handlers())
            answer = await webhook.send(text=text, response_type="ephemeral", replace_original=False)
            if answer.status_code == 200:
                return True
            log.info("response_url refused the note for job %s (HTTP %s)", job.id, answer.status_code)
        except Exception:
            log.warning("response_url unreachable for job %s", job.id, exc_info=True)
    if token_gone:
        return False
    try:
        client = await slack_client(runtime, job)
        if job.source_channel:
            try:
                await client.chat_postEphemeral(channel=job.source_channel, user=job.requester_id, text=text)
                return True
            except SlackApiError as error:
                log.info("ephemeral note for job %s refused: %s", job.id, error.response.get("error"))
        await client.chat_postMessage(channel=job.requester_id, text=text)
        return True
    except Exception:
        log.warning("could not tell the requester of job %s", job.id, exc_info=True)
        return False
