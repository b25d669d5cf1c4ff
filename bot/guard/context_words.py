"""Presidio's context step (a finding near "phone", "ssn", "iban" scores higher), read from
indexes built once per text.

Presidio's analyzer hands each recognizer the findings of every other one, and its lemma
enhancer then, for each finding, deep-copies it, scans the doc for its token, walks the lemmas
around it testing each against the list of keywords, and lower-cases every context word against
every surrounding word. A 2,000-character prompt with fifty findings paid for all of that fifty
times over. Here the keyword positions and lower-cased lemmas are computed once per text, a
finding's token is found by binary search and its surrounding keywords by slicing; the scores,
explanations and order of the findings are Presidio's.
"""

from __future__ import annotations

import copy
from bisect import bisect_left, bisect_right
from typing import Any

from presidio_analyzer import AnalysisExplanation, AnalyzerEngine, EntityRecognizer, RecognizerResult
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer, LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts

_RECOGNIZER_ID = RecognizerResult.RECOGNIZER_IDENTIFIER_KEY
_ALREADY_ENHANCED = RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY
_WHOLE_WORD = "whole_word"


def _copied(result: RecognizerResult) -> RecognizerResult:
    """What Presidio's deep copy of a finding gives, copying only what the enhancer changes: its
    score, its explanation's fields and its metadata flags."""
    return RecognizerResult(
        entity_type=result.entity_type,
        start=result.start,
        end=result.end,
        score=result.score,
        analysis_explanation=_shallow_copy(result.analysis_explanation),
        recognition_metadata=dict(result.recognition_metadata or {}),
    )


def _shallow_copy(explanation: AnalysisExplanation) -> AnalysisExplanation:
    """``copy.copy`` of a plain object (a new one with the same attribute dict), without the
    pickling protocol ``copy.copy`` goes through."""
    if type(explanation) is not AnalysisExplanation:  # None, or a subclass that may copy itself otherwise
        return copy.copy(explanation)
    copied = AnalysisExplanation.__new__(AnalysisExplanation)
    copied.__dict__.update(explanation.__dict__)
    return copied


class SurroundingKeywords:
    """The keywords (lower-cased lemmas that are neither stop words nor punctuation) of one
    text, with the token each stands at."""

    def __init__(self, artifacts: NlpArtifacts) -> None:
        self.tokens = artifacts.tokens
        self.token_starts: list[int] = artifacts.tokens_indices
        keywords = set(artifacts.keywords)
        lowered = [lemma.lower() for lemma in artifacts.lemmas]
        self.positions = [index for index, lemma in enumerate(lowered) if lemma in keywords]
        self.words = [lowered[index] for index in self.positions]

    def token_at(self, offset: int) -> int:
        """The token that starts at or covers character ``offset`` (the next one if it falls
        between tokens)."""
        starts = self.token_starts
        index = max(bisect_right(starts, offset) - 1, 0)
        if starts[index] + len(self.tokens[index]) <= offset and index + 1 < len(starts):
            index += 1
        return index

    def before(self, token: int, count: int) -> list[str]:
        """The ``count + 1`` keywords nearest to ``token``, at or before it."""
        end = bisect_right(self.positions, token)
        return self.words[max(0, end - count - 1) : end]

    def after(self, token: int, count: int) -> list[str]:
        """The ``count + 1`` keywords nearest to ``token``, at or after it."""
        start = bisect_left(self.positions, token)
        return self.words[start : start + count + 1]


class IndexedContextEnhancer(LemmaContextAwareEnhancer):
    """Presidio's lemma context enhancer, computed from ``SurroundingKeywords``.

    One difference on purpose: the words after a finding are counted from its last token (the
    stock version counts them from the first, so "28-64-66-98 office" reads its own digits).
    """

    def enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        results = [_copied(result) for result in raw_results]
        if nlp_artifacts is None:
            return results
        by_id = {recognizer.id: recognizer for recognizer in recognizers}
        given = [word.lower() for word in context or ()]
        keywords: SurroundingKeywords | None = None
        for result in results:
            metadata = result.recognition_metadata
            recognizer = by_id.get(metadata[_RECOGNIZER_ID]) if metadata and _RECOGNIZER_ID in metadata else None
            if not recognizer or not recognizer.context or metadata.get(_ALREADY_ENHANCED):
                continue
            if not nlp_artifacts.tokens:
                surrounding = [""]
            else:
                keywords = keywords or SurroundingKeywords(nlp_artifacts)
                length = len(text[result.start : result.end])
                first = keywords.token_at(result.start)
                last = keywords.token_at(result.start + max(length - 1, 0))
                surrounding = [
                    *keywords.before(first, self.context_prefix_count),
                    *keywords.after(last, self.context_suffix_count),
                ]
            word = _supportive_word([*surrounding, *given], recognizer.context, self.context_matching_mode)
            if word:
                result.score += self.context_similarity_factor
                result.score = max(result.score, self.min_score_with_context_similarity)
                result.score = min(result.score, ContextAwareEnhancer.MAX_SCORE)
                result.analysis_explanation.set_supportive_context_word(word)
                result.analysis_explanation.set_improved_score(result.score)
        return results


def _supportive_word(surrounding: list[str], context_words: list[str], matching_mode: str) -> str:
    """The first of the recognizer's context words found in (or, whole-word, equal to) a
    surrounding word, or ""."""
    lowered = [word.lower() for word in surrounding]
    if not lowered:
        return ""
    # One substring search in the words joined by a separator no context word holds finds what a
    # search in each word would.
    joined = _SEPARATOR.join(lowered)
    for context_word in context_words:
        wanted = context_word.lower()
        if matching_mode == _WHOLE_WORD:
            if wanted in lowered:
                return context_word
        elif _SEPARATOR in wanted:
            if any(wanted in word for word in lowered):
                return context_word
        elif wanted in joined:
            return context_word
    return ""


_SEPARATOR = "\x00"


_STOCK_RECOGNIZER_CONTEXT = EntityRecognizer.enhance_using_context


class GroupingAnalyzerEngine(AnalyzerEngine):
    """Presidio's analyzer engine, which hands each recognizer its own findings in one pass over
    them, and the others' only to a recognizer with a context step of its own (Presidio builds
    both lists for each of the twenty recognizers, whatever they do with them)."""

    def _enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        own: dict[Any, list[RecognizerResult]] = {}
        for result in raw_results:
            own.setdefault(result.recognition_metadata[_RECOGNIZER_ID], []).append(result)
        results: list[RecognizerResult] = []
        for recognizer in recognizers:
            found = own.get(recognizer.id, [])
            if type(recognizer).enhance_using_context is not _STOCK_RECOGNIZER_CONTEXT:
                others = [r for r in raw_results if r.recognition_metadata[_RECOGNIZER_ID] != recognizer.id]
                found = recognizer.enhance_using_context(
                    text=text,
                    raw_recognizer_results=list(found),
                    other_raw_recognizer_results=others,
                    nlp_artifacts=nlp_artifacts,
                    context=context,
                )
            results.extend(found)
        return self.context_aware_enhancer.enhance_using_context(
            text=text, raw_results=results, nlp_artifacts=nlp_artifacts, recognizers=recognizers, context=context
        )
