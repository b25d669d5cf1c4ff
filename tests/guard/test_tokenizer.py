"""The blank pipeline's tokens: every character of the prompt lands in exactly one token or in
the one trailing space spaCy keeps after a token, so findings' offsets match the text."""

from __future__ import annotations

import pytest
import spacy

from bot.guard.tokenizer import WordPunctTokenizer


@pytest.fixture(scope="module")
def tokenizer() -> WordPunctTokenizer:
    return WordPunctTokenizer(spacy.blank("en").vocab)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        (
            "call me on 555-0134.",
            [("call", " "), ("me", " "), ("on", " "), ("555", ""), ("-", ""), ("0134", ""), (".", "")],
        ),
        ("a  b", [("a", " "), (" ", ""), ("b", "")]),
        ("a\n b", [("a", ""), ("\n ", ""), ("b", "")]),
        ("  lead", [("  ", ""), ("lead", "")]),
        ("end \t", [("end", " "), ("\t", "")]),
        ("x==== y", [("x", ""), ("====", " "), ("y", "")]),
        ("", []),
    ],
)
def test_one_space_trails_a_token_and_other_whitespace_is_a_token(
    tokenizer: WordPunctTokenizer, text: str, tokens: list[tuple[str, str]]
) -> None:
    doc = tokenizer(text)

    assert [(token.text, token.whitespace_) for token in doc] == tokens
    assert doc.text == text
