"""The Slack-facing service on a real port, clicked the way Slack clicks: signed block_actions and
view_submission requests to ``/slack/events``."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from bot.jobs.queueing import JobSender
from bot.process.runtime import Runtime
from bot.services import build_services
from bot.slack.app import create_bolt_app
from bot.slack.server import create_web_app
from handlers.actions import drain_announcements, register_action_handlers
from sandbox.say import build_block_action, build_view_submission, encode_form, sign_request
from sandbox.slack import SlackSandbox
from tests.support.approvals import RecordingSender
from tests.support.slack import serve_locally

SIGNING_SECRET = "approvals-signing-secret-0123456789"


@dataclass(frozen=True)
class Click:
    status: int
    answers: list[str]  # what came back through the click's response_url (ephemeral notes)


@dataclass
class Clicks:
    url: str
    team_id: str
    sandbox: SlackSandbox
    sender: RecordingSender
    http: aiohttp.ClientSession
    runner: web.AppRunner

    async def _post(self, fields: dict[str, str]) -> tuple[int, str]:
        body = encode_form(fields)
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign_request(body, SIGNING_SECRET)}
        async with self.http.post(f"{self.url}/slack/events", data=body, headers=headers) as response:
            return response.status, await response.text()

    async def click(self, action_id: str, value: str, *, user: str, channel: str, ts: str) -> Click:
        """One button press, as Slack sends it (with a response_url of the sandbox's)."""
        response_url = self.sandbox.response_url(team_id=self.team_id, channel_id=channel, user_id=user, message_ts=ts)
        fields = build_block_action(
            action_id,
            value,
            team_id=self.team_id,
            user_id=user,
            channel_id=channel,
            message_ts=ts,
            response_url=response_url,
            message=self.sandbox.message(channel, ts),
        )
        status, _body = await self._post(fields)
        await drain_announcements()
        return Click(status, [r.get("text", "") for r in self.sandbox.responses(response_url)])

    async def submit_view(self, view: dict[str, Any], *, user: str, reason: str | None) -> dict[str, Any]:
        """Submit a modal the sandbox recorded as opened, with ``reason`` typed in; returns the ack."""
        values = {"reason": {"reason_input": {"type": "plain_text_input", "value": reason}}}
        status, raw = await self._post(build_view_submission(view, values, team_id=self.team_id, user_id=user))
        assert status == 200, raw
        await drain_announcements()
        return json.loads(raw) if raw.strip().startswith("{") else {}

    async def close(self) -> None:
        await self.http.close()
        await self.runner.cleanup()


async def start_clicks(
    runtime: Runtime, sandbox: SlackSandbox, team_id: str, *, sender: JobSender | None = None
) -> Clicks:
    """The service with the approval surface; approved jobs are recorded, or sent with ``sender``."""
    services = build_services(runtime)
    recorded = RecordingSender()
    services.jobs.sender.close()
    services.jobs.sender = services.approvals.sender = sender or recorded
    bolt = create_bolt_app(runtime, services=services)
    # Harmless once bot.slack.app registers the surface itself: bolt runs the first matching listener.
    register_action_handlers(bolt, services)
    url, runner = await serve_locally(create_web_app(runtime, app=bolt))
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
    return Clicks(url, team_id, sandbox, recorded, http, runner)


def new_team() -> tuple[str, str]:
    suffix = uuid.uuid4().hex[:8].upper()
    return f"T{suffix}", f"xoxb-{suffix}-{int(time.time())}"
