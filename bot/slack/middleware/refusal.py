"""How a middleware turns a request away: a command hears why in its ack, a submitted modal sees
why in its place, a click on a message through its response_url, a Workflow Builder step through
``functions.completeError`` (else the workflow would wait on it until Slack gives up); anything else
is acknowledged and dropped."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.payload_utils import is_function, is_slash_command, is_view_submission
from slack_bolt.response import BoltResponse

from bot.commands.views import Message, error_message
from bot.errors import DatabaseUnavailable
from bot.process.settings import DEFAULT_SLACK_API_URL
from bot.slack.ack_watchdog import post_to_response_url
from bot.slack.blocks import modal, mrkdwn_section
from bot.slack.client import make_web_client
from bot.slack.response_urls import trusted_response_url

log = logging.getLogger(__name__)

DATABASE_DOWN: Message = error_message(DatabaseUnavailable())

# Refusals on their way to a click's response_url; held so the tasks are not collected mid-flight.
_refusals_in_flight: set[asyncio.Task[None]] = set()


def refuse(req: AsyncBoltRequest, message: Message) -> BoltResponse:
    """A command gets its refusal in the ack, a submitted modal is replaced by it; a click on a
    message hears it through its response_url (after the ack, so a slow Slack cannot delay it);
    anything else is acknowledged and dropped."""
    body = req.body or {}
    if is_slash_command(body):
        return BoltResponse(status=200, body=message)
    if is_view_submission(body):
        # A plain ack closes the modal, as if what was typed had been taken (a rejection and its
        # reason): the modal shows why nothing was done instead, under its own title.
        title = ((body.get("view") or {}).get("title") or {}).get("text") or "Content Factory"
        notice = modal(title, [mrkdwn_section(message["text"])], close="Close")
        return BoltResponse(status=200, body={"response_action": "update", "view": notice})
    if is_function(body):
        _start(_fail_step(req, message))
        return BoltResponse(status=200, body="")
    # Runs before the response_url check of the later middleware (ResponseUrlCheck), so checks itself.
    api_url = getattr(req.context.client, "base_url", None) or DEFAULT_SLACK_API_URL
    response_url = trusted_response_url(body.get("response_url"), api_url)
    if response_url:
        _start(_tell_clicker(response_url, message))
    return BoltResponse(status=200, body="")


def _start(work: Coroutine[Any, Any, None]) -> None:
    task = asyncio.get_running_loop().create_task(work)
    _refusals_in_flight.add(task)
    task.add_done_callback(_refusals_in_flight.discard)


async def _fail_step(req: AsyncBoltRequest, message: Message) -> None:
    """Nothing was recorded for a refused organization, so a redelivered event is refused again;
    Slack itself refuses the second completion (``execution_not_in_running_state``)."""
    context = req.context
    token, execution_id = context.function_bot_access_token, context.function_execution_id
    if not token or not execution_id:
        return
    api_url = getattr(context.client, "base_url", None) or DEFAULT_SLACK_API_URL
    try:
        await make_web_client(token, base_url=api_url).functions_completeError(
            function_execution_id=execution_id, error=f"Content Factory did not run: {message.get('text', '')}"
        )
    except Exception as error:
        log.info("could not fail refused workflow step %s (%s)", execution_id, type(error).__name__)


async def _tell_clicker(response_url: str, message: Message) -> None:
    try:
        await post_to_response_url(response_url, {**message, "replace_original": False})
    except Exception:
        log.warning("could not tell a clicker why their click was refused", exc_info=True)
