"""The n-grams the learned detector reads, shared by training and inference.

Training hands ``ngrams`` to scikit-learn as the analyzer; the detector builds the same multiset
from ``token_char_grams``, ``word_grams`` and ``concept_features`` (caching per token), so the model shipped and the
model trained can never disagree about what a feature is. Character n-grams carry the signal
across languages, inflections and spacing tricks; word n-grams carry phrasing ("ignore all").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from bot.guard.learned.lexicon import concept_features
from bot.guard.normalize import normalize
from bot.guard.script_ranges import WORD_WITH_INDIC_SIGNS

CHAR_NGRAM_SIZES = range(2, 6)
# A token this long is a hash, an encoded run or a wall of CJK text: its n-grams past this
# point add cost, not evidence (decoding.py reads encoded runs separately).
MAX_TOKEN_CHARS = 64
WORD_PREFIX = "w:"
# A word: letters and digits, with the vowel signs of Indic scripts that ``\w`` leaves out (else
# "दिखाओ" reads as three fragments).
WORD = re.compile(WORD_WITH_INDIC_SIGNS)
# Han and kana: scripts written without spaces, where one whitespace token can be a whole clause.
# Korean puts spaces between words and is read like any spaced script.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_UNSPACED_RUN = re.compile(_UNSPACED.pattern + "+")
_CLAUSE_BREAK = re.compile(r"[^\w\u0900-\u0dff]+")
# What Base64, hex and ids look like once normalize() has folded them: a long run of letters,
# digits and "+/=_-" holding a digit or symbol ("swdubejligfsbcbwcmv2aw9...", a UUID), any run
# too long to be a word, and hex written in pairs. Their character n-grams are noise that the
# encoded attacks of the training data would teach as evidence (a wall of ids, or of random
# letters, then read as an attack); an encoded run is read decoded, as a view of its own
# (injection.reading_views), and the evidence model still sees that the prompt holds one.
_RUN_OF_SYMBOLS = re.compile(r"(?<![a-z0-9+/=_-])[a-z0-9+/=_-]{16,}")
_NOT_A_WORD = re.compile(r"[0-9+/=_]")
_MAX_WORD_CHARS = 28
_HEX_PAIRS = re.compile(r"(?<![0-9a-z])(?:\\x|0x)?[0-9a-f]{2}(?:[\s:,]+(?:\\x|0x)?[0-9a-f]{2}){7,}(?![0-9a-z])")


# Web and mail addresses (normalize() has folded "@" into "a"): which domain a prompt names says
# nothing of what it asks, and the data's attacks and benign prompts name different made-up ones.
_TOP_LEVEL_DOMAINS = (
    "com|org|net|io|co|ai|app|dev|info|biz|edu|gov|example|test|local|internal|me|us|uk|ca|au|de|fr|es|it|nl|pl"
    "|pt|br|ru|ua|tr|jp|kr|cn|in|ch|at|be|se|no|dk|fi|ie|mx|ar|za|sg|hk|tw|nz|eu|xyz|online|site|shop"
)
_WEB_ADDRESS = re.compile(
    rf"(?:https?://|www\.)[^\s<>\"']+|(?<![\w.-])[\w.%+-]+\.(?:{_TOP_LEVEL_DOMAINS})(?![\w-])(?:/[^\s<>\"']*)?"
)


def _blank_run(match: re.Match[str]) -> str:
    run = match.group(0)
    return " " if len(run) >= _MAX_WORD_CHARS or _NOT_A_WORD.search(run) else run


def readable_part(normalized: str) -> str:
    """``normalized`` with its encoded-looking runs and its web and mail addresses blanked: the
    text the n-gram model reads."""
    if "." in normalized:
        normalized = _WEB_ADDRESS.sub(" ", normalized)
    if len(normalized) < 16:
        return normalized
    return _HEX_PAIRS.sub(" ", _RUN_OF_SYMBOLS.sub(_blank_run, normalized))


# Tokens whose character n-grams are remembered: the n-gram model and the planted-task model each
# look up a prompt's new tokens, so the second makes none of them again (a 2,000-character prompt
# holds some 350 tokens; a thousand tokens' n-grams take about 3 MB).
CHAR_GRAM_CACHE_SIZE = 1024


@lru_cache(maxsize=CHAR_GRAM_CACHE_SIZE)
def token_char_grams(token: str) -> tuple[str, ...]:
    """Character n-grams of one whitespace-separated token, padded with a space each side."""
    padded = f" {token[:MAX_TOKEN_CHARS]} "
    length = len(padded)
    return tuple(
        "c:" + padded[start : start + size]
        for size in CHAR_NGRAM_SIZES
        if size <= length
        for start in range(length - size + 1)
    )


def tokens_of(normalized: str) -> list[str]:
    """The pieces character n-grams are taken from: whitespace-separated tokens, except that a
    token holding Han or kana is cut at its punctuation and into pieces of ``MAX_TOKEN_CHARS``,
    so a Chinese or Japanese clause is read to its end, not cut off after its first characters."""
    if normalized.isascii() or not _UNSPACED.search(normalized):
        return normalized.split()  # what the loop below returns when no token holds Han or kana
    tokens: list[str] = []
    for token in normalized.split():
        if token.isascii() or not _UNSPACED.search(token):
            tokens.append(token)
            continue
        for clause in _CLAUSE_BREAK.split(token):
            tokens.extend(clause[start : start + MAX_TOKEN_CHARS] for start in range(0, len(clause), MAX_TOKEN_CHARS))
    return tokens


def words_of(normalized: str) -> list[str]:
    """Words for word n-grams. Runs of Han and kana are left out: a run is a clause, not a word,
    and its character n-grams already read it."""
    words = WORD.findall(normalized)
    if normalized.isascii() or not _UNSPACED.search(normalized):
        return words
    return [
        part for word in words for part in (_UNSPACED_RUN.split(word) if _UNSPACED.search(word) else [word]) if part
    ]


def word_grams(words: list[str]) -> list[str]:
    """Word unigrams and bigrams."""
    grams = [WORD_PREFIX + word for word in words]
    grams.extend(f"{WORD_PREFIX}{first} {second}" for first, second in pairwise(words))
    return grams


# What follows a prompt's first line is, in a request with pasted material, the material: its
# words are features again under this prefix ("m:reply"), so the model weighs a summary asked for
# inside a document apart from the request's own "summarise". Measured on four families of
# planted tasks held out in turn (project-o, -q, -s, -t): 597 of 1,024 attacks blocked against
# 590 without, 13 of their 1,152 benign prompts against 15.
MATERIAL_PREFIX = "m:"


def material_words(normalized: str) -> list[str]:
    """The words after the first line of ``normalized``; none in a prompt of one line."""
    newline = normalized.find("\n")
    return [] if newline < 0 else words_of(normalized[newline + 1 :])


@dataclass(frozen=True)
class TextParts:
    """What a text's n-grams are made of: the tokens whose character n-grams are read, and the
    other n-grams (words, word pairs, material words, concepts). A reader that caches each token's
    columns reads these; training expands them with ``all_grams``."""

    tokens: list[str]
    grams: list[str]

    def all_grams(self) -> list[str]:
        return [gram for token in self.tokens for gram in token_char_grams(token)] + self.grams


def ngram_parts(normalized: str) -> TextParts:
    """``ngrams`` of a text ``normalize`` has already read, as its parts."""
    readable = readable_part(normalized)
    return readable_parts(readable, concept_features(readable))


def readable_parts(readable: str, concepts: list[str]) -> TextParts:
    """``ngram_parts`` of a text ``readable_part`` has already read, whose ``concept_features`` are
    ``concepts``."""
    grams = word_grams(words_of(readable))
    grams.extend(MATERIAL_PREFIX + word for word in material_words(readable))
    grams.extend(concepts)
    return TextParts(tokens_of(readable), grams)


def ngrams(text: str) -> list[str]:
    """Every feature of ``text``: character n-grams of each token, word uni- and bigrams, the
    words of its pasted material, and the cross-language concepts it names (see lexicon.py), its
    encoded-looking runs left out."""
    return ngram_parts(normalize(text)).all_grams()
