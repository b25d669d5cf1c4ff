"""Answer a slash command in its ack, or, when the work nears Slack's 3 s deadline, ack "still
working" and deliver the answer through the command's response_url.

Bolt runs with ``process_before_response=True``, so its HTTP response waits for the listener; the
watchdog is what keeps that wait under the deadline. The deadline counts from the request's
arrival (``ARRIVED_AT``, set by the server and dated back by the time the request waited in the
kernel's queues and behind other requests: ``bot.slack.request_wait``), not from the listener's
start: in a saturated process that wait counts against Slack's 3 s too. Work that overruns
keeps running in a task this object tracks, so a graceful shutdown can let it finish
(:meth:`drain`).

A process holds at most ``max_pending`` commands between their admission and their answer (in the
ack or through the response_url). Beyond that a command is answered at once with "busy, try again"
before any of its work starts: no guard, no reservation, no job row. That bound is what keeps a
burst from turning into answers that are all late.

The pending count cannot tell a process whose cores are taken by others (or by heavy prompts)
from one that is merely busy; its event loop's lag can (``bot.slack.loop_lag``). A command waited about
that long before its handler started, and its ack will wait about that long to be written, so the
deadline is shortened by twice the lag; and while the loop is more than ``max_lag_seconds``
behind, new commands are turned away like those past the pending limit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from typing import Any

from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.commands.views import Message, still_working, too_busy
from bot.slack.client import async_retry_handlers
from bot.slack.loop_lag import LoopLag

log = logging.getLogger(__name__)

# Slack gives up at 3 s; the ack itself still has to travel back.
ACK_DEADLINE_SECONDS = 2.0
# Commands a process works on at once (WEB_MAX_PENDING_COMMANDS); beyond it, new ones are turned
# away at once (changing nothing) rather than queued without bound.
MAX_PENDING = 50
# A loop this far behind answers new commands "busy": its acks would otherwise go out near the
# deadline, and the work it takes on would only put them further behind.
MAX_LOOP_LAG_SECONDS = 0.5
TURNED_AWAY_LOG_SECONDS = 1.0

Ack = Callable[..., Awaitable[Any]]
# The event loop's clock when the request reached this machine (as far as the server can tell);
# unset (Socket Mode): the listener's start.
ARRIVED_AT: ContextVar[float | None] = ContextVar("arrived_at", default=None)


def seconds_since_arrival() -> float:
    """How long ago the request reached the server (0 where that is unknown, as in Socket Mode)."""
    arrived = ARRIVED_AT.get()
    return 0.0 if arrived is None else max(0.0, asyncio.get_running_loop().time() - arrived)


async def post_to_response_url(response_url: str, message: Message) -> None:
    client = AsyncWebhookClient(response_url, retry_handlers=async_retry_handlers())
    answer = await client.send_dict(message)
    if answer.status_code != 200:
        log.warning("response_url refused the follow-up answer (HTTP %s)", answer.status_code)


class AckWatchdog:
    def __init__(
        self,
        *,
        deadline_seconds: float = ACK_DEADLINE_SECONDS,
        deliver: Callable[[str, Message], Awaitable[None]] = post_to_response_url,
        max_pending: int = MAX_PENDING,
        max_lag_seconds: float = MAX_LOOP_LAG_SECONDS,
    ) -> None:
        self.deadline_seconds = deadline_seconds
        self.deliver = deliver
        self.max_pending = max_pending
        self.max_lag_seconds = max_lag_seconds
        self.lag = LoopLag()
        self._pending = 0
        self._turned_away = 0  # since the last line that said so
        self._longest_wait = 0.0  # of those, before their handler started
        self._last_turned_away_log = -TURNED_AWAY_LOG_SECONDS
        self._follow_ups: set[asyncio.Task[None]] = set()

    async def answer(self, work: Coroutine[Any, Any, Message], *, ack: Ack, response_url: str | None) -> None:
        """``work`` must return the answer in every case (errors rendered), never raise."""
        if self.overloaded():
            work.close()
            self.turned_away()
            await ack(too_busy())
            return
        self._pending += 1
        handed_over = False
        try:
            task = asyncio.ensure_future(work)
            done, _ = await asyncio.wait({task}, timeout=self._time_left())
            if task in done:
                await ack(task.result())
                return
            await ack(still_working())
            follow_up = asyncio.create_task(self._follow_up(task, response_url))
            handed_over = True
            self._follow_ups.add(follow_up)
            follow_up.add_done_callback(self._follow_ups.discard)
        finally:
            if not handed_over:
                self._pending -= 1

    def overloaded(self) -> bool:
        """Whether a new command is to be turned away: too many pending, or the loop too far behind."""
        self.lag.start()
        return self._pending >= self.max_pending or self.lag.seconds > self.max_lag_seconds

    def turned_away(self, waited_seconds: float = 0.0) -> None:
        """Count a command answered "busy" (the server also turns some away before bolt sees them,
        some because they had waited ``waited_seconds`` before their handler started)."""
        # One line a second at most: under a flood a line per command would cost the CPU it sheds.
        self._turned_away += 1
        self._longest_wait = max(self._longest_wait, waited_seconds)
        now = asyncio.get_running_loop().time()
        if now - self._last_turned_away_log < TURNED_AWAY_LOG_SECONDS:
            return
        log.warning(
            "%d commands pending, event loop %.0f ms behind, longest wait before a handler %.0f ms: "
            "turned %d commands away",
            self._pending,
            self.lag.seconds * 1000,
            self._longest_wait * 1000,
            self._turned_away,
        )
        self._turned_away, self._longest_wait, self._last_turned_away_log = 0, 0.0, now

    def _time_left(self) -> float:
        # The request waited about one lag before its handler ran; its ack will wait another.
        deadline = self.deadline_seconds - 2 * self.lag.seconds
        arrived = ARRIVED_AT.get()
        if arrived is None:
            return max(0.0, deadline)
        return max(0.0, deadline - (asyncio.get_running_loop().time() - arrived))

    async def _follow_up(self, task: asyncio.Future[Message], response_url: str | None) -> None:
        try:
            message = await task
            if not response_url:
                log.warning("a slow command finished but has no response_url to answer through")
                return
            try:
                await self.deliver(response_url, message)
            except Exception:
                log.exception("could not deliver a slow command's answer through its response_url")
        finally:
            self._pending -= 1

    @property
    def pending(self) -> int:
        """Commands admitted and not yet answered (in the ack or through the response_url)."""
        return self._pending

    async def drain(self, seconds: float) -> None:
        """Wait (up to ``seconds``) for answers still on their way; on shutdown."""
        if self._follow_ups:
            await asyncio.wait(set(self._follow_ups), timeout=seconds)

    async def close(self) -> None:
        """Stop watching the loop (after ``drain``)."""
        await self.lag.stop()
