"""Puts who asked and what kind of request it is on the request's span
(``bot.telemetry.web.annotate_request``), once tenancy and the member's role are known.

A middleware object rather than a function: bolt calls a function middleware through its argument
injection, a dozen objects built on every request for the two this one reads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.telemetry.web import annotate_request


class RequestAnnotation(AsyncMiddleware):
    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        annotate_request(req.context, req.body)
        return await next()
