"""Fold a prompt into the one spelling the injection rules are written against.

Attackers dodge keyword rules with look-alike spellings: full-width or mathematical letters,
invisible characters between letters, Cyrillic or Greek letters that look Latin, digits for
letters, odd spacing. Every such variant should read the same to the rules, so the rules only
ever see ``normalize(text)``. The result is for matching only; it is never stored or shown.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache

# Invisible characters that survive NFKC: zero-width space/joiners, word joiner, BOM,
# soft hyphen, Mongolian vowel separator, bidi embeddings/overrides/isolates, and the
# Unicode "tag" block used to smuggle hidden ASCII. Category Cf covers most of them.
_INVISIBLE_EXTRA = frozenset({"\u180e", "\u115f", "\u1160", "\u3164", "\uffa0"})

# Lower-case Cyrillic, Greek and IPA letters that render like Latin ones (after casefold),
# and typographic quotes: "ignore" spelt with a Cyrillic i, o and e reads as "ignore".
_HOMOGLYPHS = str.maketrans(
    "авсԁеёһніїјкӏмпорԛгѕтуүхԝѡьзαβϲδεϵηιίκνοόρϱτυύχωγμςσɡɑɩʟ\u2018\u2019\u201c\u201d",
    "abcdeehhiijklmnopqrstyyxwwb3abcdeeniikvoopptuuxwyusogail''\"\"",
)

# Digits and symbols standing in for letters inside a word ("1gn0re", "pr3v!ous").
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s", "!": "i"}
)
# Only words holding a digit or symbol are candidates; "!" counts only between word
# characters, so "now!!!" keeps its punctuation.
_LEET_WORD = re.compile(
    r"(?<![a-z0-9@$])(?:[a-z0-9@$]*[0-9@$][a-z0-9@$]*(?:![a-z0-9@$]+)*|[a-z0-9@$]+(?:![a-z0-9@$]+)+)"
)
# Names with a number suffix ("base64", "rot13", "covid19") are real words, not disguises.
_NUMBER_SUFFIXED = re.compile(r"[a-z]+[0-9]{2,}")
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_VERTICAL_SPACE = re.compile(r"\s*\n\s*")


@cache
def _strip_table() -> dict[int, None]:
    """Every combining mark and invisible format character, mapped to nothing.

    Built once, on the first prompt that is not plain ASCII (a walk over all code points).
    """
    table: dict[int, None] = {}
    for code_point in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code_point)) in {"Cf", "Mn"}:
            table[code_point] = None
    table.update(dict.fromkeys(map(ord, _INVISIBLE_EXTRA)))
    return table


def _strip_marks(text: str) -> str:
    """Drop combining accents ("ïgnörë" -> "ignore") and invisible characters."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", decomposed.translate(_strip_table()))


def _fold_leet_word(match: re.Match[str]) -> str:
    word = match.group(0)
    letters = sum(c.isalpha() for c in word)
    if letters < 2 or letters == len(word) or _NUMBER_SUFFIXED.fullmatch(word):
        return word
    return word.translate(_LEET)


def fold_leetspeak(text: str) -> str:
    return _LEET_WORD.sub(_fold_leet_word, text)


def collapse_whitespace(text: str) -> str:
    """Runs of spaces become one space, runs of blank lines one newline (rules may anchor on lines)."""
    return _VERTICAL_SPACE.sub("\n", _HORIZONTAL_SPACE.sub(" ", text)).strip()


def normalize(text: str) -> str:
    """NFKC, invisible and bidi characters removed, case, look-alikes and leetspeak folded."""
    if text.isascii():
        # ASCII has nothing to decompose, strip or fold; most prompts take this path.
        text = text.lower()
    else:
        text = _strip_marks(unicodedata.normalize("NFKC", text)).casefold().translate(_HOMOGLYPHS)
    text = fold_leetspeak(text)
    return collapse_whitespace(text)
