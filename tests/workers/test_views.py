"""What the posted message looks like: Slack's limits and its control characters."""

from __future__ import annotations

import re
import uuid
from typing import Any

from bot.approvals.views import approval_request
from db.models import Job
from workers.lifecycle import JobResult
from workers.views import SECTION_LIMIT, escape_mrkdwn, result_message, split_for_sections


def job() -> Job:
    return Job(id=uuid.uuid4(), org_id=uuid.uuid4(), kind="text", requester_id="U0ASKER", masked_prompt="p")


def test_long_content_is_split_into_sections_slack_accepts() -> None:
    paragraph = "word " * 500  # 2,500 characters
    text = "\n\n".join([paragraph] * 5)

    chunks = split_for_sections(text)

    assert len(chunks) > 1
    assert all(len(chunk) <= SECTION_LIMIT for chunk in chunks)
    assert " ".join(" ".join(chunks).split()) == " ".join(text.split())


def test_a_split_never_lands_inside_an_escape() -> None:
    text = "x" + "&" * 5000  # the escapes straddle every 3,000-character boundary

    chunks = split_for_sections(escape_mrkdwn(text))

    assert len(chunks) > 1
    assert all(chunk.endswith("&amp;") for chunk in chunks)
    assert all(chunk.startswith("&amp;") for chunk in chunks[1:])


def test_model_output_cannot_mention_or_link() -> None:
    message = result_message(job(), JobResult("x", None, "gemini-a", 10), "Hi <!channel> and <@U123>")

    section = message["blocks"][0]["text"]["text"]
    assert "<!channel>" not in section and "<@U123>" not in section
    assert "&lt;!channel&gt;" in section


def test_context_line_names_requester_model_tokens_and_job() -> None:
    the_job = job()
    message = result_message(the_job, JobResult("x", None, "gemini-a", 1234), "Hello")

    context = message["blocks"][-1]["elements"][0]["text"]
    assert "<@U0ASKER>" in context and "gemini-a" in context and "1,234 tokens" in context
    assert str(the_job.id) in context


def test_content_beyond_one_message_is_cut_with_a_note() -> None:
    message = result_message(job(), JobResult("x", None, "m", 1), "y " * 100_000)

    assert len(message["blocks"]) == 50
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in message["blocks"] if b["type"] == "section")
    assert "cut short" in message["blocks"][-2]["text"]["text"]


# Slack's rules for who a message notifies: the escaped forms always do; in a mrkdwn text object
# that is not ``verbatim``, Slack also turns plain @here/@channel/@everyone into broadcasts.
_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_SPECIAL_MENTION = re.compile(r"<!(here|channel|everyone|subteam\^[A-Z0-9]+)(?:\|[^>]*)?>")
_PLAIN_BROADCAST = re.compile(r"(?<![\w&;])@(here|channel|everyone)\b")


def notified(text_object: dict[str, Any]) -> set[str]:
    text = text_object["text"]
    found = {m.group(1) for m in _USER_MENTION.finditer(text)}
    found |= {f"!{m.group(1)}" for m in _SPECIAL_MENTION.finditer(text)}
    if text_object.get("type") == "mrkdwn" and not text_object.get("verbatim", False):
        found |= {f"!{m.group(1)}" for m in _PLAIN_BROADCAST.finditer(text)}
    return found


def notified_by_fallback(message: dict[str, Any]) -> set[str]:
    """chat.postMessage's top-level ``text``: plain broadcasts are linked only with ``link_names``
    or ``parse=full``."""
    links_names = bool(message.get("link_names")) or message.get("parse") == "full"
    return notified({"type": "mrkdwn", "text": message["text"], "verbatim": not links_names})


HOSTILE_OUTPUT = (
    "Big news @here and @channel, tell @everyone! <!everyone> <!here|here> <!channel> "
    "<@U0VICTIM1> <@W0GRIDUSR|boss> <!subteam^S0ADMINS> &lt;!here&gt; <https://evil.example|click>"
)


def test_model_output_in_the_posted_message_notifies_nobody() -> None:
    message = result_message(job(), JobResult("x", None, "gemini-a", 10), HOSTILE_OUTPUT)

    *sections, context = message["blocks"]
    assert sections and all(section["text"]["verbatim"] is True for section in sections)
    for section in sections:
        assert notified(section["text"]) == set(), section
    assert notified_by_fallback(message) == set() and message["link_names"] is False
    # The requester is named in the context line, and nobody else is.
    assert notified(context["elements"][0]) == {"U0ASKER"}


def test_model_output_in_the_approvers_preview_notifies_nobody() -> None:
    request = approval_request(job(), HOSTILE_OUTPUT)

    preview = request["blocks"][1]["text"]
    assert preview["verbatim"] is True and notified(preview) == set()
    assert "@here" in preview["text"] and "&lt;!everyone&gt;" in preview["text"]
