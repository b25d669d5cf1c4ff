"""Answer a slash command in its ack, or, when the work nears Slack's 3 s deadline, ack "still
working" and deliver the answer through the command's response_url (DESIGN §2 step 3).

Bolt runs with ``process_before_response=True``, so its HTTP response waits for the listener; the
watchdog is what keeps that wait under the deadline. Work that overruns keeps running in a task
this object tracks, so a graceful shutdown can let it finish (:meth:`drain`), and so that a
service far behind turns new commands away instead of piling up work without bound.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.slack_client import async_retry_handlers
from bot.views.commands import Message, still_working, too_busy

log = logging.getLogger(__name__)

# Slack gives up at 3 s; the ack itself still has to travel back.
ACK_DEADLINE_SECONDS = 2.0
# Answers still owed past their deadline mean the service is behind; beyond this many, new commands
# are turned away at once (changing nothing) rather than queued without bound.
MAX_OVERDUE = 64

Ack = Callable[..., Awaitable[Any]]


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
        max_overdue: int = MAX_OVERDUE,
    ) -> None:
        self.deadline_seconds = deadline_seconds
        self.deliver = deliver
        self.max_overdue = max_overdue
        self._follow_ups: set[asyncio.Task[None]] = set()

    async def answer(self, work: Coroutine[Any, Any, Message], *, ack: Ack, response_url: str | None) -> None:
        """``work`` must return the answer in every case (errors rendered), never raise."""
        if len(self._follow_ups) >= self.max_overdue:
            work.close()
            log.warning("%d answers overdue: turning a command away", len(self._follow_ups))
            await ack(too_busy())
            return
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task}, timeout=self.deadline_seconds)
        if task in done:
            await ack(task.result())
            return
        await ack(still_working())
        follow_up = asyncio.create_task(self._follow_up(task, response_url))
        self._follow_ups.add(follow_up)
        follow_up.add_done_callback(self._follow_ups.discard)

    async def _follow_up(self, task: asyncio.Future[Message], response_url: str | None) -> None:
        message = await task
        if not response_url:
            log.warning("a slow command finished but has no response_url to answer through")
            return
        try:
            await self.deliver(response_url, message)
        except Exception:
            log.exception("could not deliver a slow command's answer through its response_url")

    @property
    def pending(self) -> int:
        return len(self._follow_ups)

    async def drain(self, seconds: float) -> None:
        """Wait (up to ``seconds``) for answers still on their way; on shutdown."""
        if self._follow_ups:
            await asyncio.wait(set(self._follow_ups), timeout=seconds)
