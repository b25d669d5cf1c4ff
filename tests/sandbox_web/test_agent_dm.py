"""The bot's DM on the local Slack page, in a real browser: the suggestions a thread opens with,
the status line while the job runs, the answer streamed in and rendered, and the feedback and
"Post to a channel" buttons under it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from sandbox.slack import DEMO
from tests.support.local_slack import LocalSlack

pytestmark = pytest.mark.slow

WAIT_MS = 60_000
OpenPage = Callable[[str], Awaitable[Any]]


async def _open_dm(page: Any) -> None:
    await page.locator(".channel-link", has_text="Content Factory").click()
    await page.locator(".suggestion").first.wait_for(timeout=WAIT_MS)


async def test_a_dm_shows_its_status_streams_its_answer_and_its_buttons_work(
    local_slack: LocalSlack, open_page: OpenPage
) -> None:
    page = await open_page(local_slack.page_url(DEMO.team_id, DEMO.editor, DEMO.general))
    await _open_dm(page)
    token = uuid.uuid4().hex[:8]
    local_slack.gemini.latency = 2.0  # long enough to see the status line
    local_slack.sandbox.inject("chat.appendStream", delay=2.0, count=None)  # and the text arriving
    try:
        await page.fill("#composer-input", f"a launch plan in markdown {token}")
        await page.click("#composer-send")
        await page.locator(".thread-status", has_text="is generating").wait_for(timeout=WAIT_MS)
        await page.locator(".message.streaming .stream-cursor").first.wait_for(timeout=WAIT_MS)
    finally:
        local_slack.gemini.latency = 0.0
        local_slack.sandbox.clear_faults()
    # The bot's answer once its stream has stopped (the person's own message carries the token too).
    answer = page.locator(".message:not(.streaming)", has_text=f"Generated for: a launch plan in markdown {token}")
    await answer.locator("table.md-table th", has_text="Channel").wait_for(timeout=WAIT_MS)
    assert await answer.count() == 1
    assert await answer.locator("b", has_text="short plan").count() == 1
    assert "**" not in await answer.inner_text()

    await answer.locator("button", has_text="Good").click()
    await page.locator(".message.ephemeral", has_text="glad it helped").first.wait_for(timeout=WAIT_MS)

    await answer.locator("button", has_text="Post to a channel").click()
    modal = page.locator(".modal", has_text="Post to a channel")
    await modal.wait_for(timeout=WAIT_MS)
    await modal.locator("select").select_option(DEMO.general)
    await modal.locator("button", has_text="Post").click()
    await page.locator(".modal", has_text="Posting it in").wait_for(timeout=WAIT_MS)

    async def posted_once() -> bool:
        return len(local_slack.posts_containing(DEMO.general, f"markdown {token}")) == 1

    for _ in range(300):
        if await posted_once():
            break
        await page.wait_for_timeout(200)
    assert await posted_once()
    # The confirmation stays open until closed, as Slack's does: closed here, so the editor's later
    # pages (other tests) open without it.
    await page.click("#modal-close")
    await page.locator("#modal-layer").wait_for(state="hidden", timeout=WAIT_MS)
    assert page.errors == []


async def test_a_viewer_is_told_in_the_dm_and_nothing_runs(local_slack: LocalSlack, open_page: OpenPage) -> None:
    page = await open_page(local_slack.page_url(DEMO.team_id, DEMO.viewer, DEMO.general))
    await _open_dm(page)
    await page.fill("#composer-input", "a haiku about tea")
    await page.click("#composer-send")
    await page.locator(".message", has_text="needs the editor role").first.wait_for(timeout=WAIT_MS)
    assert page.errors == []
