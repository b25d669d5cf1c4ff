"""What the posted message looks like: Slack's limits and its control characters."""

from __future__ import annotations

import uuid

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
