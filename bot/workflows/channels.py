"""Whether the bot can post in a step's channel, asked before a job is spent on it.

``/content`` is typed in a conversation the bot already answers in; a workflow names its channel
in a form, so a channel the bot was never invited to is a common mistake and is better said at
once than after a model has run."""

from __future__ import annotations

import logging
import uuid

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.errors import BadInput, NotAllowed
from bot.process.runtime import Runtime
from bot.slack.bot_tokens import NoBotToken, bot_token_for
from bot.slack.channel_access import CHECK_TIMEOUT_SECONDS, MembershipUnchecked
from bot.slack.client import make_web_client

log = logging.getLogger(__name__)


async def require_bot_can_post(runtime: Runtime, org_id: uuid.UUID, channel_id: str) -> None:
    """Return when Slack says the bot is in ``channel_id`` and it is open; raise a ``UserError`` otherwise."""
    try:
        token = await bot_token_for(runtime, org_id)
    except NoBotToken as missing:
        raise NotAllowed("Content Factory is no longer installed in this workspace.") from missing
    client = make_web_client(token, base_url=runtime.settings.slack_api_url, timeout=CHECK_TIMEOUT_SECONDS)
    try:
        channel = (await client.conversations_info(channel=channel_id))["channel"]
    except SlackApiError as error:
        code = str(error.response.get("error") or "unknown_error")
        if code == "channel_not_found":
            raise BadInput(
                f"I can't see <#{channel_id}>. If it is a private channel, invite me there with "
                "`/invite @Content Factory`, then run the workflow again."
            ) from error
        log.info("conversations.info for %s refused: %s", channel_id, code)
        raise MembershipUnchecked(channel_id) from error
    except (SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as error:
        raise MembershipUnchecked(channel_id) from error
    if channel.get("is_archived"):
        raise BadInput(f"<#{channel_id}> is archived. Pick another channel in the step.")
    if not (channel.get("is_member") or channel.get("is_im")):
        raise NotAllowed(
            f"I am not a member of <#{channel_id}>. Invite me with `/invite @Content Factory` there, "
            "then run the workflow again."
        )
