"""Score a prompt against the injection rules and decide: block or allow.

The rules read the normalized prompt and, separately, every encoded run decoded out of it, so
"aWdub3JlIHByZXZpb3Vz..." meets the same rule as "ignore previous...". Each rule counts once
however often or wherever it matches; the score is the sum of the weights that fired.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.guard.decoding import decoded_runs
from bot.guard.normalize import normalize
from bot.guard.rules import DEFAULT_THRESHOLD, RULES, Category, Rule

PLAIN_VIEW = "text"


@dataclass(frozen=True)
class RuleHit:
    rule_id: str
    category: Category
    weight: float
    view: str  # "text", or the encoding the match was decoded from ("base64", "rot13", ...)


@dataclass(frozen=True)
class InjectionVerdict:
    blocked: bool
    score: float
    threshold: float
    hits: tuple[RuleHit, ...]

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(hit.rule_id for hit in self.hits)

    @property
    def category(self) -> Category | None:
        """The category of the strongest evidence; hidden in an encoding, it is an encoded payload."""
        if not self.hits:
            return None
        strongest = max(self.hits, key=lambda hit: hit.weight)
        if strongest.view != PLAIN_VIEW:
            return Category.ENCODED_PAYLOAD
        return strongest.category


def _views(text: str) -> list[tuple[str, str]]:
    views = [(PLAIN_VIEW, normalize(text))]
    views.extend((run.encoding, normalize(run.text)) for run in decoded_runs(text))
    return views


def _first_hit(rule: Rule, views: list[tuple[str, str]]) -> RuleHit | None:
    for view, normalized in views:
        if rule.matches(normalized):
            return RuleHit(rule.id, rule.category, rule.weight, view)
    return None


def scan_injection(
    text: str, *, threshold: float = DEFAULT_THRESHOLD, rules: tuple[Rule, ...] = RULES
) -> InjectionVerdict:
    views = _views(text)
    hits = tuple(hit for rule in rules if (hit := _first_hit(rule, views)) is not None)
    score = round(sum(hit.weight for hit in hits), 3)
    return InjectionVerdict(blocked=score >= threshold, score=score, threshold=threshold, hits=hits)
