"""The local Slack page stays current: what is posted while it loads or while its live connection
is down shows without a reload, as Slack's client catches up after it reconnects."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from sandbox.slack import SECOND_DEMO, SlackSandbox

pytestmark = pytest.mark.slow

SHOWN_WITHIN_MS = 15_000


async def test_a_message_posted_before_the_live_connection_opens_is_shown(
    page_sandbox: tuple[SlackSandbox, str], browser: Any
) -> None:
    sandbox, _ = page_sandbox
    connecting = asyncio.Event()
    may_connect = asyncio.Event()

    async def held(route: Any) -> None:
        connecting.set()
        await may_connect.wait()
        await route.continue_()

    context = await browser.new_context()
    try:
        await context.route("**/_ui/events", held)
        page = await context.new_page()
        await page.goto(
            f"{sandbox.url}/?team={SECOND_DEMO.team_id}&user={SECOND_DEMO.admin}&channel={SECOND_DEMO.approvals}"
        )
        await page.wait_for_selector("body[data-ready='1']")
        await asyncio.wait_for(connecting.wait(), timeout=10)

        # The page has drawn the channel; the post lands before it listens for changes.
        token = uuid.uuid4().hex[:8]
        client = AsyncWebClient(token=SECOND_DEMO.bot_token, base_url=sandbox.api_url)
        await client.chat_postMessage(channel=SECOND_DEMO.approvals, text=f"posted while the page connected {token}")
        may_connect.set()

        await page.wait_for_selector("body[data-live='1']")
        await page.locator(".message", has_text=token).first.wait_for(timeout=SHOWN_WITHIN_MS)
    finally:
        may_connect.set()
        await context.close()
