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

from bot.guard.script_ranges import INDIC_WORD_CHARACTERS, WORD_WITH_INDIC_SIGNS

# A word (with the vowel signs of Indic scripts: "मोबाइल" is one word, not three) or a run of
# punctuation with the one space after it, if any (spaCy's "trailing whitespace"), or a run of whitespace that is left over: it becomes a whitespace token, so
# character offsets match the text exactly. One regex pass and two list comprehensions cost half
# of a Python loop over the tokens.
_TOKEN = re.compile(rf"({WORD_WITH_INDIC_SIGNS}|[^\w\s{INDIC_WORD_CHARACTERS}]+)( ?)|(\s+)")


class WordPunctTokenizer:
    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        found = _TOKEN.findall(text)
        words = [token or whitespace for token, _, whitespace in found]
        spaces = [bool(space) for _, space, _ in found]
        return Doc(self.vocab, words=words, spaces=spaces)
