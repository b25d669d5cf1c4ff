"""A realistic Gemini answer, posted the way a worker posts it and read back as a person sees it:
every heading, bold word, bullet, table, link and code block rendered, no Markdown left as symbols,
nothing in it a mention or markup that runs."""

from __future__ import annotations

import uuid

import pytest
from slack_sdk.errors import SlackApiError

from bot.slack.client import make_web_client
from db.models import Job
from sandbox.rendering import literal_markdown, markdown_html, visible_text
from sandbox.samples import GEMINI_STYLE_ANSWER
from sandbox.slack import DEMO, SlackSandbox
from workers.lifecycle import JobResult
from workers.views import result_message


def job() -> Job:
    return Job(id=uuid.uuid4(), org_id=uuid.uuid4(), kind="text", requester_id=DEMO.editor, masked_prompt="p")


async def post(sb: SlackSandbox, text: str) -> dict:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url.rstrip("/"))
    answer = await client.chat_postMessage(
        channel=DEMO.general, **result_message(job(), JobResult(text, None, "gemini-test", 321), text)
    )
    message = sb.message(DEMO.general, answer["ts"])
    assert message is not None
    return message


async def test_a_gemini_answer_renders_as_formatted_text(sb: SlackSandbox) -> None:
    message = await post(sb, GEMINI_STYLE_ANSWER)

    markdown = message["blocks"][0]
    assert markdown["type"] == "markdown"
    rendered = markdown_html(markdown["text"])
    assert "<h2>Launch plan for the Tea Timer API</h2>" in rendered
    assert "<strong>short plan</strong>" in rendered and "<em>key dates</em>" in rendered
    assert "<li><strong>Webhooks</strong> for brew events</li>" in rendered
    assert "<ol>" in rendered and "<th>Channel</th>" in rendered and "<td>Dana</td>" in rendered
    assert '<a href="https://docs.example.com/tea-timer">developer guide</a>' in rendered
    assert '<pre><code class="language-python">client = TeaTimer(api_key=KEY)' in rendered
    assert "<blockquote>" in rendered
    seen = visible_text(message)
    assert "Blog | Dana | Wed" in seen and "pricing is unchanged & free tiers stay" in seen
    assert literal_markdown(seen) == 0
    assert "[:thumbsup: Good] [:thumbsdown: Bad]" in seen


async def test_the_same_answer_as_mrkdwn_shows_its_markdown_as_symbols(sb: SlackSandbox) -> None:
    section = {"type": "section", "text": {"type": "mrkdwn", "text": GEMINI_STYLE_ANSWER, "verbatim": True}}

    assert literal_markdown(visible_text({"blocks": [section]})) >= 10


async def test_markup_and_mentions_in_an_answer_stay_text(sb: SlackSandbox) -> None:
    hostile = "Hi <!channel> <@U0ADMIN> @here <script>alert(1)</script> <img src=x onerror=alert(2)>"
    message = await post(sb, hostile)

    rendered = markdown_html(message["blocks"][0]["text"])
    assert "<script>" not in rendered and "<img" not in rendered
    seen = visible_text(message)
    assert "<script>alert(1)</script>" in seen and "<!channel>" in seen and "<@U0ADMIN>" in seen


async def test_slack_refuses_more_than_12000_characters_of_markdown_in_one_message(sb: SlackSandbox) -> None:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url.rstrip("/"))
    too_long = [{"type": "markdown", "text": "x" * 6001}, {"type": "markdown", "text": "y" * 6000}]

    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=DEMO.general, text="t", blocks=too_long)
    assert refused.value.response["error"] == "invalid_blocks"


async def test_a_long_answer_fits_the_first_message_and_the_rest_follows(sb: SlackSandbox) -> None:
    text = ("A paragraph of generated text. " * 30 + "\n\n") * 30  # about 28,000 characters
    message = await post(sb, text)

    assert len(message["blocks"][0]["text"]) <= 12_000
