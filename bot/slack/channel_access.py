"""Where a person may have content posted: only in a conversation Slack says they are a member of.

``in #channel`` is the requester's claim, and the bot sits in conversations the requester may not:
a private channel, the approvers' channel, someone else's direct message with the bot. So every
target other than the conversation the command was typed in (Slack lets only members type there)
is checked with ``conversations.members`` when a job is asked for, when a schedule is made, and
each time a schedule runs. A direct message has two members, the person and the bot, so nobody
can aim at another person's. Reading members takes channels:read, groups:read, im:read and
mpim:read (manifest.yml).

Anything short of Slack saying "member" refuses: an answer Slack could not give is
``MembershipUnchecked`` (try again later), every other refusal is final for this request.
"""

from __future__ import annotations

import logging
import uuid

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import BadInput, NotAllowed, ServiceUnavailable
from bot.process.runtime import Runtime
from bot.slack.bot_tokens import NoBotToken, bot_token_for
from bot.slack.client import make_web_client

log = logging.getLogger(__name__)

# The most Slack gives in one page; a channel larger than MAX_PAGES pages is refused rather than
# read for longer than a command's ack can wait.
MEMBERS_PAGE_SIZE = 1000
MAX_PAGES = 20
# Inside a command's ack: an answer Slack is slow to give is an answer we do not have.
CHECK_TIMEOUT_SECONDS = 2
REINSTALL = "Ask a workspace admin to reinstall Content Factory so that it may read channel members."
TRANSIENT_ERRORS = frozenset({"ratelimited", "service_unavailable", "fatal_error", "internal_error", "request_timeout"})


class MembershipUnchecked(ServiceUnavailable):
    """Slack did not answer; nothing was decided and nothing was done."""

    def __init__(self, channel_id: str) -> None:
        super().__init__(
            f"I could not check with Slack whether you are a member of <#{channel_id}>, so nothing was done. "
            "Please try again in a minute."
        )


async def require_member(client: AsyncWebClient, channel_id: str, user_id: str) -> None:
    """Return when Slack lists ``user_id`` among the members of ``channel_id``; raise otherwise."""
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        try:
            page = await client.conversations_members(channel=channel_id, limit=MEMBERS_PAGE_SIZE, cursor=cursor)
        except SlackApiError as error:
            raise _refusal(str(error.response.get("error") or "unknown_error"), channel_id) from error
        except (SlackClientError, aiohttp.ClientError, TimeoutError, OSError) as error:
            log.info("conversations.members for %s failed: %s", channel_id, type(error).__name__)
            raise MembershipUnchecked(channel_id) from error
        if user_id in (page.get("members") or []):
            return
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if cursor is None:
            raise NotAllowed(
                f"You are not a member of <#{channel_id}>, so I won't post there for you. "
                "Join it first, or pick a channel you are in."
            )
    raise NotAllowed(
        f"<#{channel_id}> has more members than I can check while you wait. "
        "Type the command in that channel itself instead of naming it."
    )


async def require_member_in_org(runtime: Runtime, org_id: uuid.UUID, channel_id: str, user_id: str) -> None:
    """``require_member`` with the organization's bot token."""
    try:
        token = await bot_token_for(runtime, org_id)
    except NoBotToken as missing:
        raise NotAllowed("Content Factory is no longer installed in this workspace.") from missing
    client = make_web_client(token, base_url=runtime.settings.slack_api_url, timeout=CHECK_TIMEOUT_SECONDS)
    await require_member(client, channel_id, user_id)


async def require_postable(
    runtime: Runtime, org_id: uuid.UUID, user_id: str, target: str, *, typed_in: str | None
) -> None:
    """The rule for every target: the conversation the command was typed in is the requester's
    own; any other must pass Slack's membership check."""
    if target != typed_in:
        await require_member_in_org(runtime, org_id, target, user_id)


def _refusal(code: str, channel_id: str) -> Exception:
    if code == "channel_not_found":
        return BadInput(
            f"I can't see <#{channel_id}>. If it is a private channel you are in, invite me there with "
            "`/invite @Content Factory` first."
        )
    if code == "missing_scope":
        return NotAllowed(f"I may not read who is in <#{channel_id}>. {REINSTALL}")
    if code in TRANSIENT_ERRORS:
        return MembershipUnchecked(channel_id)
    log.warning("conversations.members for %s refused: %s", channel_id, code)
    return NotAllowed(f"Slack would not tell me who is in <#{channel_id}> ({code}), so I won't post there.")
