"""Literal substrings a regex cannot match without, so most rules skip most prompts cheaply.

Seventy rules each scanning a 2,000-character prompt with Python's regex engine cost several
milliseconds, almost all of it spent proving that nothing matches. ``"ignore" in text`` costs
a fraction of a microsecond. For every rule we derive, from the compiled pattern itself, a set
of literals of which any match must contain at least one; a prompt holding none of them cannot
match and the regex is never run. Derived, not hand-written, so the shortcut can never drift
from the pattern it guards.
"""

from __future__ import annotations

import re
from typing import Any

try:  # the parser behind re.compile; private, so its absence only disables the shortcut
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    sre_parse = None

# A needle this short is in nearly every prompt and would only add work.
MIN_NEEDLE_LENGTH = 3
Needles = frozenset[str]


def _best(candidates: list[Needles]) -> Needles | None:
    """The most selective candidate: longest shortest needle, then fewest needles."""
    if not candidates:
        return None
    return max(candidates, key=lambda needles: (min(map(len, needles)), -len(needles)))


def _required(items: Any) -> Needles | None:
    """Literals of which any match of this parsed sequence contains at least one."""
    candidates: list[Needles] = []
    run: list[str] = []

    def close_run() -> None:
        if run:
            candidates.append(frozenset({"".join(run)}))
            run.clear()

    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            run.append(chr(arg))
            continue
        close_run()
        found: Needles | None = None
        if name == "SUBPATTERN":
            _group, add_flags, _del_flags, sub = arg
            if not add_flags & re.IGNORECASE:
                found = _required(sub)
        elif name == "ATOMIC_GROUP":
            found = _required(arg)
        elif name == "BRANCH":
            branches = [_required(branch) for branch in arg[1]]
            if all(branch is not None for branch in branches):
                found = frozenset().union(*branches)  # type: ignore[arg-type]
        elif name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
            minimum, _maximum, sub = arg
            if minimum >= 1:
                found = _required(sub)
        if found:
            candidates.append(found)
    close_run()
    return _best(candidates)


def required_substrings(pattern: re.Pattern[str]) -> Needles | None:
    """Any match of ``pattern`` contains one of these; None when no useful set can be proven."""
    if sre_parse is None or pattern.flags & re.IGNORECASE:
        return None
    try:
        needles = _required(sre_parse.parse(pattern.pattern, pattern.flags))
    except Exception:  # an unfamiliar parse tree only costs speed, never correctness
        return None
    if not needles or min(map(len, needles)) < MIN_NEEDLE_LENGTH:
        return None
    return needles
