"""What the posted message looks like: Slack's limits and its control characters."""

from __future__ import annotations

import re
import uuid
from typing import Any

from bot.approvals.views import approval_request
from db.models import Job
from workers.lifecycle import JobResult
from workers.result_markdown import MARKDOWN_BLOCK_LIMIT, slack_safe_markdown, split_markdown
from workers.views import continuation_messages, escape_mrkdwn, result_message


def job() -> Job:
    return Job(id=uuid.uuid4(), org_id=uuid.uuid4(), kind="text", requester_id="U0ASKER", masked_prompt="p")


def test_long_content_is_split_into_markdown_pieces_slack_accepts() -> None:
    paragraph = "word " * 500  # 2,500 characters
    text = "\n\n".join([paragraph] * 12)

    pieces = split_markdown(text)

    assert len(pieces) == 3
    assert all(len(piece) <= MARKDOWN_BLOCK_LIMIT for piece in pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())


def test_a_split_never_lands_inside_an_escape() -> None:
    text = "x" + "&" * 5000  # the escapes straddle every boundary

    pieces = split_markdown(escape_mrkdwn(text), limit=3000)

    assert len(pieces) > 1
    assert all(piece.endswith("&amp;") for piece in pieces)
    assert all(piece.startswith("&amp;") for piece in pieces[1:])


def test_a_split_inside_a_code_block_closes_and_reopens_the_fence() -> None:
    code = "\n".join(f"print({i})" for i in range(3000))
    pieces = split_markdown(f"Here:\n```python\n{code}\n```\nDone.")

    assert len(pieces) > 1
    assert all(piece.count("```") % 2 == 0 for piece in pieces)


def test_model_output_cannot_mention_or_link() -> None:
    message = result_message(job(), JobResult("x", None, "gemini-a", 10), "Hi <!channel> and <@U123>")

    block = message["blocks"][0]
    assert block["type"] == "markdown"
    assert "<!channel>" not in block["text"] and "<@U123>" not in block["text"]
    assert "&lt;!channel&gt;" in block["text"]


def test_code_is_left_as_written_and_prose_around_it_is_escaped() -> None:
    safe = slack_safe_markdown("a < b and `x <@U1> y`\n```\nif a < b && c > d:\n```\n<@U2>")

    assert "a &lt; b" in safe and "`x <@U1> y`" in safe
    assert "if a < b && c > d:" in safe and "&lt;@U2&gt;" in safe


def test_context_line_names_requester_model_tokens_and_job() -> None:
    the_job = job()
    message = result_message(the_job, JobResult("x", None, "gemini-a", 1234), "Hello")

    [context] = [b["elements"][0]["text"] for b in message["blocks"] if b["type"] == "context"]
    assert "<@U0ASKER>" in context and "gemini-a" in context and "1,234 tokens" in context
    assert str(the_job.id) in context


def test_content_beyond_one_message_continues_in_further_messages() -> None:
    text = "y " * 20_000
    message = result_message(job(), JobResult("x", None, "m", 1), text)
    rest = continuation_messages(text)

    assert len(message["blocks"][0]["text"]) <= MARKDOWN_BLOCK_LIMIT and len(rest) == 3
    assert all(len(m["blocks"][0]["text"]) <= MARKDOWN_BLOCK_LIMIT for m in rest)


def test_every_result_carries_feedback_buttons_for_its_job() -> None:
    the_job = job()
    message = result_message(the_job, JobResult("x", None, "m", 1), "Hello")

    [buttons] = [b for b in message["blocks"] if b["type"] == "actions"]
    assert [e["action_id"] for e in buttons["elements"]] == ["feedback_good", "feedback_bad"]
    assert {e["value"] for e in buttons["elements"]} == {str(the_job.id)}


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

    markdown, context, _buttons = message["blocks"]
    # A markdown block has no ``verbatim``: every plain broadcast carries a word joiner after its @.
    assert notified({"type": "mrkdwn", "text": markdown["text"]}) == set()
    assert "@\u2060here" in markdown["text"] and "@\u2060everyone" in markdown["text"]
    assert notified_by_fallback(message) == set() and message["link_names"] is False
    # The requester is named in the context line, and nobody else is.
    assert notified(context["elements"][0]) == {"U0ASKER"}


def test_model_output_in_the_approvers_preview_notifies_nobody() -> None:
    request = approval_request(job(), HOSTILE_OUTPUT)

    preview = request["blocks"][1]["text"]
    assert preview["verbatim"] is True and notified(preview) == set()
    assert "@here" in preview["text"] and "&lt;!everyone&gt;" in preview["text"]
