"""Block Kit pieces the views of every surface build their messages and modals from, as the plain
dicts Slack reads. Only the shapes live here; what a surface says stays in its own views module."""

from __future__ import annotations

from typing import Any


def escape_mrkdwn(text: str) -> str:
    """Text we did not write (a prompt, model output) shown as typed: Slack's mrkdwn treats &, <
    and > as markup, so unescaped they could become a mention, a link or ``<!channel>``."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn_section(markdown: str, *, verbatim: bool = False) -> dict[str, Any]:
    """``verbatim`` for text we did not write (model output): Slack then leaves a plain ``@here``
    as text instead of notifying the channel."""
    text: dict[str, Any] = {"type": "mrkdwn", "text": markdown}
    if verbatim:
        text["verbatim"] = True
    return {"type": "section", "text": text}


def mrkdwn_context(markdown: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": markdown}]}


def plain_text(text: str, *, emoji: bool | None = None) -> dict[str, Any]:
    shown: dict[str, Any] = {"type": "plain_text", "text": text}
    if emoji is not None:
        shown["emoji"] = emoji
    return shown


def button(
    action_id: str, label: str, value: str, *, style: str | None = None, emoji: bool | None = None
) -> dict[str, Any]:
    """A button whose ``value`` comes back in the click (the server checks it again)."""
    element: dict[str, Any] = {"type": "button", "action_id": action_id, "text": plain_text(label, emoji=emoji)}
    if style is not None:
        element["style"] = style
    element["value"] = value
    return element


def actions(block_id: str, *elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "block_id": block_id, "elements": list(elements)}


def modal(
    title: str,
    blocks: list[dict[str, Any]],
    *,
    close: str,
    submit: str | None = None,
    callback_id: str | None = None,
    private_metadata: str | None = None,
) -> dict[str, Any]:
    """A modal view; one without ``submit`` only shows something and closes."""
    view: dict[str, Any] = {"type": "modal"}
    if callback_id is not None:
        view["callback_id"] = callback_id
    if private_metadata is not None:
        view["private_metadata"] = private_metadata
    view["title"] = plain_text(title)
    if submit is not None:
        view["submit"] = plain_text(submit)
    view["close"] = plain_text(close)
    view["blocks"] = blocks
    return view


def optional_text_input(block_id: str, action_id: str, label: str, *, max_length: int) -> dict[str, Any]:
    """A multi-line text box the user may leave empty (a reason, a note)."""
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": plain_text(label),
        "element": {"type": "plain_text_input", "action_id": action_id, "multiline": True, "max_length": max_length},
    }
