"""Score a prompt for injection and decide: block or allow.

Two layers read the same views of the prompt: the normalized text, every encoded run decoded out
of it (so "aWdub3JlIHByZXZpb3Vz..." reads as "ignore previous..."), and every segment hidden in
markup (comments, alt text, code blocks). The rules are the precise, explainable layer: each
counts once however often it matches, and the score is the sum of the weights that fired. The
learned detector generalises to phrasing and languages no rule lists; its strongest view adds
its probability, in threshold units, to the same score. One score, one threshold per
organization.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.guard.decoding import decoded_in_place, decoded_runs, reads_as_english
from bot.guard.learned.detector import LearnedDetector, LearnedScore
from bot.guard.markup import hidden_segments
from bot.guard.needles import NeedleScan
from bot.guard.normalize import normalize
from bot.guard.rules import DEFAULT_THRESHOLD, RULES, Category, Rule
from bot.guard.script_ranges import UNSPACED_LETTERS

PLAIN_VIEW = "text"
MARKUP_VIEW = "markup"
LEARNED_PREFIX = "learned."


@dataclass(frozen=True)
class RuleHit:
    rule_id: str
    category: Category
    weight: float
    view: str  # "text", "markup", or the encoding the match was decoded from ("base64", "rot13", ...)


@dataclass(frozen=True)
class LearnedHit:
    probability: float  # the detector's attack probability on its strongest view
    category: Category
    weight: float  # its share of the score
    view: str


@dataclass(frozen=True)
class InjectionVerdict:
    blocked: bool
    score: float
    threshold: float
    hits: tuple[RuleHit, ...]
    learned: LearnedHit | None = None

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Rule ids that fired, and ``learned.<category>`` when the learned layer added to the score."""
        ids = tuple(hit.rule_id for hit in self.hits)
        if self.learned is not None and self.learned.weight > 0:
            ids += (LEARNED_PREFIX + self.learned.category.value,)
        return ids

    @property
    def category(self) -> Category | None:
        """What kind of attempt the evidence names: an indirect injection when a rule found
        instructions planted in pasted text, else the strongest rule's category when a rule fired
        (the explainable layer), else the learned layer's.

        Evidence found only in a decoded run is an encoded payload; only in hidden markup, an
        indirect injection.
        """
        if any(hit.category is Category.INDIRECT_INJECTION for hit in self.hits):
            # Instructions planted in pasted text: whatever they ask for, the fix is to remove them.
            return Category.INDIRECT_INJECTION
        if self.hits:
            strongest = max(self.hits, key=lambda hit: hit.weight)
            category, view = strongest.category, strongest.view
        elif self.learned is not None and self.learned.weight > 0:
            category, view = self.learned.category, self.learned.view
        else:
            return None
        if view == MARKUP_VIEW:
            return Category.INDIRECT_INJECTION
        if view != PLAIN_VIEW:
            return Category.ENCODED_PAYLOAD
        return category


@dataclass(frozen=True)
class PromptViews:
    """How each layer reads a prompt: (view name, normalized text) pairs."""

    rules: list[tuple[str, str]]  # the prompt as written, its decoded runs, its hidden markup
    # The same, but the prompt itself with its encodings decoded where they stand, as a model
    # that follows them reads it: a harmless ROT13 puzzle is then read as the harmless text it
    # is, not as the encoded surface that every encoded attack the model learnt from shared. The
    # rules keep the prompt as written, so a verdict found only in a decoded run is named an
    # encoded payload by its view.
    learned: list[tuple[str, str]]


def reading_views(text: str) -> PromptViews:
    """The views of the prompt, its decoded runs and its hidden markup that each layer reads."""
    runs = decoded_runs(text)
    decoded = [(run.encoding, normalize(run.text)) for run in runs]
    hidden = [(MARKUP_VIEW, normalize(segment)) for segment in hidden_segments(text)]
    rules = _distinct([(PLAIN_VIEW, normalize(text)), *decoded, *hidden])
    if not runs:
        return PromptViews(rules, rules)
    # Only where the prompt so decoded reads as English is its surface dropped: a prompt in
    # another language, or one whose payload decodes to letters run together, is read as written,
    # as the model learnt to read such surfaces.
    read = normalize(decoded_in_place(text, runs))
    if read == rules[0][1] or not reads_as_english(read):
        return PromptViews(rules, rules)
    return PromptViews(rules, _distinct([(PLAIN_VIEW, read), *decoded, *hidden]))


def _distinct(views: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Each text once, under the first view that reads it: a run decoded twice (reversed, then
    reversed back) reads like a view already there."""
    first_view: dict[str, str] = {}
    for view, normalized in views:
        first_view.setdefault(normalized, view)
    return [(view, normalized) for normalized, view in first_view.items()]


_RULE_NEEDLES = NeedleScan(rule.needles for rule in RULES)


def _rule_hits(rules: tuple[Rule, ...], views: list[tuple[str, str]]) -> tuple[RuleHit, ...]:
    """Each rule that matches a view, named with the first view it matches, in rule order."""
    scan = _RULE_NEEDLES if rules is RULES else NeedleScan(rule.needles for rule in rules)
    scanned = [(view, normalized, scan.present(normalized)) for view, normalized in views]
    hits = []
    for rule in rules:
        for view, normalized, present in scanned:
            if rule.matches_given(normalized, present):
                hits.append(RuleHit(rule.id, rule.category, rule.weight, view))
                break
    return tuple(hits)


def rule_score(views: list[tuple[str, str]]) -> float:
    """The rule layer's share of the score for ``reading_views(...).rules`` (the bench replays
    verdicts with it)."""
    return round(sum(hit.weight for hit in _rule_hits(RULES, views)), 3)


def _learned_hit(detector: LearnedDetector, views: list[tuple[str, str]]) -> LearnedHit:
    """The strongest reading of any view: the n-gram model's, or the planted-task model's where
    it adds more (it names an indirect injection)."""
    scored: list[tuple[LearnedScore, str]] = [(detector.score_normalized(text), view) for view, text in views]
    best, view = max(scored, key=lambda pair: pair[0].attack_probability)
    hit = LearnedHit(
        best.attack_probability, Category(best.category), round(detector.contribution(best.attack_probability), 3), view
    )
    for view, text in views:
        probability, weight = detector.planted_contribution(text)
        if round(weight, 3) > hit.weight:
            hit = LearnedHit(round(probability, 4), Category.INDIRECT_INJECTION, round(weight, 3), view)
    return hit


# A prompt of one short word of a script written with spaces ("test", "start", "Weiter") carries no
# instruction, and its few n-grams read at full strength under the TF-IDF norm: a model trained with
# project-v and -w read "test" at 0.70, where it blocks. The learned layer reads such a prompt but
# adds nothing to its score; the rules still read it. A run of Han, kana, Hangul or Thai is a whole
# sentence, not a word, and a decoded payload is read as its own, longer view.
_ONE_SPACED_WORD = re.compile(rf"(?:(?![\d_{UNSPACED_LETTERS}\u0e00-\u0e7f])\w){{1,24}}")


def _one_spaced_word(text: str) -> bool:
    return _ONE_SPACED_WORD.fullmatch(text.strip()) is not None


def scan_injection(
    text: str,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    rules: tuple[Rule, ...] = RULES,
    detector: LearnedDetector | None = None,
) -> InjectionVerdict:
    """The layered verdict; without a ``detector``, the rules alone."""
    views = reading_views(text)
    hits = _rule_hits(rules, views.rules)
    learned = _learned_hit(detector, views.learned) if detector is not None else None
    if learned is not None and _one_spaced_word(text):
        learned = replace(learned, weight=0.0)
    score = sum(hit.weight for hit in hits) + (learned.weight if learned else 0.0)
    score = round(score, 3)
    return InjectionVerdict(blocked=score >= threshold, score=score, threshold=threshold, hits=hits, learned=learned)
