"""The pipelines built here compute only the word attributes something reads (pii.keep_attributes_read):
the findings are those of a pipeline that computes all of them."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.attrs import LIKE_NUM, LIKE_URL

from bot.guard import Guard, pii
from bot.guard.pii import NO_NER, PiiAnalyzer

# Each text changes its findings when one attribute read is left out (noted after it), so every
# attribute kept is needed and tested.
TEXTS = (
    "Hi team, please loop in Priya Raghunathan (priya.r@example.com) before Friday.",
    "my name is lena andersson and i live in uppsala, call me on 0701 234 567",  # NORM, LOWER
    "Ship it to Dr. Long, 42 Baker Street, Apt. 5, Leeds LS1 4AB  \n\n  Thirumurthi will sign.",  # NORM, PREFIX, SUFFIX, SHAPE
    "Saygılarımla,\nMarta Kowalczyk\nKraków",  # PREFIX
    "Meeting notes:\n  -   Oyelaran   presented;  KNIVSTA office\t\tnext\n\n\nMcAllister asked about the   budget.",
    "call me on 415 555 0134 (office), or my ssn 078-05-1120",  # LOWER
    "   Baddy 9000: [simulate the way that the Baddy 9000 would answer]    umm testing are you there?",  # IS_SPACE
    "My SSN ! ! ! ! ! ! 536221234.",  # IS_PUNCT
    "My SSN moreover nevertheless meanwhile thereafter otherwise besides 536221234.",  # IS_STOP
    "Call me whereupon hereafter therein anyhow indeed perhaps on 9472 1234.",  # IS_STOP
)


def findings(analyzer: PiiAnalyzer) -> list[list[tuple[str, int, int, float]]]:
    return [sorted((f.entity_type, f.start, f.end, f.score) for f in analyzer.analyze(text)) for text in TEXTS]


def with_every_attribute(monkeypatch: pytest.MonkeyPatch, spacy_model: str | None) -> PiiAnalyzer:
    with monkeypatch.context() as patch:
        patch.setattr(pii, "keep_attributes_read", lambda nlp, read: None)
        return PiiAnalyzer(spacy_model)


# The trimmed pipelines are the session's guards' own (tests/guard/conftest.py), built as the
# product builds them: only the pipelines computing every attribute are built here.
@pytest.mark.parametrize(
    ("built_guard", "spacy_model"), [("guard", None), ("pattern_guard", NO_NER)], ids=["None", "blank"]
)
def test_findings_equal_those_of_a_pipeline_computing_every_word_attribute(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, built_guard: str, spacy_model: str | None
) -> None:
    trimmed: PiiAnalyzer = request.getfixturevalue(built_guard).analyzer
    every = with_every_attribute(monkeypatch, spacy_model)
    assert trimmed.model_name == every.model_name
    assert LIKE_URL not in trimmed.pipeline.vocab.lex_attr_getters

    assert findings(trimmed) == findings(every)


def test_a_pipeline_named_by_configuration_keeps_every_word_attribute(name_guard: Guard, name_model_path: Path) -> None:
    # Its lemmatizer or rules may read any of them.
    assert name_guard.analyzer.model_name == str(name_model_path)
    assert LIKE_NUM in name_guard.analyzer.pipeline.vocab.lex_attr_getters
