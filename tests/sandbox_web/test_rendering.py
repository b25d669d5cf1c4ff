"""Block Kit and mrkdwn as the page renders them, in a real browser, from messages posted through
the sandbox's Web API (no service needed): formatting becomes elements, everything else stays text."""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from db.models import Job
from sandbox.samples import GEMINI_STYLE_ANSWER
from sandbox.slack import DEMO, DEMOS, SlackSandbox, threaded_sandbox
from sandbox.web import WebUiConfig, add_web_ui
from workers.lifecycle import JobResult
from workers.providers.offline import placeholder_png
from workers.views import result_message

pytestmark = pytest.mark.slow

HOSTILE = '<script>window.__cfRan = 1</script><img src=x onerror="window.__cfRan = 2">'


def _client(sandbox: SlackSandbox) -> WebClient:
    """The bot's Web API client, waiting out the sandbox's per-channel posting limit as Slack's
    clients do: the tests post to a channel the session's other tests post to as well."""
    return WebClient(
        token=DEMO.bot_token, base_url=sandbox.api_url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=10)]
    )


@pytest.fixture(scope="module")
def shown_sandbox() -> Iterator[SlackSandbox]:
    with threaded_sandbox(extensions=(functools.partial(add_web_ui, config=WebUiConfig()),)) as sandbox:
        for demo in DEMOS:
            sandbox.seed_demo(demo)
        yield sandbox


def _post_everything(sandbox: SlackSandbox) -> None:
    client = _client(sandbox)
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "A header"}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*bold* _italic_ ~gone~ `code` <https://example.com|a link> <javascript:alert(1)|bad link> "
                "<@U0EDITOR> &lt;script&gt;escaped&lt;/script&gt;",
            },
        },
        {"type": "divider"},
        {"type": "markdown", "text": f"## Heading\n**strong** and [docs](https://example.com)\n- one\n- two {HOSTILE}"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "context _line_"}]},
        {"type": "image", "image_url": "data:image/png;base64,AAAA", "alt_text": "an inline image"},
        {
            "type": "actions",
            "elements": [
                {"type": "button", "action_id": "approve_job", "text": {"type": "plain_text", "text": "Approve"}}
            ],
        },
        {"type": "section", "text": {"type": "plain_text", "text": f"raw {HOSTILE}"}},
    ]
    client.chat_postMessage(channel=DEMO.general, text="fallback", blocks=json.dumps(blocks))
    client.chat_postMessage(channel=DEMO.general, text=f"plain text with {HOSTILE} and *bold*")
    client.files_upload_v2(
        channel=DEMO.general, content=placeholder_png(32, 24, 7), filename="picture.png", title="a picture"
    )


async def test_blocks_and_mrkdwn_render_as_slack_shows_them_and_markup_stays_text(
    shown_sandbox: SlackSandbox, open_page: Callable[[str], Awaitable[Any]]
) -> None:
    _post_everything(shown_sandbox)
    page = await open_page(f"{shown_sandbox.url}/?team={DEMO.team_id}&user={DEMO.editor}&channel={DEMO.general}")
    await page.locator(".file-image img").wait_for()
    messages = page.locator("#messages")
    assert await messages.locator(".block-header", has_text="A header").count() == 1
    assert await messages.locator("b", has_text="bold").count() >= 2
    assert await messages.locator("i", has_text="italic").count() == 1
    assert await messages.locator("s", has_text="gone").count() == 1
    assert await messages.locator("code", has_text="code").count() == 1
    assert await messages.locator("a[href='https://example.com/'], a[href='https://example.com']").count() == 2
    assert await messages.locator("a", has_text="bad link").count() == 0
    assert await messages.locator(".mention", has_text="@eddie").count() == 1
    assert await messages.locator(".block-markdown b", has_text="strong").count() == 1
    assert await messages.locator(".block-markdown li").count() == 2
    assert await messages.locator(".block-context i", has_text="line").count() == 1
    assert await messages.locator("button.block-button[data-action-id='approve_job']").count() == 1
    text = await messages.inner_text()
    assert "<script>escaped</script>" in text
    # In a markdown block, a plain_text section and a message's own text.
    assert text.count("<script>window.__cfRan = 1</script>") == 3, text
    assert await messages.locator("script").count() == 0
    assert await messages.locator("img[src='x']").count() == 0
    assert await page.evaluate("window.__cfRan") is None
    # The uploaded file is shown inline and loads.
    await page.wait_for_function("() => document.querySelector('.file-image img').naturalWidth > 0")
    assert await page.evaluate("() => document.querySelector('.file-image img').naturalWidth") == 32
    assert page.errors == []


async def test_a_gemini_answer_in_a_markdown_block_renders_formatted_and_inert(
    shown_sandbox: SlackSandbox, open_page: Callable[[str], Awaitable[Any]]
) -> None:
    text = GEMINI_STYLE_ANSWER + f"\nAnd some markup: {HOSTILE} & <@{DEMO.admin}>\n"
    job = Job(id=uuid.uuid4(), org_id=uuid.uuid4(), kind="text", requester_id=DEMO.editor, masked_prompt="p")
    client = _client(shown_sandbox)
    message = result_message(job, JobResult(text, None, "gemini-test", 42), text)
    client.chat_postMessage(channel=DEMO.general, text=message["text"], blocks=json.dumps(message["blocks"]))
    page = await open_page(f"{shown_sandbox.url}/?team={DEMO.team_id}&user={DEMO.editor}&channel={DEMO.general}")
    answer = page.locator(".message", has_text="Launch plan for the Tea Timer API").last
    await answer.wait_for()

    assert await answer.locator(".block-markdown .md-h2", has_text="Launch plan").count() == 1
    assert await answer.locator(".block-markdown b", has_text="short plan").count() == 1
    assert await answer.locator(".block-markdown ul li").count() == 3
    assert await answer.locator(".block-markdown ol li").count() == 3
    assert await answer.locator("table.md-table th", has_text="Channel").count() == 1
    assert await answer.locator("table.md-table td", has_text="Dana").count() == 1
    assert await answer.locator("a[href='https://docs.example.com/tea-timer']", has_text="developer guide").count() == 1
    assert await answer.locator("pre", has_text="client.brew(minutes=3)").count() == 1
    assert await answer.locator("blockquote", has_text="free tiers stay").count() == 1
    shown = await answer.inner_text()
    assert "**" not in shown and "|---" not in shown and "## " not in shown
    assert "<script>window.__cfRan = 1</script>" in shown and f"<@{DEMO.admin}>" in shown and "& " in shown
    assert await answer.locator("script").count() == 0 and await page.evaluate("window.__cfRan") is None
    assert await answer.locator("button[data-action-id='feedback_good']").count() == 1
    assert page.errors == []


async def test_shortcodes_show_as_emoji_where_slack_shows_them_and_unknown_ones_stay_text(
    shown_sandbox: SlackSandbox, open_page: Callable[[str], Awaitable[Any]]
) -> None:
    token = uuid.uuid4().hex[:8]
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f":white_check_mark: done {token} `:tada:`"}},
        {"type": "markdown", "text": "**:rocket: launched** and :not_an_emoji: and :constructor: and :<b>x</b>:"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": ":warning: careful"}]},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "feedback_good",
                    "text": {"type": "plain_text", "text": ":thumbsup: Good", "emoji": True},
                },
                {
                    "type": "button",
                    "action_id": "feedback_bad",
                    "text": {"type": "plain_text", "text": ":thumbsdown: Bad", "emoji": False},
                },
            ],
        },
    ]
    client = _client(shown_sandbox)
    client.chat_postMessage(channel=DEMO.general, text=f"fallback {token}", blocks=json.dumps(blocks))
    page = await open_page(f"{shown_sandbox.url}/?team={DEMO.team_id}&user={DEMO.editor}&channel={DEMO.general}")
    message = page.locator(".message", has_text=token)
    await message.wait_for()

    assert await message.locator(".block-section", has_text="✅ done").count() == 1
    assert await message.locator("code", has_text=":tada:").count() == 1  # code stays as typed
    assert await message.locator(".block-markdown b", has_text="🚀 launched").count() == 1
    assert await message.locator(".block-context", has_text="⚠️ careful").count() == 1
    assert await message.locator("button[data-action-id='feedback_good']").inner_text() == "👍 Good"
    assert await message.locator("button[data-action-id='feedback_bad']").inner_text() == ":thumbsdown: Bad"
    shown = await message.inner_text()
    assert ":not_an_emoji:" in shown and ":constructor:" in shown and ":<b>x</b>:" in shown
    assert ":white_check_mark:" not in shown and ":warning:" not in shown and ":rocket:" not in shown
    assert await message.locator(".block-markdown b", has_text="x").count() == 0
    assert page.errors == []


async def test_thread_replies_sit_under_their_parent_and_a_broadcast_shows_in_both(
    shown_sandbox: SlackSandbox, open_page: Callable[[str], Awaitable[Any]]
) -> None:
    token = uuid.uuid4().hex[:8]
    client = _client(shown_sandbox)
    parent = client.chat_postMessage(channel=DEMO.general, text=f"parent {token}")["ts"]
    client.chat_postMessage(channel=DEMO.general, thread_ts=parent, text=f"quiet reply {token}")
    client.chat_postMessage(channel=DEMO.general, thread_ts=parent, text=f"loud reply {token}", reply_broadcast=True)
    client.chat_postMessage(channel=DEMO.general, text=f"after {token}")
    page = await open_page(f"{shown_sandbox.url}/?team={DEMO.team_id}&user={DEMO.editor}&channel={DEMO.general}")
    listing = page.locator("#messages > .message")
    await listing.filter(has_text=f"after {token}").wait_for()

    assert await listing.filter(has_text=f"quiet reply {token}").count() == 0
    assert await page.locator(".message", has_text=f"quiet reply {token}").count() == 0
    assert await listing.filter(has_text=f"loud reply {token}").count() == 1  # the broadcast, in the channel
    head = listing.filter(has_text=f"parent {token}")
    toggle = head.locator(".thread-replies")
    assert await toggle.inner_text() == "2 replies"

    await toggle.click()
    thread = head.locator(".thread-messages")
    await thread.wait_for()
    assert await thread.locator(".message", has_text=f"quiet reply {token}").count() == 1
    assert await thread.locator(".message", has_text=f"loud reply {token}").count() == 1
    # A new reply arrives over the live feed into the open thread.
    client.chat_postMessage(channel=DEMO.general, thread_ts=parent, text=f"late reply {token}")
    await thread.locator(".message", has_text=f"late reply {token}").wait_for()
    assert await head.locator(".thread-replies").inner_text() == "3 replies"
    assert await listing.filter(has_text=f"late reply {token}", has_not_text=f"parent {token}").count() == 0
    assert page.errors == []
