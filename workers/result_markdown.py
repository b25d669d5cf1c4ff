"""Model output as Slack's ``markdown`` block shows it: safe to post, and cut where Slack needs it.

Why the markdown block and not a Markdown-to-mrkdwn converter: Gemini writes CommonMark with GFM
tables. Slack's ``markdown`` block takes that text as it is and renders headings, bold, lists,
links, code blocks and tables the way a reader expects; a converter to mrkdwn (the approach of
``markdown-to-mrkdwn`` or ``slackify-markdown``) has nothing to turn a heading or a table into,
so headings become bold lines and tables become pipes in a code block, and it is one more
dependency that must keep up with both dialects. ``bench/markdown_rendering.py`` renders a
realistic answer both ways through the sandbox's renderer and counts the Markdown a person would
still see as literal symbols: the markdown block leaves none, mrkdwn sections leave every heading,
``**`` pair, link and table row.

What stays from the mrkdwn days: ``&``, ``<`` and ``>`` are escaped outside code, so model output
never becomes a mention, a link Slack resolves, or ``<!channel>``; and a plain ``@here``,
``@channel`` or ``@everyone`` gets a word joiner after its ``@``, so no reading of the text can
turn it into a broadcast (a markdown block has no ``verbatim`` switch). Inside code spans and fences
nothing is escaped: Markdown shows code literally, entities included, and code notifies nobody.
"""

from __future__ import annotations

import re

MARKDOWN_BLOCK_LIMIT = 12_000  # Slack: all markdown blocks of one message together
WORD_JOINER = "\u2060"
_BROADCAST = re.compile(r"@(here|channel|everyone)\b", re.IGNORECASE)
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_QUOTE = re.compile(r"^(?:\s{0,3}>)+ ?")  # a block quote's markers: Markdown's, never a mention


def _escape_prose(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda m: "@" + WORD_JOINER + m.group(1), escaped)


def _escape_line(line: str) -> str:
    """Escape a line of prose, leaving its code spans and its quote markers as written."""
    quote = _QUOTE.match(line)
    parts: list[str] = [quote.group(0)] if quote else []
    line = line[quote.end() :] if quote else line
    last = 0
    for span in _CODE_SPAN.finditer(line):
        parts.append(_escape_prose(line[last : span.start()]))
        parts.append(span.group(0))
        last = span.end()
    parts.append(_escape_prose(line[last:]))
    return "".join(parts)


def slack_safe_markdown(text: str) -> str:
    """``text`` ready for a markdown block: prose escaped, code as written (see the module's docstring)."""
    lines: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        opener = _FENCE.match(line)
        if fence is not None:
            lines.append(line)
            if opener and opener.group(1) == fence:
                fence = None
            continue
        if opener:
            fence = opener.group(1)
            lines.append(line)
            continue
        lines.append(_escape_line(line))
    return "\n".join(lines)


def split_markdown(text: str, limit: int = MARKDOWN_BLOCK_LIMIT) -> list[str]:
    """Pieces of at most ``limit`` characters, cut between paragraphs where one is near, else at a
    line or a word. A cut inside a code fence closes the fence and opens it again in the next
    piece, so every piece renders on its own."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        room = limit - 8  # for a fence closed at the cut
        window = rest[:room]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < room // 2:
            cut = window.rfind(" ")
        if cut < room // 2:
            cut = room
            ampersand = window.rfind("&", room - 6)
            if ampersand != -1 and ";" not in window[ampersand:]:
                cut = ampersand
        piece, rest = rest[:cut].rstrip(), rest[cut:].lstrip("\n ")
        open_fence = _open_fence(piece)
        if open_fence is not None:
            piece += "\n" + open_fence
            rest = open_fence + "\n" + rest
        pieces.append(piece)
    if rest:
        pieces.append(rest)
    return pieces


def _open_fence(text: str) -> str | None:
    """The fence marker left open at the end of ``text``, if any."""
    fence: str | None = None
    for line in text.split("\n"):
        opener = _FENCE.match(line)
        if opener is None:
            continue
        if fence is None:
            fence = opener.group(1)
        elif opener.group(1) == fence:
            fence = None
    return fence
