"""A response_url is posted to only when it is Slack's (or SLACK_API_URL's host): a signed request
naming any other host is acknowledged, does nothing, and that host receives nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.slack.client import make_web_client
from bot.slack.middleware.refusal import DATABASE_DOWN, refuse
from bot.slack.response_urls import is_trusted_response_url, trusted_response_url
from db.models import Job, JobKind, JobState
from sandbox.say import encode_form
from tests.support.slack import Service, org_counts
from workers.posting import tell_requester

SANDBOX_API = "http://127.0.0.1:3001/api/"


@pytest.mark.parametrize(
    ("url", "trusted"),
    [
        ("https://hooks.slack.com/commands/T0/1/abc", True),
        ("https://HOOKS.slack.com:443/actions/T0/1/abc", True),
        ("https://acme.enterprise.slack.com/x", True),
        ("http://127.0.0.1:3001/_sandbox/response/1-ab", True),  # SLACK_API_URL's host and port
        ("http://hooks.slack.com/commands/T0/1/abc", False),  # not over https
        ("https://hooks.slack.com:8443/x", False),
        ("https://slack.com.evil.example/x", False),
        ("https://hooks.slack.com.evil.example/x", False),
        ("https://hooks.slack.com@evil.example/x", False),
        ("https://evil.example\\@hooks.slack.com/x", False),
        ("https://user:pw@hooks.slack.com/x", False),
        ("https://evilslack.com/x", False),
        ("http://127.0.0.1:9999/steal", False),  # the sandbox's host on another port
        ("http://169.254.169.254/latest/meta-data", False),
        ("//hooks.slack.com/x", False),
        ("file:///etc/passwd", False),
    ],
)
def test_only_slacks_hosts_are_trusted(url: str, trusted: bool) -> None:
    assert is_trusted_response_url(url, SANDBOX_API) is trusted
    assert (trusted_response_url(url, SANDBOX_API) == url) is trusted


@pytest.fixture
async def listener() -> AsyncIterator[tuple[str, list[bytes]]]:
    """Another host's server that records whatever is posted to it."""
    received: list[bytes] = []

    async def record(request: web.Request) -> web.Response:
        received.append(await request.read())
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/{tail:.*}", record)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/steal", received
    await runner.cleanup()


async def test_a_command_naming_another_host_is_refused_and_that_host_hears_nothing(
    single: Service, org: uuid.UUID, listener: tuple[str, list[bytes]]
) -> None:
    url, received = listener
    ws = single.workspace
    await single.command("help", user=ws.editor)
    before = await org_counts(single.database, org)
    single.services.watchdog.deadline_seconds = 0.0  # every answer would go through the response_url
    fields = ws.slash_command("text a haiku about tea", user=ws.editor, response_url=url)
    response = await single.post_signed(encode_form(fields))
    await asyncio.sleep(0.3)

    assert response.status == 200
    assert received == []
    assert await org_counts(single.database, org) == before


async def test_a_click_naming_another_host_is_dropped_and_that_host_hears_nothing(
    single: Service, org: uuid.UUID, listener: tuple[str, list[bytes]]
) -> None:
    url, received = listener
    ws = single.workspace
    # A viewer's click is refused; the refusal would be told through the click's response_url.
    fields = ws.block_action("approve_job", str(uuid.uuid4()), user=ws.viewer, channel=ws.approvals, response_url=url)
    response = await single.post_signed(encode_form(fields))
    await asyncio.sleep(0.3)

    assert response.status == 200
    assert received == []


async def test_a_stored_response_url_of_another_host_is_passed_over_for_an_ephemeral_note(
    single: Service, org: uuid.UUID, listener: tuple[str, list[bytes]]
) -> None:
    url, received = listener
    ws = single.workspace
    job = Job(
        id=uuid.uuid4(),
        org_id=org,
        kind=JobKind.TEXT,
        state=JobState.FAILED,
        requester_id=ws.editor,
        source_channel=ws.general,
        target_channel=ws.general,
        masked_prompt="p",
        response_url=url,
        created_at=datetime.now(UTC),
    )

    assert await tell_requester(single.runtime, job, "Your job could not be finished.")

    assert received == []
    assert [e["text"] for e in single.sandbox.ephemerals(ws.editor)] == ["Your job could not be finished."]


async def test_a_middlewares_refusal_is_told_to_slack_only(single: Service, listener: tuple[str, list[bytes]]) -> None:
    """Tenancy and role lookup refuse before the response_url check runs, so refuse() checks too."""
    url, received = listener
    ws = single.workspace
    slack_url = single.sandbox.response_url(team_id=ws.team_id, channel_id=ws.general, user_id=ws.viewer)
    for response_url in (url, slack_url):
        fields = ws.block_action("approve_job", "x", user=ws.viewer, response_url=response_url)
        request = AsyncBoltRequest(
            body=encode_form(fields).decode(), headers={"content-type": ["application/x-www-form-urlencoded"]}
        )
        request.context["client"] = make_web_client("xoxb-any", base_url=single.sandbox.api_url)
        assert refuse(request, DATABASE_DOWN).status == 200
    await asyncio.sleep(0.3)

    assert received == []
    assert [post["text"] for post in single.sandbox.responses(slack_url)] == [DATABASE_DOWN["text"]]
