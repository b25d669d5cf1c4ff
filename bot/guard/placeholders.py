"""Replace found values with numbered placeholders, and put them back when asked.

``<EMAIL_ADDRESS_1>`` names the first distinct email of a prompt; the same email again is the
same placeholder, another email is ``<EMAIL_ADDRESS_2>``. The model sees only placeholders; the
mapping (placeholder -> original) lets an organization that chose the ``restore`` policy put
its user's own values back into the finished post.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from presidio_analyzer import RecognizerResult


@dataclass(frozen=True)
class MaskedText:
    text: str
    mapping: dict[str, str] = field(default_factory=dict)  # placeholder -> original value
    entities: tuple[str, ...] = ()  # entity types found, in order of first appearance


def _non_overlapping(results: Iterable[RecognizerResult]) -> list[RecognizerResult]:
    """Keep the strongest finding where findings overlap (an IP inside a URL, a phone inside a card)."""
    chosen: list[RecognizerResult] = []
    for result in sorted(results, key=lambda r: (-r.score, -(r.end - r.start), r.start)):
        if all(result.end <= kept.start or result.start >= kept.end for kept in chosen):
            chosen.append(result)
    return sorted(chosen, key=lambda r: r.start)


def apply_placeholders(text: str, results: Iterable[RecognizerResult]) -> MaskedText:
    spans = _non_overlapping(results)
    placeholder_for: dict[tuple[str, str], str] = {}
    counters: dict[str, int] = {}
    mapping: dict[str, str] = {}
    entities: list[str] = []
    pieces: list[str] = []
    cursor = 0
    for span in spans:
        value = text[span.start : span.end]
        key = (span.entity_type, value)
        if key not in placeholder_for:
            number = counters.get(span.entity_type, 0) + 1
            # A placeholder the user typed themselves must not be mistaken for ours on restore.
            while f"<{span.entity_type}_{number}>" in text:
                number += 1
            counters[span.entity_type] = number
            placeholder = f"<{span.entity_type}_{number}>"
            placeholder_for[key] = placeholder
            mapping[placeholder] = value
            if span.entity_type not in entities:
                entities.append(span.entity_type)
        pieces.append(text[cursor : span.start])
        pieces.append(placeholder_for[key])
        cursor = span.end
    pieces.append(text[cursor:])
    return MaskedText(text="".join(pieces), mapping=mapping, entities=tuple(entities))


def restore_placeholders(text: str, mapping: Mapping[str, str]) -> str:
    """Exact placeholder strings back to their values, in one pass (a value is never re-read)."""
    if not mapping:
        return text
    pattern = re.compile("|".join(re.escape(p) for p in sorted(mapping, key=len, reverse=True)))
    return pattern.sub(lambda match: mapping[match.group(0)], text)


def apply_restore_policy(text: str, mapping: Mapping[str, str], *, restore: bool) -> str:
    """The text to post: originals put back under the ``restore`` policy, placeholders otherwise."""
    return restore_placeholders(text, mapping) if restore else text
