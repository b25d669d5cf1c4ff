"""Literals a regex cannot match without, so most rules skip most prompts cheaply.

Eighty-odd rules each scanning a 2,000-character prompt with Python's regex engine cost several
milliseconds, almost all of it spent proving that nothing matches: a pattern opening with
``\b`` is tried at every position. ``str.find`` costs a fraction of that. From each compiled
pattern we derive

- prefixes: literals every match starts with; the pattern is then only tried, anchored, where
  one of them occurs (``pattern.match(text, position)``);
- needles: literals every match contains; a prompt holding none of them cannot match.

Derived from the pattern itself, not written by hand, so the shortcut cannot drift from the
pattern it guards. Anything the derivation does not understand yields None: slower, never wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

try:  # the parser behind re.compile; private, so its absence only disables the shortcut
    from re import _parser as sre_parse  # type: ignore[attr-defined]  # private: typeshed omits it
except ImportError:  # pragma: no cover
    sre_parse = None

# A needle this short is in nearly every prompt and would only add work.
MIN_NEEDLE_LENGTH = 3
Needles = frozenset[str]
_ZERO_WIDTH = {"AT", "ASSERT", "ASSERT_NOT"}
_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}


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
            known = [needles for needles in branches if needles is not None]
            if len(known) == len(branches):
                found = frozenset().union(*known)
        elif name in _REPEATS:
            minimum, _maximum, sub = arg
            if minimum >= 1:
                found = _required(sub)
        if found:
            candidates.append(found)
    close_run()
    return _best(candidates)


def _from_parse_tree(pattern: re.Pattern[str], read: Callable[[Any], Needles | None]) -> Needles | None:
    """What ``read`` proves from the parse tree of ``pattern``; None without a parser, for a
    pattern that ignores case, or for a tree ``read`` does not know."""
    if sre_parse is None or pattern.flags & re.IGNORECASE:
        return None
    try:
        return read(sre_parse.parse(pattern.pattern, pattern.flags))
    except Exception:  # an unfamiliar parse tree only costs speed, never correctness
        return None


def required_substrings(pattern: re.Pattern[str]) -> Needles | None:
    """Any match of ``pattern`` contains one of these; None when no useful set can be proven."""
    needles = _from_parse_tree(pattern, _required)
    if not needles or min(map(len, needles)) < MIN_NEEDLE_LENGTH:
        return None
    return needles


def _element_prefixes(op: Any, arg: Any) -> Needles | None:
    name = str(op)
    if name == "BRANCH":
        branches = [_prefixes(branch) for branch in arg[1]]
        known = [prefixes for prefixes in branches if prefixes is not None]
        if len(known) == len(branches):
            return frozenset().union(*known)
    elif name == "SUBPATTERN" and not arg[1] & re.IGNORECASE:
        return _prefixes(arg[3])
    elif name == "ATOMIC_GROUP":
        return _prefixes(arg)
    elif name in _REPEATS and arg[0] >= 1:
        return _prefixes(arg[2])
    return None


def _prefixes(items: Any) -> Needles | None:
    """Literals every match of this parsed sequence starts with (after zero-width assertions)."""
    elements = [(op, arg) for op, arg in items]
    index = 0
    while index < len(elements) and str(elements[index][0]) in _ZERO_WIDTH:
        index += 1
    run = []
    while index < len(elements) and str(elements[index][0]) == "LITERAL":
        run.append(chr(elements[index][1]))
        index += 1
    if not run:
        return _element_prefixes(*elements[index]) if index < len(elements) else None
    head = "".join(run)
    # The parser factors shared starts ("pr(?:evious|ior)"): carry the literal into the group.
    tail = _element_prefixes(*elements[index]) if index < len(elements) else None
    if tail and str(elements[index][0]) in {"BRANCH", "SUBPATTERN"}:
        return frozenset(head + rest for rest in tail)
    return frozenset({head})


def required_prefixes(pattern: re.Pattern[str]) -> Needles | None:
    """Every match of ``pattern`` starts with one of these; None when that cannot be proven."""
    return _from_parse_tree(pattern, _prefixes) or None


def matches_at_prefixes(pattern: re.Pattern[str], prefixes: Needles, text: str) -> bool:
    """``pattern.search(text)``, trying the pattern only where a prefix occurs."""
    for prefix in prefixes:
        position = text.find(prefix)
        while position != -1:
            if pattern.match(text, position):
                return True
            position = text.find(prefix, position + 1)
    return False


class NeedleScan:
    """Which needles of many rules a text holds, each needle searched for once per text.

    Rules share needles ("ignore", "instructions"), and a needle that holds a shorter one
    ("ignore all" holds "ignore") cannot be in a text the shorter one is not in, so it is not
    searched for there.
    """

    def __init__(self, needle_sets: Iterable[Needles | None]) -> None:
        needles = sorted(set().union(*(needles for needles in needle_sets if needles)), key=lambda n: (len(n), n))
        order: list[tuple[str, str | None]] = []
        for position, needle in enumerate(needles):
            inside = [shorter for shorter in needles[:position] if len(shorter) < len(needle) and shorter in needle]
            order.append((needle, max(inside, key=len) if inside else None))
        self._order = tuple(order)

    def present(self, text: str) -> frozenset[str]:
        found: set[str] = set()
        for needle, inside in self._order:
            if (inside is None or inside in found) and needle in text:
                found.add(needle)
        return frozenset(found)
