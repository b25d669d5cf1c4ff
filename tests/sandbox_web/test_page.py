"""The local Slack page in a real browser: commands typed there reach the service as Slack would
send them, and what the service posts is rendered as Slack renders it, to the right people only."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from sandbox.slack import DEMO, SECOND_DEMO
from tests.support.local_slack import LocalSlack
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow

# Long enough for a job to be queued, generated and posted on a loaded machine.
WAIT_MS = 60_000
OpenPage = Callable[[str], Awaitable[Any]]


async def _message(page: Any, containing: str) -> Any:
    """The rendered message (not an ephemeral note) carrying ``containing``, once it is there."""
    locator = page.locator(".message:not(.ephemeral)", has_text=containing)
    await locator.first.wait_for(timeout=WAIT_MS)
    return locator


async def _send(page: Any, text: str) -> None:
    await page.fill("#composer-input", text)
    await page.click("#composer-send")


async def test_an_editors_command_is_rendered_with_bold_text_and_the_image(
    local_slack: LocalSlack, open_page: OpenPage
) -> None:
    page = await open_page(local_slack.page_url(DEMO.team_id, DEMO.editor, DEMO.general))
    token = uuid.uuid4().hex[:8]
    # Results are Markdown (a markdown block), as the model writes them: ** marks bold.
    await _send(page, f"/content text a **bold** haiku about tea {token}")
    # The acknowledgement is for the editor alone, then the worker's post arrives by itself.
    await page.locator(".message.ephemeral", has_text="Working on it").first.wait_for(timeout=WAIT_MS)
    posted = await _message(page, f"tea {token}")
    assert await posted.locator("b, strong", has_text="bold").count() == 1
    assert "*" not in await posted.first.inner_text()

    await _send(page, f"/content image a teapot on a hill {token}")
    image = page.locator(".message .file-image img").last
    await image.wait_for(timeout=WAIT_MS)

    async def loaded() -> bool:
        return await image.evaluate("(img) => img.complete && img.naturalWidth > 0")

    await wait_until(loaded, "the image never loaded", seconds=30, every=0.2)
    # The feedback buttons follow the upload as a reply in its thread, folded under it as in Slack,
    # their labels' shortcodes shown as emoji; a click in the thread reaches the service.
    upload = page.locator("#messages > .message").filter(has=page.locator(".file-image img")).last
    toggle = upload.locator(".thread-replies")
    await toggle.wait_for(timeout=WAIT_MS)
    assert await toggle.inner_text() == "1 reply"
    assert await page.locator("#messages > .message", has_text="Was this image").count() == 0
    await toggle.click()
    good = upload.locator(".thread-messages button[data-action-id='feedback_good']")
    assert await good.inner_text() == "👍 Good"
    await good.click()
    await page.locator(".message.ephemeral", has_text="👍 Thanks, glad it helped").first.wait_for(timeout=WAIT_MS)
    assert page.errors == []

    if os.environ.get("LOCAL_SLACK_SCREENSHOT"):
        target = Path(os.environ["LOCAL_SLACK_SCREENSHOT"])
        target.parent.mkdir(parents=True, exist_ok=True)
        # Tall enough for the text job above the image job and its open thread.
        await page.set_viewport_size({"width": 1400, "height": 1250})
        await page.mouse.move(0, 0)  # no message shown as hovered
        await page.locator("#messages").evaluate("(list) => { list.scrollTop = list.scrollHeight; }")
        await page.screenshot(path=str(target))


async def test_an_admins_approval_posts_exactly_once(local_slack: LocalSlack, open_page: OpenPage) -> None:
    token = uuid.uuid4().hex[:8]
    editor = await open_page(local_slack.page_url(SECOND_DEMO.team_id, SECOND_DEMO.editor, SECOND_DEMO.general))
    await _send(editor, f"/content text a note for approval {token}")
    await editor.locator(".message.ephemeral", has_text="approves it").first.wait_for(timeout=WAIT_MS)

    admin = await open_page(local_slack.page_url(SECOND_DEMO.team_id, SECOND_DEMO.admin, SECOND_DEMO.approvals))
    request = await _message(admin, token)
    await request.first.locator("button[data-action-id='approve_job']").click()
    # The request is updated in place (its buttons go) and the result is posted in #general.
    await request.first.locator("button[data-action-id='approve_job']").wait_for(state="detached", timeout=WAIT_MS)
    await _message(editor, f"approval {token}")

    await wait_until(
        lambda: len(local_slack.posts_containing(SECOND_DEMO.general, token)) == 1,
        "the approved job was never posted",
        seconds=30,
        every=0.2,
    )
    await asyncio.sleep(2)  # a second post, if there were one, would follow the first closely
    assert len(local_slack.posts_containing(SECOND_DEMO.general, token)) == 1
    assert await editor.locator(".message:not(.ephemeral)", has_text=token).count() == 1


async def test_a_viewers_click_is_refused_to_that_viewer_only(local_slack: LocalSlack, open_page: OpenPage) -> None:
    token = uuid.uuid4().hex[:8]
    editor = await open_page(local_slack.page_url(SECOND_DEMO.team_id, SECOND_DEMO.editor, SECOND_DEMO.general))
    await _send(editor, f"/content text a note a viewer sees {token}")
    viewer = await open_page(local_slack.page_url(SECOND_DEMO.team_id, SECOND_DEMO.viewer, SECOND_DEMO.approvals))
    admin = await open_page(local_slack.page_url(SECOND_DEMO.team_id, SECOND_DEMO.admin, SECOND_DEMO.approvals))
    await _message(admin, token)

    await (await _message(viewer, token)).first.locator("button[data-action-id='approve_job']").click()
    refusal = viewer.locator(".message.ephemeral", has_text="needs the admin role")
    await refusal.first.wait_for(timeout=WAIT_MS)
    assert await refusal.count() == 1
    # Nobody else sees it, and nothing was posted.
    await admin.reload()
    await admin.wait_for_selector("body[data-ready='1']")
    await (await _message(admin, token)).first.wait_for()
    assert await admin.locator(".message", has_text="needs the admin role").count() == 0
    assert await admin.locator(f".message:has-text('{token}') button[data-action-id='approve_job']").count() == 1
    assert local_slack.posts_containing(SECOND_DEMO.general, token) == []


async def test_one_workspaces_messages_never_show_under_another(local_slack: LocalSlack, open_page: OpenPage) -> None:
    token = uuid.uuid4().hex[:8]
    first = await open_page(local_slack.page_url(DEMO.team_id, DEMO.editor, DEMO.general))
    # Not "a message of the first workspace": the guard reads that as asking for the bot's first
    # message (its setup) and blocks it for about one random token in four.
    await _send(first, f"/content text a note from the first workspace {token}")
    await _message(first, token)

    # The second workspace's people, in each of their channels, and even given the first's channel.
    for user in (SECOND_DEMO.admin, SECOND_DEMO.editor, SECOND_DEMO.viewer):
        for channel in (SECOND_DEMO.general, SECOND_DEMO.approvals, SECOND_DEMO.no_bot, DEMO.general):
            page = await open_page(local_slack.page_url(SECOND_DEMO.team_id, user, channel))
            assert token not in await page.locator("#messages").inner_text()
            await page.context.close()
    # The first workspace's own view of it is unchanged.
    assert await (await _message(first, token)).count() == 1
    # Acting as the second workspace's editor from the picker on the same page: its #general only.
    await first.select_option("#acting-user", f"{SECOND_DEMO.team_id}/{SECOND_DEMO.editor}")
    await first.locator(
        f".workspace[data-team-id='{SECOND_DEMO.team_id}'] .channel-link.active[data-channel-id='{SECOND_DEMO.general}']"
    ).wait_for()
    assert await first.locator(f".workspace[data-team-id='{DEMO.team_id}'] .channel-link").count() == 0
    assert token not in await first.locator("#messages").inner_text()


async def test_model_output_with_markup_is_shown_as_text_and_never_run(
    local_slack: LocalSlack, open_page: OpenPage
) -> None:
    token = uuid.uuid4().hex[:8]
    page = await open_page(local_slack.page_url(DEMO.team_id, DEMO.editor, DEMO.general))
    # The fake model starts its answer with the prompt, so the markup comes back as model output.
    markup = '<script>window.__cfRan = 1</script><img src="x" onerror="window.__cfRan = 2">'
    await _send(page, f"/content text {token} {markup}")
    posted = await _message(page, f"Generated for: {token}")
    shown = await posted.first.inner_text()
    assert "<script>window.__cfRan = 1</script>" in shown
    assert await posted.first.locator("script, img[src='x']").count() == 0
    assert await page.evaluate("window.__cfRan") is None
    assert page.errors == []


async def test_reject_asks_for_a_reason_in_a_modal_and_posts_nothing(
    local_slack: LocalSlack, open_page: OpenPage
) -> None:
    token = uuid.uuid4().hex[:8]
    editor = await open_page(local_slack.page_url(SECOND_DEMO.team_id, SECOND_DEMO.editor, SECOND_DEMO.general))
    await _send(editor, f"/content text a note to turn down {token}")
    admin = await open_page(local_slack.page_url(SECOND_DEMO.team_id, SECOND_DEMO.admin, SECOND_DEMO.approvals))
    request = await _message(admin, token)
    await request.first.locator("button[data-action-id='reject_job']").click()
    modal = admin.locator(".modal")
    await modal.wait_for(timeout=WAIT_MS)
    await modal.locator("textarea, input").first.fill(f"off brand {token}")
    await admin.click("#modal-submit")
    await modal.wait_for(state="detached", timeout=WAIT_MS)
    await request.first.locator("button[data-action-id='reject_job']").wait_for(state="detached", timeout=WAIT_MS)
    assert local_slack.posts_containing(SECOND_DEMO.general, token) == []

    # The App Home tab shows what the app published for the person who opened it.
    await admin.click("#home-tab")
    await admin.locator("#home .block-header", has_text="Content Factory").wait_for(timeout=WAIT_MS)
