"""What Slack shows from the workers: the posted result and the messages to the requester."""

from __future__ import annotations

from typing import Any

from db.models import Job
from workers.lifecycle import JobResult

SECTION_LIMIT = 3000  # Slack refuses a section whose text is longer
MAX_BLOCKS = 50
FALLBACK_TEXT_LIMIT = 3000  # the notification text; the blocks carry the whole content
TRUNCATION_NOTE = "\n_(cut short: the content is longer than one Slack message holds)_"


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters. Model output must never become a mention, a link or
    ``<!channel>``: a prompt injection could otherwise ping a whole workspace."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def model_output_section(escaped: str) -> dict[str, Any]:
    """A section of model output (already escaped). ``verbatim`` stops Slack from parsing plain
    ``@here``, ``@channel`` or ``@everyone`` into a broadcast, which escaping alone cannot."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": escaped, "verbatim": True}}


def split_for_sections(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Chunks of at most ``limit`` characters, cut at a paragraph, line or word break when one is
    near, so a split never lands mid-word (or mid-escape like ``&amp;``) where it can be avoided."""
    chunks: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
            ampersand = window.rfind("&", limit - 6)
            if ampersand != -1 and ";" not in window[ampersand:]:
                cut = ampersand
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks


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


def result_message(job: Job, result: JobResult, text: str) -> dict[str, Any]:
    """``text`` and ``blocks`` for chat.postMessage: ``text`` (the result as Slack shows it) in
    sections, then who asked, which model, what it cost and the job id. ``parse`` and
    ``link_names`` say outright that the fallback text's plain ``@here`` stays text."""
    sections = split_for_sections(escape_mrkdwn(text))
    room = MAX_BLOCKS - 1
    if len(sections) > room:
        sections = sections[:room]
        sections[-1] = sections[-1][: SECTION_LIMIT - len(TRUNCATION_NOTE)] + TRUNCATION_NOTE
    blocks: list[dict[str, Any]] = [model_output_section(s) for s in sections]
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context_line(job, result)}]})
    fallback = escape_mrkdwn(text)[:FALLBACK_TEXT_LIMIT] or "Generated content"
    return {"text": fallback, "blocks": blocks, "parse": "none", "link_names": False}


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
