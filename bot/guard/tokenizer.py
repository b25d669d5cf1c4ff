"""A tokenizer for the blank spaCy pipeline: words, punctuation runs and whitespace.

Without a NER model the tokens only serve Presidio's context words ("phone", "ssn" near a
number). spaCy's rule-based English tokenizer is built for parsing and slows down on the
long symbol runs prompts carry (hex dumps, "==========" separators, Morse); a single regex
pass costs half as much on ordinary text and stays flat on those.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc
from spacy.vocab import Vocab

_TOKEN = re.compile(r"\w+|[^\w\s]+|\s+")


class WordPunctTokenizer:
    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        for match in _TOKEN.finditer(text):
            token = match.group(0)
            if token[0].isspace():
                # One space after a token is spaCy's "trailing whitespace"; the rest of the
                # run becomes a whitespace token, so character offsets match the text exactly.
                if token[0] == " " and words and not spaces[-1]:
                    spaces[-1] = True
                    token = token[1:]
                if not token:
                    continue
            words.append(token)
            spaces.append(False)
        return Doc(self.vocab, words=words, spaces=spaces)
