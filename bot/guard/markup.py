"""Text a reader of rendered markup never sees, pulled out so the guard reads it on its own.

Pasted web pages, emails and READMEs carry instructions where a human skims past them: HTML
and XML comments, image alt text and titles, elements styled invisible (hidden, transparent,
white, of no size or off the screen), what a page shows no one (<noscript>, <template>),
Markdown comments and code blocks. A model reads all of it. Each hidden segment becomes its own view for the rules
and the learned detector, so one sentence is not drowned by the page around it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import chain

# Enough segments for any real page; a flood of comments should not multiply the work.
MAX_SEGMENTS = 16
MIN_SEGMENT_CHARS = 8

# Styles that hide an element: not displayed, invisible, no size, transparent, white on the white
# of an e-mail, or pushed off the screen.
_INVISIBLE_STYLE = (
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d]*[1-9])|\bhidden\b"
    r"|opacity\s*:\s*0(?![.\d]*[1-9])|color\s*:\s*(?:#fff(?:fff)?\b|white\b|transparent\b|rgba\([^)]*,\s*0\s*\))"
    r"|(?:left|top|text-indent)\s*:\s*-\d{3,}|(?:height|width|max-height)\s*:\s*0(?:px)?\s*[;\"']"
)
_INVISIBLE = re.compile(_INVISIBLE_STYLE, re.IGNORECASE)
# An opening tag and its attributes, of bounded length, so that a text of unclosed tags costs a
# scan, not a scan per tag.
_OPENING_TAG = re.compile(r"<(\w+)\b([^<>]{1,600})>")
# Every pattern matches to the end of the text where its closing mark never comes, or is bounded,
# for the same reason: a prompt of unclosed marks must not cost a scan per mark.
_PATTERNS = (
    re.compile(r"<!--(.*?)(?:-->|$)", re.DOTALL),  # HTML/XML comment, closed or not
    re.compile(r"<!\[CDATA\[(.*?)(?:\]\]>|$)", re.DOTALL),
    re.compile(r"```[^\n`]*\n(.*?)(?:```|$)", re.DOTALL),  # fenced code block
    re.compile(r"~~~[^\n~]*\n(.*?)(?:~~~|$)", re.DOTALL),
    re.compile(r"\b(?:alt|title|aria-label|data-[\w-]+|content)\s*=\s*\"([^\"]*)\"", re.IGNORECASE),
    re.compile(r"\b(?:alt|title|aria-label|data-[\w-]+|content)\s*=\s*'([^']*)'", re.IGNORECASE),
    re.compile(r"!\[([^\]\n]{0,300})\]\("),  # Markdown image alt text
    re.compile(r"\]\([^)\s]*\s+\"([^\"]*)\"\)"),  # Markdown link title
    re.compile(r"^\s*\[//\]:\s*#\s*\((.*)\)\s*$", re.MULTILINE),  # Markdown comment
    # What a page shows no one: <noscript> content (to a browser that runs scripts) and <template>s.
    re.compile(r"<(noscript|template)\b[^<>]{0,600}>(.*?)(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL),
)
# Markup is only worth walking when one of these is in the text at all.
_MARKERS = ("<!--", "<![", "```", "~~~", "=", "![", "](", "[//]", "<")


def _invisible_elements(text: str) -> list[str]:
    """The content of each element styled invisible, to its closing tag or the end of the text."""
    contents: list[str] = []
    position = 0
    lowered = text.lower()
    while len(contents) < MAX_SEGMENTS:
        tag = _OPENING_TAG.search(text, position)
        if tag is None:
            break
        position = tag.end()
        if _INVISIBLE.search(tag.group(2)) is None:
            continue
        closing = lowered.find(f"</{tag.group(1).lower()}", position)
        if closing < 0:
            contents.append(text[position:])
            break
        contents.append(text[position:closing])
        position = closing
    return contents


def hidden_segments(text: str) -> list[str]:
    """Comments, alt text, hidden elements and code blocks in ``text``, in pattern order."""
    if not any(marker in text for marker in _MARKERS):
        return []
    found: Iterable[str] = (
        match.group(match.lastindex or 1) for pattern in _PATTERNS for match in pattern.finditer(text)
    )
    if "<" in text:
        found = chain(found, _invisible_elements(text))
    segments: list[str] = []
    for candidate in found:
        segment = candidate.strip()
        if len(segment) >= MIN_SEGMENT_CHARS:
            segments.append(segment)
            if len(segments) >= MAX_SEGMENTS:
                break
    return segments
