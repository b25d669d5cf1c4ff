"""Out-of-process suites drive the sandbox over HTTP: faults, workspaces, records, OAuth, response_url."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.slack.client import make_web_client
from sandbox.slack import DEMO, RESPONSE_URL_MAX_POSTS, SlackSandbox


@pytest.fixture
async def http(sb: SlackSandbox) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=sb.url) as session:
        yield session


async def control(http: aiohttp.ClientSession, method: str, path: str, body: object = None) -> dict:
    async with http.request(method, path, json=body) as response:
        assert response.status == 200, await response.text()
        return await response.json()


@pytest.mark.parametrize("error", ["not_in_channel", "channel_not_found", "invalid_auth"])
async def test_fault_set_over_http_answers_that_error_once(
    sb: SlackSandbox, http: aiohttp.ClientSession, error: str
) -> None:
    await control(http, "POST", "/_sandbox/faults", {"method": "chat.postMessage", "error": error})
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=DEMO.general, text="x")
    assert refused.value.response["error"] == error
    assert (await client.chat_postMessage(channel=DEMO.general, text="x"))["ok"]
    assert (await control(http, "GET", "/_sandbox/faults"))["faults"] == []


async def test_rate_limit_fault_over_http_carries_retry_after(sb: SlackSandbox, http: aiohttp.ClientSession) -> None:
    await control(
        http, "POST", "/_sandbox/faults", {"method": "*", "error": "ratelimited", "retry_after": 7, "count": 2}
    )
    async with http.post("/api/auth.test", headers={"Authorization": f"Bearer {DEMO.bot_token}"}) as response:
        assert response.status == 429
        assert response.headers["Retry-After"] == "7"
        assert await response.json() == {"ok": False, "error": "ratelimited"}
    (left,) = (await control(http, "GET", "/_sandbox/faults"))["faults"]
    assert left["count"] == 1
    await control(http, "DELETE", "/_sandbox/faults")
    assert sb.faults() == []


async def test_server_error_fault_over_http(http: aiohttp.ClientSession) -> None:
    await control(http, "POST", "/_sandbox/faults", {"status": 503, "count": 1})
    async with http.post("/api/auth.test", data={"token": DEMO.bot_token}) as response:
        assert response.status == 503
    async with http.post("/api/auth.test", data={"token": DEMO.bot_token}) as response:
        assert (await response.json())["ok"] is True


async def test_delay_fault_slows_the_call_and_then_answers(sb: SlackSandbox, http: aiohttp.ClientSession) -> None:
    await control(http, "POST", "/_sandbox/faults", {"method": "auth.test", "delay": 0.3})
    started = time.monotonic()
    assert (await make_web_client(DEMO.bot_token, base_url=sb.api_url).auth_test())["ok"]
    assert time.monotonic() - started >= 0.3


async def test_bad_fault_is_refused(http: aiohttp.ClientSession) -> None:
    async with http.post("/_sandbox/faults", json={"method": "chat.postMessage", "eror": "typo"}) as response:
        assert response.status == 400


async def test_workspace_added_over_http_is_usable(sb: SlackSandbox, http: aiohttp.ClientSession) -> None:
    await control(
        http,
        "POST",
        "/_sandbox/workspaces",
        {
            "team_id": "T0OTHER",
            "bot_token": "xoxb-other",
            "name": "Other Co",
            "users": [{"id": "U0BOSS", "name": "boss", "tz": "Europe/Paris", "is_owner": True}],
            "channels": [{"id": "C0NEWS", "name": "news"}, {"id": "C0SECRET", "name": "secret", "bot_member": False}],
        },
    )
    client = make_web_client("xoxb-other", base_url=sb.api_url)
    boss = (await client.users_info(user="U0BOSS"))["user"]
    assert (boss["is_owner"], boss["is_admin"], boss["tz"]) == (True, True, "Europe/Paris")
    await client.chat_postMessage(channel="C0NEWS", text="hello other")
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=DEMO.general, text="not my workspace")
    assert refused.value.response["error"] == "channel_not_found"

    listing = (await control(http, "GET", "/_sandbox/workspaces"))["workspaces"]
    other = next(w for w in listing if w["team_id"] == "T0OTHER")
    assert {c["id"] for c in other["channels"]} == {"C0NEWS", "C0SECRET"}


async def test_calls_and_messages_are_listed_and_reset(sb: SlackSandbox, http: aiohttp.ClientSession) -> None:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    await client.auth_test()
    await client.chat_postMessage(channel=DEMO.general, text="one", blocks=[{"type": "divider"}])
    with pytest.raises(SlackApiError):
        await client.chat_postMessage(channel=DEMO.no_bot, text="two")

    posts = (await control(http, "GET", "/_sandbox/calls?method=chat.postMessage"))["calls"]
    assert [(c["channel"], c["ok"], c["error"]) for c in posts] == [
        (DEMO.general, True, None),
        (DEMO.no_bot, False, "not_in_channel"),
    ]
    assert posts[0]["params"]["blocks"] == [{"type": "divider"}]
    assert posts[0]["token"] == DEMO.bot_token
    in_general = (await control(http, "GET", f"/_sandbox/calls?channel={DEMO.general}"))["calls"]
    assert len(in_general) == 1
    assert len((await control(http, "GET", "/_sandbox/calls"))["calls"]) == 3

    (message,) = (await control(http, "GET", f"/_sandbox/messages?channel={DEMO.general}"))["messages"]
    assert message["text"] == "one"

    await control(http, "POST", "/_sandbox/reset")
    assert (await control(http, "GET", "/_sandbox/calls"))["calls"] == []
    assert (await control(http, "GET", "/_sandbox/messages"))["messages"] == []
    assert DEMO.team_id in sb.workspaces
    await control(http, "POST", "/_sandbox/reset", {"workspaces": True})
    assert sb.workspaces == {}


async def test_response_url_answers_land_where_slack_puts_them(sb: SlackSandbox) -> None:
    original = await make_web_client(DEMO.bot_token, base_url=sb.api_url).chat_postMessage(
        channel=DEMO.general, text="approve?"
    )
    url = sb.response_url(team_id=DEMO.team_id, channel_id=DEMO.general, user_id=DEMO.admin, message_ts=original["ts"])
    webhook = AsyncWebhookClient(url)

    assert (await webhook.send(text="queued")).status_code == 200
    assert [e["text"] for e in sb.ephemerals(DEMO.admin)] == ["queued"]

    await webhook.send(text="approved", replace_original=True)
    assert sb.message(DEMO.general, original["ts"])["text"] == "approved"

    await webhook.send(text="for everyone", response_type="in_channel")
    assert [m["text"] for m in sb.messages(DEMO.general)] == ["approved", "for everyone"]

    assert [r["text"] for r in sb.responses(url)] == ["queued", "approved", "for everyone"]
    for _ in range(RESPONSE_URL_MAX_POSTS - 3):
        await webhook.send(text="again")
    assert (await webhook.send(text="too many")).status_code == 404


async def test_response_url_created_over_http(http: aiohttp.ClientSession) -> None:
    created = await control(
        http,
        "POST",
        "/_sandbox/response_urls",
        {"team_id": DEMO.team_id, "channel_id": DEMO.general, "user_id": DEMO.viewer},
    )
    async with http.post(created["url"], json={"text": "hi"}) as response:
        assert response.status == 200
    (posted,) = (await control(http, "GET", f"/_sandbox/responses?id={created['id']}"))["responses"]
    assert posted["text"] == "hi"
    (ephemeral,) = (await control(http, "GET", f"/_sandbox/ephemerals?user={DEMO.viewer}"))["ephemerals"]
    assert ephemeral["text"] == "hi"


async def test_authorize_page_redirects_with_a_code_the_app_can_exchange(
    sb: SlackSandbox, http: aiohttp.ClientSession
) -> None:
    redirect = "http://127.0.0.1:3000/slack/oauth_redirect"
    query = {"client_id": sb.client_id, "scope": "commands,chat:write", "state": "s-123", "redirect_uri": redirect}
    async with http.get("/oauth/v2/authorize", params=query, allow_redirects=False) as response:
        assert response.status == 302
        location = response.headers["Location"]
    assert location.startswith(redirect)
    answer = parse_qs(urlsplit(location).query)
    assert answer["state"] == ["s-123"]
    installed = await make_web_client(None, base_url=sb.api_url).oauth_v2_access(
        client_id=sb.client_id, client_secret=sb.client_secret, code=answer["code"][0], redirect_uri=redirect
    )
    assert installed["team"]["id"] == DEMO.team_id


async def test_oauth_code_issued_over_http(sb: SlackSandbox, http: aiohttp.ClientSession) -> None:
    issued = await control(http, "POST", "/_sandbox/oauth/codes", {"team_id": DEMO.team_id, "token_rotation": True})
    installed = await make_web_client(None, base_url=sb.api_url).oauth_v2_access(
        client_id=sb.client_id, client_secret=sb.client_secret, code=issued["code"]
    )
    assert installed["refresh_token"].startswith("xoxe-1-")


async def test_uploaded_bytes_are_served_back(sb: SlackSandbox, http: aiohttp.ClientSession) -> None:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url)
    answer = await client.files_upload_v2(channel=DEMO.general, content=b"hello bytes", filename="a.txt")
    (listed,) = (await control(http, "GET", "/_sandbox/files"))["files"]
    assert listed["size"] == len(b"hello bytes")
    async with http.get(f"/_sandbox/files/{answer['file']['id']}") as response:
        assert await response.read() == b"hello bytes"
