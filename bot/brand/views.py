"""What Slack shows of a brand kit: the `/content brand` answers and the App Home modal."""

from __future__ import annotations

from typing import Any

from bot.brand.kit import (
    MAX_AUDIENCE_CHARS,
    MAX_EXAMPLE_CHARS,
    MAX_EXAMPLES,
    MAX_TONE_CHARS,
    MAX_WORD_CHARS,
    MAX_WORDS,
    BrandKit,
    BrandPart,
)
from bot.brand.service import BrandDraft

Message = dict[str, Any]
MODAL_CALLBACK_ID = "brand_kit_modal"
OPEN_MODAL_ACTION_ID = "open_brand_kit"
# A line with three dashes separates example posts in the modal's one text box.
EXAMPLE_SEPARATOR = "---"
_BLOCK = {"tone": "brand_tone", "audience": "brand_audience", "use": "brand_use", "avoid": "brand_avoid"}
_EXAMPLES_BLOCK = "brand_examples"


def _escape(text: str) -> str:
    """Slack's mrkdwn treats &, < and > as markup; kit text shows as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _ephemeral(text: str) -> Message:
    return {"response_type": "ephemeral", "text": text}


def kit_markdown(kit: BrandKit) -> str:
    if kit.is_empty:
        return "No brand kit yet: posts are written in a neutral voice."
    lines = [f"*Brand kit* (version {kit.version})"]
    if kit.tone:
        lines.append(f"*Tone:* {_escape(kit.tone)}")
    if kit.audience:
        lines.append(f"*Audience:* {_escape(kit.audience)}")
    if kit.words_to_use:
        lines.append("*Words to use:* " + _escape(", ".join(kit.words_to_use)))
    if kit.words_to_avoid:
        lines.append("*Words to avoid:* " + _escape(", ".join(kit.words_to_avoid)))
    for number, example in enumerate(kit.examples, start=1):
        quoted = "\n".join(f"> {line}" for line in _escape(example).splitlines())
        lines.append(f"*Example {number}:*\n{quoted}")
    return "\n".join(lines)


def kit_message(kit: BrandKit) -> Message:
    return _ephemeral(kit_markdown(kit))


def kit_changed(kit: BrandKit, part: BrandPart | None, *, cleared: bool = False) -> Message:
    what = f"The brand kit's {part}" if part else "The brand kit"
    verb = "cleared" if cleared else "saved"
    footer = "Every new post uses it; `--plain` writes one without it."
    return _ephemeral(f":art: {what} is {verb} (version {kit.version}). {footer}\n\n{kit_markdown(kit)}")


def open_modal_button() -> dict[str, Any]:
    """The App Home's button for admins."""
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": OPEN_MODAL_ACTION_ID,
                "text": {"type": "plain_text", "text": "Edit brand kit"},
            }
        ],
    }


def _input(block_id: str, label: str, value: str, max_length: int, *, multiline: bool, hint: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": max_length,
    }
    if value:
        element["initial_value"] = value
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": {"type": "plain_text", "text": label},
        "hint": {"type": "plain_text", "text": hint},
        "element": element,
    }


def brand_kit_modal(kit: BrandKit) -> dict[str, Any]:
    """The modal an admin edits the whole kit in; a part left empty is cleared."""
    words_length = MAX_WORDS * (MAX_WORD_CHARS + 2)
    words_hint = f"separated by commas, at most {MAX_WORDS}"
    examples_length = min(3000, MAX_EXAMPLES * (MAX_EXAMPLE_CHARS + 5))  # Slack's own input limit is 3,000
    examples = f"\n{EXAMPLE_SEPARATOR}\n".join(kit.examples)
    return {
        "type": "modal",
        "callback_id": MODAL_CALLBACK_ID,
        "private_metadata": str(kit.version),
        "title": {"type": "plain_text", "text": "Brand kit"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            _input(_BLOCK["tone"], "Tone", kit.tone, MAX_TONE_CHARS, multiline=False, hint="e.g. warm, plain-spoken"),
            _input(
                _BLOCK["audience"], "Audience", kit.audience, MAX_AUDIENCE_CHARS, multiline=False, hint="who reads it"
            ),
            *(
                _input(block, label, ", ".join(words), words_length, multiline=False, hint=words_hint)
                for block, label, words in (
                    (_BLOCK["use"], "Words to use", kit.words_to_use),
                    (_BLOCK["avoid"], "Words to avoid", kit.words_to_avoid),
                )
            ),
            _input(
                _EXAMPLES_BLOCK,
                "Example posts",
                examples,
                examples_length,
                multiline=True,
                hint=f"at most {MAX_EXAMPLES}; a line with {EXAMPLE_SEPARATOR} between two",
            ),
        ],
    }


def draft_from_submission(view: dict[str, Any]) -> BrandDraft:
    """What the modal submitted, as a draft for ``BrandService.replace_kit``."""
    values = view.get("state", {}).get("values", {})

    def read(block_id: str) -> str:
        value = values.get(block_id, {}).get("value", {}).get("value")
        return value if isinstance(value, str) else ""

    examples_text = read(_EXAMPLES_BLOCK)
    examples: list[str] = []
    current: list[str] = []
    for line in examples_text.splitlines():
        if line.strip() == EXAMPLE_SEPARATOR:
            examples.append("\n".join(current))
            current = []
        else:
            current.append(line)
    examples.append("\n".join(current))
    return BrandDraft(
        tone=read(_BLOCK["tone"]),
        audience=read(_BLOCK["audience"]),
        words_to_use=read(_BLOCK["use"]),
        words_to_avoid=read(_BLOCK["avoid"]),
        examples=tuple(e.strip() for e in examples if e.strip()),
    )


def modal_errors(message: str) -> dict[str, Any]:
    """A modal's answer that keeps it open with the problem shown under the first field."""
    return {"response_action": "errors", "errors": {_BLOCK["tone"]: message[:150]}}
