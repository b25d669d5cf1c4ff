"""Bolt's ``AsyncAssistant``, consulted for events alone.

As a global middleware, bolt's assistant runs on every request and tries each of its listeners'
matchers on it, each with bolt's argument injection (a dozen objects built per matcher): on a
slash command, four matchers that cannot match, about a twentieth of the command's CPU. Every
request the assistant answers is an ``event_callback`` (thread started, thread context changed,
a message in the thread), so anything else goes straight on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncAssistant
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.payload_utils import is_event
from slack_bolt.response import BoltResponse


class EventsOnlyAssistant(AsyncAssistant):
    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse | None:
        if not is_event(req.body or {}):
            return await next()
        return await super().async_process(req=req, resp=resp, next=next)
