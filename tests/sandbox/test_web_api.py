"""The sandbox answers real slack-sdk clients (made by bot.slack.client) in Slack's shapes."""

from __future__ import annotations

import asyncio
import struct
import time
import zlib

import pytest
from slack_sdk.errors import SlackApiError

from bot.slack.client import RetryPolicy, make_sync_web_client, make_web_client, normalize_base_url
from sandbox.say import new_trigger_id
from sandbox.slack import DEMO, SlackSandbox, threaded_sandbox


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_base_url_always_ends_with_a_slash() -> None:
    assert normalize_base_url(None) == "https://slack.com/api/"
    assert normalize_base_url("http://127.0.0.1:9/api") == "http://127.0.0.1:9/api/"
    assert make_web_client("t", base_url="http://127.0.0.1:9/api").base_url == "http://127.0.0.1:9/api/"
    assert make_sync_web_client("t").base_url == "https://slack.com/api/"


async def test_auth_test_names_workspace_and_bot(sb: SlackSandbox) -> None:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url.rstrip("/"))
    answer = await client.auth_test()
    assert answer["team_id"] == DEMO.team_id
    assert answer["user_id"] == DEMO.bot_user_id
    assert answer["bot_id"].startswith("B")
    assert sb.calls("auth.test")[0].token == DEMO.bot_token


async def test_update_changes_the_recorded_message(sb: SlackSandbox) -> None:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    posted = await client.chat_postMessage(channel=DEMO.general, text="working on it")
    first_ts = posted["ts"]
    assert posted["channel"] == DEMO.general
    assert posted["message"]["text"] == "working on it"
    assert posted["message"]["bot_id"]

    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*done*"}}]
    updated = await client.chat_update(channel=DEMO.general, ts=first_ts, text="done", blocks=blocks)
    assert updated["ts"] == first_ts

    (message,) = sb.messages(DEMO.general)
    assert message["text"] == "done"
    assert message["blocks"] == blocks
    assert message["edited"]["user"] == DEMO.bot_user_id

    second = await client.chat_postMessage(channel="#general", text="next")
    assert float(second["ts"]) > float(first_ts)
    assert [m["ts"] for m in sb.messages(DEMO.general)] == [first_ts, second["ts"]]


async def test_update_of_unknown_message_is_refused(sb: SlackSandbox) -> None:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    with pytest.raises(SlackApiError) as refused:
        await client.chat_update(channel=DEMO.general, ts="1.000001", text="x")
    assert refused.value.response["error"] == "message_not_found"


async def test_ephemeral_is_recorded_for_its_user(sb: SlackSandbox) -> None:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    answer = await client.chat_postEphemeral(channel=DEMO.general, user=DEMO.editor, text="only you")
    assert answer["message_ts"]
    (ephemeral,) = sb.ephemerals(DEMO.editor)
    assert ephemeral["text"] == "only you"
    assert ephemeral["channel"] == DEMO.general
    assert sb.messages(DEMO.general) == []

    with pytest.raises(SlackApiError) as refused:
        await client.chat_postEphemeral(channel=DEMO.approvals, user=DEMO.editor, text="x")
    assert refused.value.response["error"] == "user_not_in_channel"


async def test_users_info_carries_time_zone_and_roles(sb: SlackSandbox) -> None:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    admin = (await client.users_info(user=DEMO.admin))["user"]
    assert admin["tz"] == "America/New_York"
    assert admin["tz_offset"] in (-18000, -14400)
    assert admin["is_admin"] is True
    assert admin["is_owner"] is False
    assert admin["is_bot"] is False
    assert admin["team_id"] == DEMO.team_id
    editor = (await client.users_info(user=DEMO.editor))["user"]
    assert editor["tz"] == "Europe/Berlin"
    assert editor["tz_offset"] in (3600, 7200)
    bot = (await client.users_info(user=DEMO.bot_user_id))["user"]
    assert bot["is_bot"] is True

    with pytest.raises(SlackApiError) as refused:
        await client.users_info(user="U0NOBODY")
    assert refused.value.response["error"] == "user_not_found"


async def test_conversations_info_shape(sb: SlackSandbox) -> None:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    general = (await client.conversations_info(channel=DEMO.general))["channel"]
    assert general["id"] == DEMO.general
    assert general["name"] == "general"
    assert general["is_member"] is True
    assert general["is_archived"] is False
    random = (await client.conversations_info(channel=DEMO.no_bot))["channel"]
    assert random["is_member"] is False


async def test_dm_opened_by_conversations_open_takes_posts(sb: SlackSandbox) -> None:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    opened = await client.conversations_open(users=DEMO.viewer)
    dm = opened["channel"]["id"]
    assert dm.startswith("D")
    await client.chat_postMessage(channel=dm, text="your job failed")
    assert [m["text"] for m in sb.messages(dm)] == ["your job failed"]
    again = await client.conversations_open(users=DEMO.viewer)
    assert again["channel"]["id"] == dm
    assert again["already_open"] is True


async def test_views_publish_and_open_are_recorded(sb: SlackSandbox) -> None:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]}
    answer = await client.views_publish(user_id=DEMO.editor, view=home)
    assert answer["view"]["type"] == "home"
    assert answer["view"]["id"].startswith("V")
    (published,) = sb.views(DEMO.editor)
    assert published["view"]["blocks"] == home["blocks"]

    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Quota"}, "blocks": []}
    await client.views_open(trigger_id="1.2.abc", view=modal)
    assert [v["kind"] for v in sb.views()] == ["home", "modal"]


async def test_views_open_refuses_a_trigger_past_its_three_seconds(sb: SlackSandbox) -> None:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Late"}, "blocks": []}
    stale = f"{int(time.time()) - 10}.1.abc"

    with pytest.raises(SlackApiError) as refused:
        await client.views_open(trigger_id=stale, view=modal)

    assert refused.value.response["error"] == "expired_trigger_id"
    await client.views_open(trigger_id=new_trigger_id(), view=modal)
    assert [v["kind"] for v in sb.views()] == ["modal"]


async def test_files_upload_v2_runs_the_three_steps_and_keeps_the_bytes(sb: SlackSandbox) -> None:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    png = tiny_png()
    answer = await client.files_upload_v2(
        channel=DEMO.general, file=png, filename="result.png", title="A cat", initial_comment="here it is"
    )
    assert [c.method for c in sb.calls()] == [
        "files.getUploadURLExternal",
        "upload_url",
        "files.completeUploadExternal",
    ]
    file = answer["file"]
    assert file["name"] == "result.png"
    assert file["title"] == "A cat"
    assert file["mimetype"] == "image/png"
    # Slack shares after it answers: the answer knows no share yet, files.info does.
    assert file["shares"] == {} and file["channels"] == []
    share = (await client.files_info(file=file["id"]))["file"]["shares"]["public"][DEMO.general][0]
    (stored,) = sb.uploaded_files()
    assert stored.data == png
    (message,) = sb.messages(DEMO.general)
    assert message["ts"] == share["ts"]
    assert message["text"] == "here it is"
    assert message["files"][0]["id"] == file["id"]


async def test_a_share_slack_finishes_after_answering_lands_in_the_uploads_thread(
    sb: SlackSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sb, "file_share_delay_seconds", 0.5)
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    parent = (await client.chat_postMessage(channel=DEMO.general, text="parent"))["ts"]
    shared_now = asyncio.Event()

    def look() -> None:
        if len(sb.messages(DEMO.general)) == 2:
            shared_now.set()

    sb.on_change(look)
    try:
        answer = await client.files_upload_v2(
            channel=DEMO.general, content=tiny_png(), filename="later.png", thread_ts=parent
        )
        assert answer["file"]["shares"] == {}
        await asyncio.wait_for(shared_now.wait(), timeout=10)
    finally:
        sb.off_change(look)
    (_, shared) = sb.messages(DEMO.general)
    assert shared["thread_ts"] == parent and shared["files"][0]["id"] == answer["file"]["id"]
    # As in Slack, a reply is listed with its thread, not in the channel's history.
    replies = await client.conversations_replies(channel=DEMO.general, ts=parent)
    assert shared["ts"] in [m["ts"] for m in replies["messages"]]
    history = await client.conversations_history(channel=DEMO.general)
    assert [m["ts"] for m in history["messages"]] == [parent]


async def test_a_reply_sent_to_the_channel_too_is_listed_in_its_history(sb: SlackSandbox) -> None:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    parent = (await client.chat_postMessage(channel=DEMO.general, text="parent"))["ts"]
    quiet = (await client.chat_postMessage(channel=DEMO.general, text="quiet", thread_ts=parent))["ts"]
    loud = (await client.chat_postMessage(channel=DEMO.general, text="loud", thread_ts=parent, reply_broadcast=True))[
        "ts"
    ]

    history = await client.conversations_history(channel=DEMO.general)

    listed = [m["ts"] for m in history["messages"]]
    assert loud in listed and parent in listed and quiet not in listed


async def test_a_threads_replies_are_read_in_pages_from_oldest(sb: SlackSandbox) -> None:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    parent = (await client.chat_postMessage(channel=DEMO.general, text="parent"))["ts"]
    replies = [
        (await client.chat_postMessage(channel=DEMO.general, text=f"reply {n}", thread_ts=parent))["ts"]
        for n in range(5)
    ]

    read: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = await client.conversations_replies(
            channel=DEMO.general, ts=parent, oldest=replies[0], limit=2, cursor=cursor
        )
        read += [m["ts"] for m in page["messages"]]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"] or None
        if cursor is None:
            break

    # The parent heads the thread whatever the window; ``oldest`` itself is left out (not inclusive).
    assert read == [parent, *replies[1:]] and pages == 3


async def test_upload_to_a_channel_without_the_bot_is_refused(sb: SlackSandbox) -> None:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    with pytest.raises(SlackApiError) as refused:
        await client.files_upload_v2(channel=DEMO.no_bot, content=b"x", filename="x.txt")
    assert refused.value.response["error"] == "not_in_channel"
    assert sb.messages() == []


@pytest.mark.parametrize(
    ("channel", "error"),
    [(DEMO.no_bot, "not_in_channel"), (DEMO.archived, "is_archived"), ("C0MISSING", "channel_not_found")],
)
async def test_posting_where_the_bot_cannot_is_refused(sb: SlackSandbox, channel: str, error: str) -> None:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=channel, text="hello")
    assert refused.value.response["error"] == error
    assert refused.value.response.status_code == 200
    assert sb.messages() == []


async def test_unknown_token_is_invalid_auth_and_revoked_is_token_revoked(sb: SlackSandbox) -> None:
    with pytest.raises(SlackApiError) as unknown:
        await make_web_client("xoxb-nope", base_url=sb.api_url).auth_test()
    assert unknown.value.response["error"] == "invalid_auth"

    sb.revoke_token(DEMO.bot_token)
    with pytest.raises(SlackApiError) as revoked:
        await make_web_client(DEMO.bot_token, base_url=sb.api_url).chat_postMessage(channel=DEMO.general, text="x")
    assert revoked.value.response["error"] == "token_revoked"


async def test_too_many_blocks_are_refused(sb: SlackSandbox) -> None:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    blocks = [{"type": "divider"}] * 51
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=DEMO.general, text="x", blocks=blocks)
    assert refused.value.response["error"] == "invalid_blocks"


async def test_rate_limit_is_retried_after_retry_after_and_posts_once(sb: SlackSandbox) -> None:
    sb.inject("chat.postMessage", error="ratelimited", retry_after=1, count=1)
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    started = time.monotonic()
    answer = await client.chat_postMessage(channel=DEMO.general, text="once")
    assert time.monotonic() - started >= 1.0
    first, second = sb.calls("chat.postMessage")
    assert (first.status, first.error) == (429, "ratelimited")
    assert (second.status, second.ok) == (200, True)
    assert [m["ts"] for m in sb.messages(DEMO.general)] == [answer["ts"]]


async def test_rate_limit_beyond_the_retries_raises_ratelimited(sb: SlackSandbox) -> None:
    sb.inject("chat.postMessage", error="ratelimited", retry_after=0, count=None)
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url, retries=RetryPolicy(rate_limit=1))
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=DEMO.general, text="never")
    assert refused.value.response.status_code == 429
    assert refused.value.response.headers["Retry-After"] == "0"
    assert len(sb.calls("chat.postMessage")) == 2
    assert sb.messages() == []


async def test_server_error_is_retried(sb: SlackSandbox) -> None:
    sb.inject(status=500, count=1)
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    await client.chat_postMessage(channel=DEMO.general, text="after a 500")
    assert [c.status for c in sb.calls("chat.postMessage")] == [500, 200]
    assert len(sb.messages(DEMO.general)) == 1


async def test_sync_client_posts_retries_and_uploads(sb: SlackSandbox) -> None:
    """WebClient blocks, so it runs on a thread while the sandbox answers on this loop."""
    client = make_sync_web_client(DEMO.bot_token, base_url=sb.api_url)
    sb.inject("chat.postMessage", error="ratelimited", retry_after=0, count=1)
    posted = await asyncio.to_thread(client.chat_postMessage, channel=DEMO.general, text="from a worker")
    assert posted["ts"]
    assert [c.status for c in sb.calls("chat.postMessage")] == [429, 200]
    png = tiny_png()
    await asyncio.to_thread(client.files_upload_v2, channel=DEMO.general, content=png, filename="a.png")
    assert sb.uploaded_files()[0].data == png
    assert len(sb.messages(DEMO.general)) == 2


def test_threaded_sandbox_serves_a_blocking_client() -> None:
    with threaded_sandbox() as sandbox:
        demo = sandbox.seed_demo()
        client = make_sync_web_client(demo.bot_token, base_url=sandbox.api_url)
        assert client.auth_test()["team_id"] == demo.team_id
        assert client.users_info(user=demo.viewer)["user"]["tz"] == "Asia/Tokyo"


async def test_oauth_exchange_gives_the_bot_token_once(sb: SlackSandbox) -> None:
    code = sb.issue_oauth_code(DEMO.team_id, redirect_uri="http://127.0.0.1:3000/slack/oauth_redirect")
    client = make_web_client(None, base_url=sb.api_url)
    answer = await client.oauth_v2_access(
        client_id=sb.client_id,
        client_secret=sb.client_secret,
        code=code,
        redirect_uri="http://127.0.0.1:3000/slack/oauth_redirect",
    )
    assert answer["access_token"] == DEMO.bot_token
    assert answer["token_type"] == "bot"
    assert answer["bot_user_id"] == DEMO.bot_user_id
    assert answer["team"] == {"id": DEMO.team_id, "name": DEMO.team_name}
    assert answer["enterprise"] is None
    assert answer["authed_user"]["id"] == DEMO.admin
    assert answer["is_enterprise_install"] is False
    assert "refresh_token" not in answer

    with pytest.raises(SlackApiError) as reused:
        await client.oauth_v2_access(client_id=sb.client_id, client_secret=sb.client_secret, code=code)
    assert reused.value.response["error"] == "invalid_code"
    with pytest.raises(SlackApiError) as wrong_secret:
        await client.oauth_v2_access(client_id=sb.client_id, client_secret="guess", code="x")
    assert wrong_secret.value.response["error"] == "bad_client_secret"


async def test_oauth_with_token_rotation_refreshes_and_expires(sb: SlackSandbox) -> None:
    sb.add_workspace("T0GRID", bot_token="xoxb-grid", enterprise_id="E0GRID", name="Grid Team")
    code = sb.issue_oauth_code("T0GRID", user_id="U0INSTALLER", token_rotation=True)
    client = make_web_client(None, base_url=sb.api_url)
    installed = await client.oauth_v2_access(client_id=sb.client_id, client_secret=sb.client_secret, code=code)
    assert installed["enterprise"] == {"id": "E0GRID", "name": "E0GRID"}
    assert installed["expires_in"] == 43200
    assert installed["access_token"].startswith("xoxe.xoxb-")
    tested = await make_web_client(installed["access_token"], base_url=sb.api_url).auth_test()
    assert tested["enterprise_id"] == "E0GRID"

    refreshed = await client.oauth_v2_access(
        client_id=sb.client_id,
        client_secret=sb.client_secret,
        grant_type="refresh_token",
        refresh_token=installed["refresh_token"],
    )
    assert refreshed["access_token"] != installed["access_token"]
    sb.expire_token(installed["access_token"])
    with pytest.raises(SlackApiError) as expired:
        await make_web_client(installed["access_token"], base_url=sb.api_url).auth_test()
    assert expired.value.response["error"] == "token_expired"
    assert (await make_web_client(refreshed["access_token"], base_url=sb.api_url).auth_test())["ok"]
