"""What Slack shows from the workers: the posted result and the messages to the requester."""

from __future__ import annotations

from typing import Any

from bot.agent.views import share_button
from bot.feedback.views import feedback_buttons
from db.models import Job
from workers.lifecycle import JobResult
from workers.result_markdown import slack_safe_markdown, split_markdown

FALLBACK_TEXT_LIMIT = 3000  # the notification text; the blocks carry the whole content


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters. Model output must never become a mention, a link or
    ``<!channel>``: a prompt injection could otherwise ping a whole workspace."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def context_line(job: Job, result: JobResult) -> str:
    parts = [f"Requested by <@{job.requester_id}>"]
    if result.model:
        parts.append(f"model {result.model}")
    if result.reused:
        parts.append("reused from an identical request, no tokens")
    elif result.png is None:
        parts.append(f"{result.tokens_used:,} tokens")
    parts.append(f"job `{job.id}`")
    return " · ".join(parts)


def result_message(
    job: Job, result: JobResult, text: str, *, extra: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """``text`` and ``blocks`` for chat.postMessage: the result (as Slack shows it) in one
    ``markdown`` block (``workers.result_markdown`` says why), then who asked, which model, what
    it cost and the job id, then the feedback buttons and any ``extra`` blocks. Past what one
    message holds, the rest goes in ``continuation_messages``. ``parse`` and ``link_names`` say
    outright that the fallback text's plain ``@here`` stays text."""
    pieces = split_markdown(slack_safe_markdown(text)) or ["_(empty)_"]
    blocks: list[dict[str, Any]] = [markdown_block(pieces[0])]
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context_line(job, result)}]})
    blocks.append(feedback_buttons(job.id))
    blocks.extend(extra or [])
    fallback = escape_mrkdwn(text)[:FALLBACK_TEXT_LIMIT] or "Generated content"
    return {"text": fallback, "blocks": blocks, "parse": "none", "link_names": False}


def continuation_messages(text: str) -> list[dict[str, Any]]:
    """What does not fit in the first message, one message per 12,000 characters (posted in its thread)."""
    pieces = split_markdown(slack_safe_markdown(text))[1:]
    return [
        {"text": escape_mrkdwn(piece[:FALLBACK_TEXT_LIMIT]), "blocks": [markdown_block(piece)], "parse": "none"}
        for piece in pieces
    ]


def markdown_block(safe_text: str) -> dict[str, Any]:
    return {"type": "markdown", "text": safe_text}


def image_buttons_message(job: Job) -> dict[str, Any]:
    """What follows an uploaded image: the feedback buttons, and "Post to a channel" in the DM."""
    blocks = [feedback_buttons(job.id)]
    if job.thread_ts:
        blocks.append(share_button(job.id))
    return {"text": "Was this image what you wanted?", "blocks": blocks}


def image_title(job: Job) -> str:
    prompt = " ".join(job.masked_prompt.split())
    return prompt if len(prompt) <= 80 else prompt[:79] + "…"


def failure_message(job: Job, reason: str, fix: str | None = None) -> str:
    lines = [f":warning: Your {job.kind} job could not be finished: {reason.rstrip('.')}."]
    if fix:
        lines.append(fix)
    lines.append(f"Job `{job.id}` — nothing was posted.")
    return "\n".join(lines)


def posted_elsewhere_message(job: Job) -> str:
    return f":white_check_mark: Posted in <#{job.target_channel}> (job `{job.id}`)."
