"""What a message to the bot asks for: an image when it starts with ``image:``, text when it starts
with ``text:``; otherwise text, unless it speaks of something to look at (a picture, a logo, a
poster…), which leaves the choice open: the reply asks with two buttons (``bot.agent.views``).

Slack sends a message's text escaped (``&amp;``, ``&lt;``, ``&gt;``) as it does a command's; the
prompt is read unescaped, like ``/content text``'s. Empty, oversized and control-character messages
are answered here, before anything is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import BadInput
from bot.jobs.service import MAX_PROMPT_CHARS
from db.models import JobKind

IMAGE_PREFIX = re.compile(r"\s*image\s*:\s*", re.IGNORECASE)
TEXT_PREFIX = re.compile(r"\s*text\s*:\s*", re.IGNORECASE)
# Words that make "text or image?" a fair question for a message without a prefix.
VISUAL_WORDS = re.compile(
    r"\b(image|picture|photo|illustration|drawing|draw|sketch|logo|icon|poster|banner|wallpaper|"
    r"painting|render|artwork|diagram|infographic|visual)s?\b",
    re.IGNORECASE,
)
# A button's value holds at most 2,000 characters; a prompt longer than this is text, unasked.
CHOICE_PROMPT_LIMIT = 1_900
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


@dataclass(frozen=True)
class DmRequest:
    kind: JobKind
    prompt: str
    # False: the message could mean either; ask with buttons before anything is queued.
    clear: bool = True


def read_dm(text: str | None) -> DmRequest:
    raw = text or ""
    for entity, char in _ENTITIES:
        raw = raw.replace(entity, char)
    found = _CONTROL.search(raw)
    if found is not None:
        raise BadInput(
            f"Your message contains a control character (U+{ord(found.group()):04X}) I can't use. "
            "Please retype it without pasting hidden characters."
        )
    kind = JobKind.TEXT
    prefix = IMAGE_PREFIX.match(raw)
    if prefix is not None:
        kind = JobKind.IMAGE
    else:
        prefix = TEXT_PREFIX.match(raw)
    prompt = (raw[prefix.end() :] if prefix is not None else raw).strip()
    if not prompt:
        raise BadInput(
            "Tell me what to write, e.g. `a launch post for our new API`, or start with `image:` for a picture."
        )
    if len(prompt) > MAX_PROMPT_CHARS:
        raise BadInput(
            f"Your message is {len(prompt):,} characters long; I can take at most {MAX_PROMPT_CHARS:,}. "
            "Please shorten it."
        )
    clear = prefix is not None or len(prompt) > CHOICE_PROMPT_LIMIT or VISUAL_WORDS.search(prompt) is None
    return DmRequest(kind, prompt, clear)


def read_choice(value: str | None) -> str:
    """The prompt a text/image button carries, read like a message (empty, oversized and
    control-character values refused the same way)."""
    return read_dm(f"text: {value or ''}").prompt
