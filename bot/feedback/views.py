"""What Slack shows for feedback: the buttons under a result, the reason modal, the thanks, the summary."""

from __future__ import annotations

import uuid
from typing import Any

from bot.feedback.service import MAX_REASON_CHARS, FeedbackTotals

GOOD_ACTION = "feedback_good"
BAD_ACTION = "feedback_bad"
REASON_MODAL = "feedback_reason"
REASON_BLOCK = "feedback_reason"
REASON_INPUT = "reason"
FEEDBACK_BLOCK_PREFIX = "feedback:"


def feedback_buttons(job_id: uuid.UUID) -> dict[str, Any]:
    """Good / bad under a result; the value is the job id, checked again on the server."""
    return {
        "type": "actions",
        "block_id": f"{FEEDBACK_BLOCK_PREFIX}{job_id}",
        "elements": [
            {
                "type": "button",
                "action_id": GOOD_ACTION,
                "text": {"type": "plain_text", "text": ":thumbsup: Good", "emoji": True},
                "value": str(job_id),
            },
            {
                "type": "button",
                "action_id": BAD_ACTION,
                "text": {"type": "plain_text", "text": ":thumbsdown: Bad", "emoji": True},
                "value": str(job_id),
            },
        ],
    }


def reason_modal(job_id: str) -> dict[str, Any]:
    """Asked after a "bad" click (already recorded): what was wrong, optionally."""
    return {
        "type": "modal",
        "callback_id": REASON_MODAL,
        "private_metadata": job_id,
        "title": {"type": "plain_text", "text": "What was wrong?"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Skip"},
        "blocks": [
            {
                "type": "input",
                "block_id": REASON_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "Reason (optional)"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": REASON_INPUT,
                    "multiline": True,
                    "max_length": MAX_REASON_CHARS,
                },
            }
        ],
    }


def reason_from(view: dict[str, Any]) -> str | None:
    values = (view.get("state") or {}).get("values") or {}
    value = ((values.get(REASON_BLOCK) or {}).get(REASON_INPUT) or {}).get("value")
    return str(value) if value else None


def thanks(rating: str) -> str:
    if rating == "good":
        return ":thumbsup: Thanks, glad it helped."
    return ":thumbsdown: Thanks for telling us; it helps the admins tune the prompts."


def totals_line(totals: FeedbackTotals) -> str:
    return f"*Feedback on results*\n:thumbsup: {totals.good:,} good · :thumbsdown: {totals.bad:,} bad"


def export_message(totals: FeedbackTotals, csv_text: str, rows: int) -> dict[str, Any]:
    """The summary and the CSV as an ephemeral message (the CSV in a code block, newest first)."""
    body = csv_text if len(csv_text) <= 11_000 else csv_text[:11_000].rsplit("\n", 1)[0] + "\n…"
    return {
        "response_type": "ephemeral",
        "text": f"Feedback: {totals.good} good, {totals.bad} bad",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": totals_line(totals)}},
            {"type": "markdown", "text": f"Newest {rows} verdicts (CSV):\n```\n{body}```"},
        ],
    }
