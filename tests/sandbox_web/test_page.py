"""The local Slack page in a real browser: commands typed there reach the service as Slack would
send them, and what the service posts is rendered as Slack renders it, to the right people only."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.slack import DEMO, SECOND_DEMO
from tests.sandbox_web.conftest import LocalSlack

pytestmark = pytest.mark.slow

# Long enough for a job to be queued, generated and posted on a loaded machine.
WAIT_MS = 60_000


def _message(page: Any, containing: str) -> Any:
    """The rendered message (not an ephemeral note) carrying ``containing``, once it is there."""
    locator = page.locator(".message:not(.ephemeral)", has_text=containing)
    locator.first.wait_for(timeout=WAIT_MS)
    return locator


def _send(page: Any, text: str) -> None:
    page.fill("#composer-input", text)
    page.click("#composer-send")


def _settle(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("the condition did not hold in time")


def test_an_editors_command_is_rendered_with_bold_text_and_the_image(
    local_slack: LocalSlack, open_page: Callable[[str], Any]
) -> None:
    page = open_page(local_slack.page_url(DEMO.team_id, DEMO.editor, DEMO.general))
    token = uuid.uuid4().hex[:8]
    _send(page, f"/content text a *bold* haiku about tea {token}")
    # The acknowledgement is for the editor alone, then the worker's post arrives by itself.
    page.locator(".message.ephemeral", has_text="Working on it").first.wait_for(timeout=WAIT_MS)
    posted = _message(page, f"tea {token}")
    assert posted.locator("b, strong", has_text="bold").count() == 1
    assert "*bold*" not in posted.first.inner_text()

    _send(page, f"/content image a teapot on a hill {token}")
    image = page.locator(".message .file-image img").last
    image.wait_for(timeout=WAIT_MS)
    _settle(lambda: page.evaluate("(img) => img.complete && img.naturalWidth > 0", image.element_handle()))
    assert page.errors == []

    if os.environ.get("LOCAL_SLACK_SCREENSHOT"):
        target = Path(os.environ["LOCAL_SLACK_SCREENSHOT"])
        target.parent.mkdir(parents=True, exist_ok=True)
        page.locator("#messages").evaluate("(list) => { list.scrollTop = list.scrollHeight; }")
        page.screenshot(path=str(target))


def test_an_admins_approval_posts_exactly_once(local_slack: LocalSlack, open_page: Callable[[str], Any]) -> None:
    token = uuid.uuid4().hex[:8]
    editor = open_page(local_slack.page_url(SECOND_DEMO.team_id, SECOND_DEMO.editor, SECOND_DEMO.general))
    _send(editor, f"/content text a note for approval {token}")
    editor.locator(".message.ephemeral", has_text="approves it").first.wait_for(timeout=WAIT_MS)

    admin = open_page(local_slack.page_url(SECOND_DEMO.team_id, SECOND_DEMO.admin, SECOND_DEMO.approvals))
    request = _message(admin, token)
    request.first.locator("button[data-action-id='approve_job']").click()
    # The request is updated in place (its buttons go) and the result is posted in #general.
    request.first.locator("button[data-action-id='approve_job']").wait_for(state="detached", timeout=WAIT_MS)
    _message(editor, f"approval {token}")
    _settle(lambda: len(local_slack.posts_containing(SECOND_DEMO.general, token)) == 1)
    time.sleep(2)  # a second post, if there were one, would follow the first closely
    assert len(local_slack.posts_containing(SECOND_DEMO.general, token)) == 1
    assert editor.locator(".message:not(.ephemeral)", has_text=token).count() == 1


def test_a_viewers_click_is_refused_to_that_viewer_only(
    local_slack: LocalSlack, open_page: Callable[[str], Any]
) -> None:
    token = uuid.uuid4().hex[:8]
    editor = open_page(local_slack.page_url(SECOND_DEMO.team_id, SECOND_DEMO.editor, SECOND_DEMO.general))
    _send(editor, f"/content text a note a viewer sees {token}")
    viewer = open_page(local_slack.page_url(SECOND_DEMO.team_id, SECOND_DEMO.viewer, SECOND_DEMO.approvals))
    admin = open_page(local_slack.page_url(SECOND_DEMO.team_id, SECOND_DEMO.admin, SECOND_DEMO.approvals))
    _message(admin, token)

    _message(viewer, token).first.locator("button[data-action-id='approve_job']").click()
    refusal = viewer.locator(".message.ephemeral", has_text="needs the admin role")
    refusal.first.wait_for(timeout=WAIT_MS)
    assert refusal.count() == 1
    # Nobody else sees it, and nothing was posted.
    admin.reload()
    admin.wait_for_selector("body[data-ready='1']")
    assert admin.locator(".message", has_text="needs the admin role").count() == 0
    assert admin.locator(f".message:has-text('{token}') button[data-action-id='approve_job']").count() == 1
    assert local_slack.posts_containing(SECOND_DEMO.general, token) == []


def test_one_workspaces_messages_never_show_under_another(
    local_slack: LocalSlack, open_page: Callable[[str], Any]
) -> None:
    token = uuid.uuid4().hex[:8]
    first = open_page(local_slack.page_url(DEMO.team_id, DEMO.editor, DEMO.general))
    _send(first, f"/content text a message of the first workspace {token}")
    _message(first, token)

    # The second workspace's people, in each of their channels, and even given the first's channel.
    for user in (SECOND_DEMO.admin, SECOND_DEMO.editor, SECOND_DEMO.viewer):
        for channel in (SECOND_DEMO.general, SECOND_DEMO.approvals, SECOND_DEMO.no_bot, DEMO.general):
            page = open_page(local_slack.page_url(SECOND_DEMO.team_id, user, channel))
            assert token not in page.locator("#messages").inner_text()
            page.context.close()
    # The first workspace's own view of it is unchanged.
    assert _message(first, token).count() == 1


def test_model_output_with_markup_is_shown_as_text_and_never_run(
    local_slack: LocalSlack, open_page: Callable[[str], Any]
) -> None:
    token = uuid.uuid4().hex[:8]
    page = open_page(local_slack.page_url(DEMO.team_id, DEMO.editor, DEMO.general))
    # The fake model starts its answer with the prompt, so the markup comes back as model output.
    markup = '<script>window.__cfRan = 1</script><img src="x" onerror="window.__cfRan = 2">'
    _send(page, f"/content text {token} {markup}")
    posted = _message(page, f"Generated for: {token}")
    shown = posted.first.inner_text()
    assert "<script>window.__cfRan = 1</script>" in shown
    assert posted.first.locator("script, img[src='x']").count() == 0
    assert page.evaluate("window.__cfRan") is None
    assert page.errors == []


def test_reject_asks_for_a_reason_in_a_modal_and_posts_nothing(
    local_slack: LocalSlack, open_page: Callable[[str], Any]
) -> None:
    token = uuid.uuid4().hex[:8]
    editor = open_page(local_slack.page_url(SECOND_DEMO.team_id, SECOND_DEMO.editor, SECOND_DEMO.general))
    _send(editor, f"/content text a note to turn down {token}")
    admin = open_page(local_slack.page_url(SECOND_DEMO.team_id, SECOND_DEMO.admin, SECOND_DEMO.approvals))
    request = _message(admin, token)
    request.first.locator("button[data-action-id='reject_job']").click()
    modal = admin.locator(".modal")
    modal.wait_for(timeout=WAIT_MS)
    modal.locator("textarea, input").first.fill(f"off brand {token}")
    admin.click("#modal-submit")
    modal.wait_for(state="detached", timeout=WAIT_MS)
    request.first.locator("button[data-action-id='reject_job']").wait_for(state="detached", timeout=WAIT_MS)
    assert local_slack.posts_containing(SECOND_DEMO.general, token) == []

    # The App Home tab shows what the app published for the person who opened it.
    admin.click("#home-tab")
    admin.locator("#home .block-header", has_text="Content Factory").wait_for(timeout=WAIT_MS)
