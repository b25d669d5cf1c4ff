"""What the bot's DM shows: the status line, the thread title, the welcome, and "post to channel"."""

from __future__ import annotations

import uuid
from typing import Any

from bot.slack.blocks import actions, button, modal, plain_text
from db.models import JobKind

STATUS_QUEUED = "is queued…"
STATUS_GENERATING = "is generating…"
STATUS_AWAITING_APPROVAL = "is waiting for an admin's approval…"
TITLE_LIMIT = 60
SHARE_ACTION = "share_result"
SHARE_MODAL = "share_result"
SHARE_BLOCK = "share_channel"
SHARE_INPUT = "channel"
CHOOSE_TEXT_ACTION = "dm_choose_text"
CHOOSE_IMAGE_ACTION = "dm_choose_image"


def thread_title(kind: JobKind, masked_prompt: str) -> str:
    """The thread's title in the DM's history: the (masked) prompt, shortened."""
    flat = " ".join(masked_prompt.split())
    title = flat if len(flat) <= TITLE_LIMIT else flat[: TITLE_LIMIT - 1] + "…"
    return f"Image: {title}" if kind == JobKind.IMAGE else title


def welcome_text() -> str:
    return (
        "Hi! Tell me what to write and I'll draft it here. Start with `image:` for a picture "
        "(I'll ask when I can't tell). Every result has a button to post it to a channel."
    )


def kind_choice(prompt: str) -> dict[str, Any]:
    """A message that could ask for either: two buttons, each carrying the prompt."""
    text = "Should I write this, or draw it?"
    return {
        "text": text,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {
                "type": "actions",
                "block_id": "dm_kind",
                "elements": [
                    {
                        "type": "button",
                        "action_id": CHOOSE_TEXT_ACTION,
                        "text": {"type": "plain_text", "text": "Write text"},
                        "value": prompt,
                        "style": "primary",
                    },
                    {
                        "type": "button",
                        "action_id": CHOOSE_IMAGE_ACTION,
                        "text": {"type": "plain_text", "text": "Draw an image"},
                        "value": prompt,
                    },
                ],
            },
        ],
    }


def kind_chosen(kind: JobKind, user_id: str) -> dict[str, Any]:
    """The choice message once answered: the buttons go, so it is answered once."""
    what = "an image" if kind == JobKind.IMAGE else "text"
    text = f"<@{user_id}> chose {what}."
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


def accepted_text(job_id: uuid.UUID, *, approvals_required: bool) -> str:
    then = " An admin approves it before you see it." if approvals_required else ""
    return f":hourglass_flowing_sand: On it (job `{job_id}`).{then}"


def awaiting_approval_text(job_id: uuid.UUID) -> str:
    return f":raised_hand: Your result (job `{job_id}`) waits for an admin's approval; it lands here once approved."


def share_button(job_id: uuid.UUID) -> dict[str, Any]:
    """Under a result in the DM: post it to a channel (goes through approvals when they are on)."""
    return actions(f"share:{job_id}", button(SHARE_ACTION, "Post to a channel", str(job_id)))


def share_modal(job_id: str) -> dict[str, Any]:
    channel = {
        "type": "input",
        "block_id": SHARE_BLOCK,
        "label": plain_text("Channel"),
        "element": {
            "type": "conversations_select",
            "action_id": SHARE_INPUT,
            "filter": {"include": ["public", "private"], "exclude_bot_users": True},
        },
    }
    return modal(
        "Post to a channel", [channel], submit="Post", close="Cancel", callback_id=SHARE_MODAL, private_metadata=job_id
    )


def share_channel_from(view: dict[str, Any]) -> str | None:
    values = (view.get("state") or {}).get("values") or {}
    value = ((values.get(SHARE_BLOCK) or {}).get(SHARE_INPUT) or {}).get("selected_conversation")
    return str(value) if value else None


def shared_text(channel_id: str, *, approvals_required: bool, again: bool) -> str:
    if again:
        return f"This result is already on its way to <#{channel_id}>; it is posted there once."
    if approvals_required:
        return f":raised_hand: Sent for approval; it is posted in <#{channel_id}> once an admin approves it."
    return f":white_check_mark: Posting it in <#{channel_id}>."
