"""Guards are slow to build (Presidio, spaCy): one of each per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from bot.guard import Guard
from bot.guard.pii import NO_NER

# WIRING ONLY. The test "NER model" below is a spaCy entity ruler that knows exactly these names
# and tags nothing else, so the tests using it prove the plumbing (a model loaded by path from
# PII_SPACY_MODEL, PERSON results masked next to the pattern recognizers, off the event loop), not
# that names are found: a name it was not given passes unmasked. How well real name detection
# works is judged by the PII evaluation in bench/, on text no recognizer was written from.
KNOWN_NAMES = ("Priya Sharma", "Tomasz Nowak", "Amara")


@pytest.fixture(scope="session")
def guard() -> Guard:
    return Guard()


@pytest.fixture(scope="session")
def pattern_guard() -> Guard:
    """The pattern recognizers alone (``PII_SPACY_MODEL=blank``)."""
    return Guard(spacy_model=NO_NER)


@pytest.fixture(scope="session")
def name_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small spaCy pipeline saved to disk, loaded by path exactly like a packaged model; it
    recognizes KNOWN_NAMES only (wiring, not detection quality)."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [{"label": "PERSON", "pattern": [{"LOWER": part.lower()} for part in name.split()]} for name in KNOWN_NAMES]
        + [{"label": "ORG", "pattern": "Acme"}]
    )
    path = tmp_path_factory.mktemp("spacy") / "en_test_names"
    nlp.to_disk(path)
    return path


@pytest.fixture(scope="session")
def name_guard(name_model_path: Path) -> Guard:
    return Guard(spacy_model=str(name_model_path))
