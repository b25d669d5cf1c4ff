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

from bot.guard.common_english import COMMON_WORDS, is_english_spelling

# Invisible characters that survive NFKC: zero-width space/joiners, word joiner, BOM,
# soft hyphen, Mongolian vowel separator, bidi embeddings/overrides/isolates, and the
# Unicode "tag" block used to smuggle hidden ASCII. Category Cf covers most of them.
_INVISIBLE_EXTRA = frozenset({"\u180e", "\u115f", "\u1160", "\u3164", "\uffa0"})

# Lower-case Cyrillic, Greek and IPA letters that render like Latin ones (after casefold),
# and typographic quotes: "ignore" spelt with a Cyrillic i, o and e reads as "ignore".
_HOMOGLYPH_SOURCES = "авсԁеёһніїјкӏмпорԛгѕтуүхԝѡьзαβϲδεϵηιίκνοόρϱτυύχωγμςσɡɑɩʟ\u2018\u2019\u201c\u201d"
_HOMOGLYPHS = str.maketrans(_HOMOGLYPH_SOURCES, "abcdeehhiijklmnopqrstyyxwwb3abcdeeniikvoopptuuxwyusogail''\"\"")
# Most non-ASCII prompts (accented Latin, CJK) hold none of them; translating costs a table
# look-up per character, searching for one a C scan.
_HAS_HOMOGLYPH = re.compile("[" + re.escape(_HOMOGLYPH_SOURCES) + "]")

# Digits and symbols standing in for letters inside a word ("1gn0re", "pr3v!ous").
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s", "!": "i"}
)
# "1" stands for an l as often as for an i ("ru1es", "a11").
_LEET_ONE_AS_L = str.maketrans({"1": "l"})
# Only words holding a digit or symbol are candidates; "!" counts only between word
# characters, so "now!!!" keeps its punctuation.
_LEET_WORD = re.compile(
    r"(?<![a-z0-9@$])(?:[a-z0-9@$]*[0-9@$][a-z0-9@$]*(?:![a-z0-9@$]+)*|[a-z0-9@$]+(?:![a-z0-9@$]+)+)"
)
# Names with a number suffix ("base64", "rot13", "covid19") are real words, not disguises; so are
# ordinals, times and sizes ("14th", "10am", "64gb").
_NUMBER_SUFFIXED = re.compile(r"[a-z]+[0-9]{2,}")
_NUMBER_WITH_UNIT = re.compile(r"([0-9]+)(st|nd|rd|th|am|pm|[kmgt]b|km|kg|mg|cm|mm|ml|px|ms|hz|fps|[kmgxpd])")
_ORDINAL_ENDINGS = {"1": "st", "2": "nd", "3": "rd"}
# Distinct words of three characters or more, written in leetspeak, that fold into common English
# words before the short ones are read too. Two-character ones do not count: markup ("<h3>") and
# hex dumps ("a7 d0") are full of them.
_LEET_WORDS_SHOWN = 2
_SHOWN_MIN_CHARS = 3
_CONTRACTION_ENDINGS = frozenset({"s", "t", "re", "ve", "ll", "d", "m"})
_MAX_LOOKUPS = 256
# Runs of horizontal whitespace that are not already one plain space: rewriting each single space
# as itself was most of the cost of collapsing.
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]{2,}|[^\S \n]")
_VERTICAL_SPACE = re.compile(r"\s*\n\s*")
_LAST_BMP = 0xFFFF
_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")


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


@cache
def _strip_bmp_pattern() -> re.Pattern[str]:
    """The table's characters of the Basic Multilingual Plane as one character class, which the
    regex engine tests with a bitmap: deleting them costs a third of ``str.translate``, which
    looks up every character. (Past U+FFFF the engine walks the class range by range, so text
    holding such characters, emoji mostly, keeps ``str.translate``.)"""
    ranges: list[tuple[int, int]] = []
    for code in sorted(code for code in _strip_table() if code <= _LAST_BMP):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return re.compile("[" + "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in ranges) + "]")


def _strip_marks(text: str) -> str:
    """Drop combining accents ("ïgnörë" -> "ignore") and invisible characters."""
    decomposed = unicodedata.normalize("NFD", text)
    if _BEYOND_BMP.search(decomposed):
        stripped = decomposed.translate(_strip_table())
    else:
        stripped = _strip_bmp_pattern().sub("", decomposed)
    return unicodedata.normalize("NFC", stripped)


def _folds_alone(word: str, letters: int) -> bool:
    """A word with two letters or more beside its digits reads as leetspeak wherever it stands
    ("1gn0r3", "pr3v10u5"); a name with a number suffix or a number with a unit does not."""
    return letters >= 2 and not _NUMBER_SUFFIXED.fullmatch(word) and not _is_number_with_unit(word)


def fold_leetspeak(text: str) -> str:
    """Digits and symbols read as the letters they stand for, inside words.

    A word that keeps one letter or none ("7h3", "0f", "15", "n07") could as well be a count, a
    version or a product name ("m3", "5g", "15"); such a word is folded only into a common English
    word, and only in a prompt where two other words so written ("4r3", "rul35") fold into common
    words: the prompt is then plainly written in leetspeak, and "7h3" is "the".
    """
    candidates = list(_LEET_WORD.finditer(text))
    if not candidates:
        return text
    speller = _Speller()
    # Per candidate, its letters and its reading (None for a word of letters alone), each made once.
    readings: list[tuple[int, str | None]] = []
    folded: list[str | None] = []
    shown: set[str] = set()
    for match in candidates:
        word = match.group(0)
        letters = sum(char.isalpha() for char in word)
        reading = None if letters == len(word) else speller.reading(word, letters)
        readings.append((letters, reading))
        if reading is not None and letters and len(word) >= _SHOWN_MIN_CHARS and reading in COMMON_WORDS:
            shown.add(reading)
        folded.append(reading if reading is not None and _folds_alone(word, letters) else None)
    if len(shown) >= _LEET_WORDS_SHOWN:
        folded = [
            alone
            if alone is not None or reading is None
            else _weak_reading(
                match.group(0), letters, reading, after_apostrophe=_after_apostrophe(text, match), speller=speller
            )
            for match, (letters, reading), alone in zip(candidates, readings, folded, strict=True)
        ]
    pieces: list[str] = []
    start = 0
    for match, fold in zip(candidates, folded, strict=True):
        if fold is not None:
            pieces += [text[start : match.start()], fold]
            start = match.end()
    return "".join(pieces) + text[start:] if pieces else text


def _is_number_with_unit(word: str) -> bool:
    """ "14th", "10am", "64gb"; not "4nd", which no ordinal is."""
    match = _NUMBER_WITH_UNIT.fullmatch(word)
    if match is None:
        return False
    digits, unit = match.groups()
    if unit not in ("st", "nd", "rd", "th"):
        return True
    teen = len(digits) >= 2 and digits[-2] == "1"
    return unit == ("th" if teen else _ORDINAL_ENDINGS.get(digits[-1], "th"))


class _Speller:
    """Spelling-list look-ups for one prompt's leetspeak, a bisection of the list each; a prompt of
    thousands of digit-laden words gets the first ``_MAX_LOOKUPS`` and reads the rest as written
    with a "1" for an i."""

    def __init__(self) -> None:
        self.left = _MAX_LOOKUPS

    def is_english(self, word: str) -> bool:
        if word in COMMON_WORDS:
            return True
        if self.left <= 0:
            return False
        self.left -= 1
        return is_english_spelling(word)

    def reading(self, word: str, letters: int) -> str:
        """The word with its digits and symbols read as letters, a "1" read as an l where only that
        makes an English word of it: of the spelling list where a letter stays, a common word where
        none does ("7311"), as digits alone stand for no other."""
        reading = word.translate(_LEET)
        if "1" not in word:
            return reading
        is_word = self.is_english if letters else COMMON_WORDS.__contains__
        if not is_word(reading):
            with_l = word.translate(_LEET_ONE_AS_L).translate(_LEET)
            if is_word(with_l):
                return with_l
        return reading


def _after_apostrophe(text: str, match: re.Match[str]) -> bool:
    return match.start() >= 2 and text[match.start() - 1] in "'’" and text[match.start() - 2].isalnum()


def _weak_reading(word: str, letters: int, reading: str, *, after_apostrophe: bool, speller: _Speller) -> str | None:
    """What a word too short or too number-like to fold alone (``reading`` with its digits and
    symbols read as letters) reads as in a leetspeak prompt: a common English word, a contraction's
    ending ("it'5", "don'7"), or for a word that keeps a letter, any word of the spelling list
    ("4551574n7", "d474"). Digits alone stand only for common words: a table's "455" is a count."""
    if _is_number_with_unit(word) or reading == word:
        return None
    if after_apostrophe and reading in _CONTRACTION_ENDINGS:
        return reading
    if reading in COMMON_WORDS or (letters and speller.is_english(reading)):
        return reading
    return None


def collapse_whitespace(text: str) -> str:
    """Runs of spaces become one space, runs of blank lines one newline (rules may anchor on lines)."""
    return _VERTICAL_SPACE.sub("\n", _HORIZONTAL_SPACE.sub(" ", text)).strip()


def normalize(text: str) -> str:
    """NFKC, invisible and bidi characters removed, case, look-alikes and leetspeak folded."""
    if text.isascii():
        # ASCII has nothing to decompose, strip or fold; most prompts take this path.
        text = text.lower()
    else:
        text = _strip_marks(unicodedata.normalize("NFKC", text)).casefold()
        if _HAS_HOMOGLYPH.search(text):
            text = text.translate(_HOMOGLYPHS)
    text = fold_leetspeak(text)
    return collapse_whitespace(text)
