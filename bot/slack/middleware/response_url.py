"""Turns away a request whose ``response_url`` is not Slack's (``bot.slack.response_urls``) before any
listener could answer through it: the request is acknowledged, nothing runs, and nothing is posted."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.payload_utils import is_slash_command
from slack_bolt.response import BoltResponse

from bot.commands.views import Message, ephemeral
from bot.slack.response_urls import trusted_response_url

log = logging.getLogger(__name__)

UNTRUSTED_REPLY_ADDRESS: Message = ephemeral(
    "This request names a reply address that is not Slack's, so Content Factory did nothing with it."
)


class ResponseUrlCheck(AsyncMiddleware):
    def __init__(self, slack_api_url: str) -> None:
        self.slack_api_url = slack_api_url

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        body = req.body or {}
        url = body.get("response_url")
        if url and trusted_response_url(url, self.slack_api_url) is None:
            if is_slash_command(body):
                return BoltResponse(status=200, body=UNTRUSTED_REPLY_ADDRESS)
            return BoltResponse(status=200, body="")
        return await next()
