"""A command that waited in the queues before its handler started: turned away "busy" at once,
leaving nothing behind, when it waited too long; otherwise its ack's deadline counts from when it
really arrived. A forged or stale request is refused as always, however long it waited.

The waits are real: each request's bytes reach the kernel while the test holds the event loop
(the server's too), so the server can neither accept nor read them meanwhile."""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.quota.keys import org_keys
from bot.slack.ack_watchdog import seconds_since_arrival
from sandbox.say import build_slash_command, encode_form, sign_request
from tests.slack.held_requests import RawAnswer, http_post, send_while_the_loop_is_held
from tests.support.slack import (
    SIGNING_SECRET,
    Service,
    ServiceFactory,
    audit_actions,
    count_dispatches,
    org_counts,
    workspace_org,
)

JOB_ID = re.compile(r"job `([0-9a-f-]{36})`")
# Longer than the server's limit on a command's wait (WEB_MAX_REQUEST_WAIT_SECONDS, 0.25 s).
TOO_LONG = 0.5


def command_request(
    service: Service, text: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None, keep_alive: bool = False
) -> tuple[bytes, str]:
    """``/content <text>`` from the workspace's editor as HTTP bytes, and its response_url."""
    ws = service.workspace
    response_url = service.sandbox.response_url(team_id=ws.team_id, channel_id=ws.general, user_id=ws.editor)
    fields = build_slash_command(
        text, team_id=ws.team_id, user_id=ws.editor, channel_id=ws.general, user_name="eddie", response_url=response_url
    )
    body = encode_form(fields)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign_request(body, secret, timestamp)}
    return http_post("/slack/events", body, headers, keep_alive=keep_alive), response_url


def text_of(answer: RawAnswer) -> str:
    return str(json.loads(answer.body).get("text", "")) if answer.body.startswith(b"{") else answer.body.decode()


async def test_a_command_that_waited_too_long_is_answered_busy_and_leaves_nothing_behind(
    single: Service, org: uuid.UUID, aredis: aioredis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    dispatched = count_dispatches(single, monkeypatch)
    # Keep-alive asked for: the answer ends only because the server closes the connection.
    request, response_url = command_request(single, "text a poem about ferries", keep_alive=True)

    busy = await send_while_the_loop_is_held(single.url, request, TOO_LONG)

    assert busy.status == 200 and "very busy" in text_of(busy)
    assert json.loads(busy.body)["response_type"] == "ephemeral"
    assert busy.headers.get("connection") == "close"  # the next command may land on another process
    assert dispatched == []
    await single.services.watchdog.drain(5)
    assert single.sandbox.responses(response_url) == []
    counts = await org_counts(single.database, org)
    assert counts.jobs == 0 and "job.queued" not in await audit_actions(single.database, org)
    assert await aredis.hlen(org_keys(org).reservations) == 0
    # The same command, not held, is taken.
    again = await single.command("text a poem about ferries", user=single.workspace.editor)
    assert JOB_ID.search(again.text), again.text


async def test_a_command_signed_seconds_ago_is_answered_busy(single: Service, org: uuid.UUID) -> None:
    """What the kernel cannot see (a proxy in front, a slow network): the signature's timestamp
    tells, once a request signed just now has shown how this clock stands against Slack's."""
    fresh = await single.command("text a poem", user=single.workspace.editor)
    assert JOB_ID.search(fresh.text), fresh.text
    request, response_url = command_request(single, "text a poem", timestamp=int(time.time()) - 3)

    old = await send_while_the_loop_is_held(single.url, request, 0)

    assert "very busy" in text_of(old)
    assert (await org_counts(single.database, org)).jobs == 1
    assert single.sandbox.responses(response_url) == []


@pytest.mark.parametrize(
    ("secret", "signed_ago"),
    [("not-the-signing-secret", 0), (SIGNING_SECRET, 10 * 60)],
    ids=["forged", "stale"],
)
async def test_a_forged_or_stale_command_that_waited_is_refused_as_always(
    single: Service, org: uuid.UUID, monkeypatch: pytest.MonkeyPatch, secret: str, signed_ago: int
) -> None:
    dispatched = count_dispatches(single, monkeypatch)
    request, _ = command_request(single, "text a poem", secret=secret, timestamp=int(time.time()) - signed_ago)

    refused = await send_while_the_loop_is_held(single.url, request, TOO_LONG)

    assert refused.status == 401
    assert len(dispatched) == 1  # bolt refused it, as it refuses any forgery
    assert (await org_counts(single.database, org)).jobs == 0


async def test_a_forged_command_to_an_overloaded_process_is_refused(single: Service, org: uuid.UUID) -> None:
    single.services.watchdog.max_pending = 0
    request, _ = command_request(single, "text a poem", secret="not-the-signing-secret")

    refused = await send_while_the_loop_is_held(single.url, request, TOO_LONG)

    assert refused.status == 401
    assert (await org_counts(single.database, org)).jobs == 0


async def test_a_command_that_waited_acks_still_working_sooner_and_is_answered_later(
    make_service: ServiceFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its deadline counts from when it reached the machine: one that waited longer than the
    deadline is acked "still working" at once, before its work could run, and gets its answer
    through its response_url."""
    ws = make_service.workspace
    async with make_service.running(slack_bot_token=ws.bot_token, web_max_request_wait_seconds=2.0) as service:
        org = await workspace_org(service)
        watchdog = service.services.watchdog
        watchdog.deadline_seconds = TOO_LONG
        watchdog.max_lag_seconds = 3600  # the held loop is late on purpose; only the deadline is tested
        since_arrival: list[float] = []
        answer = watchdog.answer

        async def noted(*args: Any, **kwargs: Any) -> None:
            since_arrival.append(seconds_since_arrival())
            await answer(*args, **kwargs)

        monkeypatch.setattr(watchdog, "answer", noted)
        request, response_url = command_request(service, "text a poem about ferries")

        ack = await send_while_the_loop_is_held(service.url, request, TOO_LONG + 0.1)

        assert since_arrival[0] >= TOO_LONG + 0.1
        assert "Still working" in text_of(ack), text_of(ack)
        await watchdog.drain(30)
        (final,) = service.sandbox.responses(response_url)
        assert JOB_ID.search(final["text"]), final["text"]
        assert (await org_counts(service.database, org)).jobs == 1
