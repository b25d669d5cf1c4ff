"""Nothing in the guard may reach for the network or download a model."""

from __future__ import annotations

import socket
import sys

import pytest
import spacy.cli
import tldextract

from bot.guard import Guard


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the guard tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def no_model_download(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the guard tried to download a spaCy model")

    monkeypatch.setattr(spacy.cli, "download", refuse)


@pytest.mark.usefixtures("no_network", "no_model_download")
def test_guard_builds_and_checks_emails_offline() -> None:
    guard = Guard()

    prompt = guard.check_prompt("Write to ana@example.co.uk and bo@example.com about the offsite.")

    assert prompt.masked_text == "Write to <EMAIL_ADDRESS_1> and <EMAIL_ADDRESS_2> about the offsite."
    assert tldextract.tldextract.TLD_EXTRACTOR.suffix_list_urls == ()


@pytest.mark.usefixtures("no_network", "no_model_download")
def test_missing_model_fails_instead_of_downloading() -> None:
    with pytest.raises(OSError, match="E050"):
        Guard(spacy_model="en_core_web_lg_not_installed")


def test_presidio_import_leaves_transformers_importable() -> None:
    assert "presidio_analyzer" in sys.modules
    assert sys.modules.get("transformers", "absent") is not None
