"""Bolt verifies every request before anything runs: a bad or stale signature is a 401 and leaves
nothing behind."""

from __future__ import annotations

import time

import pytest

from bot.orgs.service import find_org
from sandbox.say import encode_form, sign_request
from tests.support.slack import SIGNING_SECRET, Service


def _command_body(service: Service, text: str = "help") -> bytes:
    ws = service.workspace
    return encode_form(
        ws.slash_command(
            text,
            user=ws.owner,
            response_url=service.sandbox.response_url(team_id=ws.team_id, channel_id=ws.general, user_id=ws.owner),
        )
    )


async def _nothing_stored(service: Service) -> None:
    assert await find_org(service.database, service.workspace.team_id) is None
    assert service.sandbox.calls(team_id=service.workspace.team_id) == []


async def test_valid_signature_is_answered(single: Service) -> None:
    response = await single.post_signed(_command_body(single))
    assert response.status == 200
    assert await find_org(single.database, single.workspace.team_id) is not None


async def test_wrong_secret_is_refused(single: Service) -> None:
    response = await single.post_signed(_command_body(single), secret="not-the-signing-secret")
    assert response.status == 401
    await _nothing_stored(single)


@pytest.mark.parametrize("age_seconds", [301, 3600])
async def test_stale_timestamp_is_refused(single: Service, age_seconds: int) -> None:
    response = await single.post_signed(_command_body(single), timestamp=int(time.time()) - age_seconds)
    assert response.status == 401
    await _nothing_stored(single)


async def test_body_altered_after_signing_is_refused(single: Service) -> None:
    body = _command_body(single, "help")
    altered = body.replace(b"text=help", b"text=audit")
    response = await single.post_signed(altered, headers=sign_request(body, SIGNING_SECRET))
    assert response.status == 401
    await _nothing_stored(single)


@pytest.mark.parametrize("missing", ["X-Slack-Signature", "X-Slack-Request-Timestamp", "both"])
async def test_missing_headers_are_refused(single: Service, missing: str) -> None:
    body = _command_body(single)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign_request(body, SIGNING_SECRET)}
    for name in ["X-Slack-Signature", "X-Slack-Request-Timestamp"] if missing == "both" else [missing]:
        del headers[name]
    async with single.http.post(f"{single.url}/slack/events", data=body, headers=headers) as response:
        assert response.status == 401
    await _nothing_stored(single)


async def test_url_verification_challenge_needs_a_signature(single: Service) -> None:
    body = b'{"type": "url_verification", "challenge": "c-123", "token": "x"}'
    signed = await single.post_signed(body, content_type="application/json")
    assert signed.status == 200
    async with single.http.post(
        f"{single.url}/slack/events", data=body, headers={"Content-Type": "application/json"}
    ) as response:
        assert response.status == 401
