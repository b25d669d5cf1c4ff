"""Email addresses written so that scrapers miss them: "kev dot brennan at gmail dot com",
"raj.patel[at]gmail[.]com", "anna (at) firma (dot) de".

Presidio's email recognizer reads "@" and "." only; people who paste a contact line from a
forum, a signature or a chat spell them out or bracket them. An address counts when it holds a
bracketed "at" or "dot", or spells "at" and "dot" as words with a mail provider's domain or a
spelt "dot" in the name before it, and ends in a top-level domain; "look at example dot com"
has neither a provider nor a name written with "dot", and is left as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.guard.findings import Span, SpanRecognizer

EMAIL_ENTITY = "EMAIL_ADDRESS"
SCORE = 0.85

_BRACKETED_DOT = r"\s*(?:\[\s*(?:dot|\.)\s*\]|\(\s*(?:dot|\.)\s*\)|\{\s*(?:dot|\.)\s*\})\s*"
_BRACKETED_AT = r"\s*(?:\[\s*(?:at|@)\s*\]|\(\s*(?:at|@)\s*\)|\{\s*(?:at|@)\s*\})\s*"
_SPELT_DOT = r"\s+dot\s+"
_SPELT_AT = r"\s+at\s+"
_DOT = rf"(?:{_BRACKETED_DOT}|{_SPELT_DOT}|\.)"
_PART = r"[a-z0-9_%+-]+"
_TOP_LEVEL_DOMAINS = (
    r"com|org|net|edu|gov|io|co|ai|app|dev|info|biz|me|us|uk|ca|au|nz|ie|de|fr|es|it|nl|be|ch|at|se|no|dk|fi"
    r"|pl|pt|br|mx|ar|cl|ru|ua|tr|jp|kr|cn|in|sg|hk|tw|za|ng|ke|eu"
)
_ADDRESS = re.compile(
    rf"(?<![\w.@-])(?P<name>{_PART}(?:{_DOT}{_PART})*)(?P<at>{_BRACKETED_AT}|{_SPELT_AT}|\s*@\s*)"
    rf"(?P<domain>{_PART}(?:{_DOT}{_PART})*?{_DOT}(?:{_TOP_LEVEL_DOMAINS}))(?![\w-])",
    re.IGNORECASE,
)
# What every such address holds: a bracketed "at" or "dot", a spelt " dot ", or " at " before a
# mail provider's name. Most prompts hold none, and the address pattern is not read at all.
_MARKERS = ("[at]", "(at)", "{at}", "[@]", "(@)", "[dot]", "(dot)", "{dot}", "[.]", "(.)", " dot ")
_MAIL_PROVIDERS = frozenset(
    "gmail googlemail yahoo outlook hotmail live msn icloud me mac aol proton protonmail pm gmx web mail yandex"
    " qq 163 126 zoho fastmail hey tutanota".split()
)


def _bracketed(match: re.Match[str]) -> bool:
    return any(bracket in match.group(0) for bracket in "[({")


def _spelt_plausibly(match: re.Match[str]) -> bool:
    """An address with "at" written as a word: its domain is a mail provider's, or its name is
    spelt with "dot" ("kev dot brennan")."""
    provider = re.split(rf"{_DOT}", match.group("domain"), maxsplit=1, flags=re.IGNORECASE)[0].lower()
    return provider in _MAIL_PROVIDERS or re.search(_SPELT_DOT, match.group("name"), re.IGNORECASE) is not None


def spelt_emails(text: str) -> list[tuple[int, int]]:
    """The spans of the spelt-out or bracketed email addresses in ``text``."""
    lower = text.lower()
    if not any(marker in lower for marker in _MARKERS) and not any(f" at {name}" in lower for name in _MAIL_PROVIDERS):
        return []
    spans = []
    for match in _ADDRESS.finditer(text):
        written_plainly = "@" in match.group("at") and not _bracketed(match) and " dot " not in match.group(0).lower()
        if written_plainly:
            continue  # Presidio's own recognizer reads those
        if _bracketed(match) or _spelt_plausibly(match):
            spans.append(match.span())
    return spans


class SpeltEmailRecognizer(SpanRecognizer):
    """Email addresses with "at" and "dot" spelt out or bracketed."""

    ENTITY = EMAIL_ENTITY
    SCORE = SCORE
    WHY = "An email address with 'at' and 'dot' spelt out"

    def spans(self, text: str) -> Iterable[Span]:
        return spelt_emails(text)
