"""What Slack shows for feedback: the buttons under a result, the reason modal, the thanks, the summary."""

from __future__ import annotations

import uuid
from typing import Any

from bot.feedback.service import MAX_REASON_CHARS, FeedbackTotals
from bot.slack.blocks import actions, button, modal, optional_text_input

GOOD_ACTION = "feedback_good"
BAD_ACTION = "feedback_bad"
REASON_MODAL = "feedback_reason"
REASON_BLOCK = "feedback_reason"
REASON_INPUT = "reason"
FEEDBACK_BLOCK_PREFIX = "feedback:"


def feedback_buttons(job_id: uuid.UUID) -> dict[str, Any]:
    """Good / bad under a result; the value is the job id, checked again on the server."""
    return actions(
        f"{FEEDBACK_BLOCK_PREFIX}{job_id}",
        button(GOOD_ACTION, ":thumbsup: Good", str(job_id), emoji=True),
        button(BAD_ACTION, ":thumbsdown: Bad", str(job_id), emoji=True),
    )


def reason_modal(job_id: str) -> dict[str, Any]:
    """Asked after a "bad" click (already recorded): what was wrong, optionally."""
    return modal(
        "What was wrong?",
        [optional_text_input(REASON_BLOCK, REASON_INPUT, "Reason (optional)", max_length=MAX_REASON_CHARS)],
        submit="Send",
        close="Skip",
        callback_id=REASON_MODAL,
        private_metadata=job_id,
    )


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
