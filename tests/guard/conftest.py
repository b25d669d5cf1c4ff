"""Guards are slow to build (Presidio, spaCy): one of each per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from bot.guard import Guard

# Names the test NER model knows; it tags nothing else, like a real model tags what it learnt.
KNOWN_NAMES = ("Priya Sharma", "Tomasz Nowak", "Amara")


@pytest.fixture(scope="session")
def guard() -> Guard:
    return Guard()


@pytest.fixture(scope="session")
def name_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small spaCy pipeline saved to disk, loaded by path exactly like a packaged model."""
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
