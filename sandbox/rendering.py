"""What a person reads in Slack, for the sandbox's own checks, ``say`` and ``bench/markdown_rendering.py``.

A ``markdown`` block is CommonMark with GFM tables and strikethrough, raw HTML shown as text (as
Slack shows it); mrkdwn knows only ``*bold*``, ``_italic_``, ``~strike~``, code, ``<links|label>``
and entities, so any other Markdown stays on screen as the symbols it was written with.
``literal_markdown`` counts those leftovers in rendered text.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_BLOCK_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "pre", "blockquote", "table", "br"})


def markdown_html(text: str) -> str:
    """The HTML a markdown block renders to (everything in the source shown as text, never run)."""
    return _MARKDOWN.render(text)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self.parts.append("\t")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if data.strip() or not self.parts or not self.parts[-1].endswith(("\n", "\t")):
            self.parts.append(data)


def html_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    lines = ("".join(parser.parts)).split("\n")
    return "\n".join(" | ".join(c.strip() for c in line.strip().split("\t")) for line in lines if line.strip())


_MRKDWN = re.compile(
    r"```(.+?)```|`([^`\n]+)`|<([^<>\n|]+)(?:\|([^<>\n]+))?>|(?<![\w*])\*([^*\n]+)\*(?![\w*])|(?<![\w_])_([^_\n]+)_(?![\w_])|(?<![\w~])~([^~\n]+)~(?![\w~])",
    re.DOTALL,
)


def mrkdwn_text(text: str) -> str:
    """What a mrkdwn text shows: its few markers applied, everything else as typed."""

    def shown(match: re.Match[str]) -> str:
        if match.group(3) is not None:
            return match.group(4) or match.group(3)
        return next(group for group in match.groups() if group is not None)

    return html.unescape(_MRKDWN.sub(shown, text))


def visible_text(message: dict[str, Any]) -> str:
    """A message as a person reads it: its blocks rendered, or its text when it has none."""
    blocks = message.get("blocks") or []
    if not blocks:
        return mrkdwn_text(str(message.get("text") or ""))
    parts: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "markdown":
            parts.append(html_text(markdown_html(str(block.get("text") or ""))))
        elif kind in ("section", "header"):
            text = block.get("text") or {}
            value = str(text.get("text") or "")
            parts.append(mrkdwn_text(value) if text.get("type") == "mrkdwn" else value)
        elif kind == "context":
            parts.append(" ".join(mrkdwn_text(str(e.get("text") or "")) for e in block.get("elements") or []))
        elif kind == "actions":
            parts.append(" ".join(f"[{(e.get('text') or {}).get('text', '')}]" for e in block.get("elements") or []))
    return "\n".join(parts)


_LEFTOVERS = (
    re.compile(r"^#{1,6}\s", re.MULTILINE),  # headings
    re.compile(r"\*\*"),  # bold pairs
    re.compile(r"\]\((?:https?|mailto):"),  # links
    re.compile(r"^\s*\|.*\|\s*$", re.MULTILINE),  # table rows
)


def literal_markdown(text: str) -> int:
    """How many pieces of Markdown a reader would see as symbols in ``text`` (rendered)."""
    return sum(len(pattern.findall(text)) for pattern in _LEFTOVERS)
