"""The guard's own recognizers: what they have in common, and one finding of theirs in the form
Presidio's analyzer reports them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from presidio_analyzer import AnalysisExplanation, LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

Span = tuple[int, int]


class NamedRecognizer(Protocol):
    """What a finding names: Presidio sets both on every recognizer, declaring neither."""

    name: str
    id: str


class TextRecognizer(LocalRecognizer):
    """A recognizer of the guard's own that reads the text alone (patterns, checksums, layouts):
    there is no model to load."""

    # Set by Presidio's base class, which declares neither.
    name: str
    id: str

    def load(self) -> None:
        """Nothing to load."""


class SpanRecognizer(TextRecognizer):
    """A recognizer of one entity type whose finder gives spans: the type, the score and why are
    the subclass's, each span becomes one finding, and the recognizer is named after its class."""

    ENTITY: str
    SCORE: float
    WHY: str

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(
            supported_entities=[self.ENTITY], supported_language=supported_language, name=type(self).__name__
        )

    def spans(self, text: str) -> Iterable[Span]:
        raise NotImplementedError

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        return [finding(self, self.ENTITY, start, end, self.SCORE, self.WHY) for start, end in self.spans(text)]


def finding(
    recognizer: NamedRecognizer, entity_type: str, start: int, end: int, score: float, why: str
) -> RecognizerResult:
    """A result that names ``recognizer`` the way Presidio's own recognizers do, so the analyzer's
    context enhancement and de-duplication treat it like theirs; ``why`` is the explanation."""
    return RecognizerResult(
        entity_type=entity_type,
        start=start,
        end=end,
        score=score,
        analysis_explanation=AnalysisExplanation(
            recognizer=recognizer.name, original_score=score, textual_explanation=why
        ),
        recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: recognizer.name,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id,
        },
    )


def longest_first_without_overlaps(spans: Iterable[Span]) -> list[Span]:
    """The non-empty ``(start, end)`` spans in text order, each overlapping none kept before it:
    of spans starting at the same place the longest, so one finding covers a whole name or address
    that several patterns found parts of."""
    kept: list[Span] = []
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if start < end and (not kept or start >= kept[-1][1]):
            kept.append((start, end))
    return kept
