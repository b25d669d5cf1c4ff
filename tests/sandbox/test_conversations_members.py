"""conversations.members as Slack answers it: cursor paging, and the errors of a conversation the
bot may not read."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError

from bot.slack.client import make_web_client
from sandbox.slack import DEMO, SlackSandbox


async def test_members_come_a_page_at_a_time_with_a_cursor(sb: SlackSandbox) -> None:
    sb.add_channel(DEMO.team_id, "C0CROWD01", "crowd", members={f"U0P{n:04d}" for n in range(5)})
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)

    seen, cursor, pages = [], None, 0
    while True:
        page = await client.conversations_members(channel="C0CROWD01", limit=2, cursor=cursor)
        pages += 1
        seen += page["members"]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert pages == 3 and seen == [f"U0P{n:04d}" for n in range(5)]


async def test_a_channel_open_to_everyone_lists_the_workspace(sb: SlackSandbox) -> None:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    members = (await client.conversations_members(channel=DEMO.general))["members"]
    assert {DEMO.admin, DEMO.editor, DEMO.viewer} <= set(members)
    assert (await client.conversations_members(channel=DEMO.approvals))["members"] == [DEMO.admin]


@pytest.mark.parametrize(
    ("channel", "error"),
    [("C0NOSUCH1", "channel_not_found"), ("general", "channel_not_found"), (DEMO.editor, "channel_not_found")],
)
async def test_what_is_no_readable_conversation_is_channel_not_found(
    sb: SlackSandbox, channel: str, error: str
) -> None:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    with pytest.raises(SlackApiError) as refused:
        await client.conversations_members(channel=channel)
    assert refused.value.response["error"] == error


async def test_private_without_the_bot_bad_cursor_and_missing_scope(sb: SlackSandbox) -> None:
    sb.add_channel(DEMO.team_id, "C0HIDDEN1", "hidden", private=True, bot_member=False, members={DEMO.editor})
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    for kwargs, error in (
        ({"channel": "C0HIDDEN1"}, "channel_not_found"),
        ({"channel": DEMO.general, "cursor": "not-a-cursor!"}, "invalid_cursor"),
    ):
        with pytest.raises(SlackApiError) as refused:
            await client.conversations_members(**kwargs)
        assert refused.value.response["error"] == error

    sb.add_workspace("T0NARROW", bot_token="xoxb-narrow", scopes="commands,chat:write,channels:read")
    sb.add_channel("T0NARROW", "C0NARROWP", "private", private=True)
    narrow = make_web_client("xoxb-narrow", base_url=sb.api_url)
    with pytest.raises(SlackApiError) as refused:
        await narrow.conversations_members(channel="C0NARROWP")
    assert refused.value.response["error"] == "missing_scope"
