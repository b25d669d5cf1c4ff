"""Names and places written with a hyphen or an apostrophe are masked whole, and so is a name the
recognizers found in pieces.

spaCy's tokenizer cuts "Jean-Pierre", "Al-Farsi" and "Min-jun" at the hyphen, so the name model
and the name lists see two words and may tag one of them, or each as a name of its own: "Omar
Al" was masked and "-Farsi" went to the model as written, "Hans-Peter Müller" became two
placeholders (two people, to the model). Once every recognizer has spoken, a person or place
finding grows over the hyphen-joined parts of the word it stands in and over the prefix an
apostrophe joins to a family name ("O'Brien", "D'Angelo", "Dell'Acqua"), and findings of one type
that then overlap, touch or stand one space or a family name's particles apart ("Conor" and
"O'Brien", "Hannah" and "van der Berg") become one: two people are never written side by side
without a word or a comma between them.

A part joins when it is written as a name is: capitalised ("Jean-Pierre", "Olsen-Smith",
"Al-Farsi", "Baden-Württemberg"); or, after a person's name, a syllable of a romanised Korean or
Chinese given name ("Min-jun", "Hyun-woo", "Kai-shek"); or an Arabic article before a family name
("al-Farsi"); or a particle with a capitalised part after it ("Stratford-upon-Avon",
"Aix-en-Provence"). What a hyphen adds to a name in English ("Paris-based", "Tokyo-born",
"Smith-led") is none of these and stays as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from presidio_analyzer import RecognizerResult

from bot.guard.ner_products import BRANDS

COMPOUND_ENTITIES = frozenset({"PERSON", "LOCATION"})
_HYPHENS = "-\u2010\u2011"
_APOSTROPHES = "'\u2019"
# What an apostrophe joins to the front of a family name: Irish O', Italian D', Dell', Dall', Sant'.
# Not French d', which is mostly "of" ("la maison d'Hugo").
_APOSTROPHE_PREFIXES = frozenset({"O", "D", "Dell", "Dall", "Degl", "Sant"})
# One romanised syllable: consonants, a vowel group, an optional final ("jun", "yeon", "hyun",
# "woo", "seok", "young"). An English suffix ("based", "born", "led", "style") has another shape.
_SYLLABLE = re.compile(r"[bcdfghjklmnpqrstwxyz]{0,3}(?:[aeiou]{1,3}|y[aeiou]{1,2})(?:ng|[nmkptlh])?")
_MAX_SYLLABLE = 5
# Arabic articles and kin written before a family name ("al-Farsi", "abu-Bakr").
_ARTICLES = frozenset({"al", "el", "ul", "ad", "ar", "as", "ash", "at", "az", "an", "abu", "bin", "ibn", "ben", "bint"})
_ARTICLE_AND_FAMILY_NAME = re.compile(
    r" (?:" + "|".join(sorted(_ARTICLES, key=len, reverse=True)) + r")[-\u2010\u2011][^\W\d_][^\W\d_]+", re.IGNORECASE
)
# What stands between two parts of one person's or place's name: one space, or the particles of
# family names written apart ("Hannah van der Berg", "Carlos de la Cruz"; not "y" or "e", which join two people).
_NAME_JOINT = re.compile(
    r" (?:(?:van|von|der|den|de|la|le|du|des|da|das|do|dos|di|del|della|zu|ter|ten|bin|ibn|ben) )*"
)
# Particles inside hyphenated place and family names, joined only with a capitalised part after them.
_PARTICLES = frozenset(
    {"upon", "on", "under", "by", "in", "the", "en", "sur", "sous", "le", "la", "les", "lès", "de", "du", "des",
     "d", "am", "an", "im", "bei", "ob", "di", "del", "della", "da", "y", "i"}
)  # fmt: skip
_LETTERS = re.compile(r"[^\W\d_]+")
_LAST_LETTERS = re.compile(r"[^\W\d_]+$")
# The longest part looked at before a hyphen: longer runs are not the names this is about.
_LONGEST_PART = 40


def _is_capitalised(part: str) -> bool:
    return part[:1].isupper()


def _joins_after(text: str, part: str, end: int, entity_type: str) -> bool:
    """Whether ``part``, which ends at ``end`` and follows a hyphen after a finding, belongs to it."""
    if _is_capitalised(part):
        return True
    if part in _PARTICLES and _capitalised_part_follows(text, end):
        return True
    if entity_type != "PERSON":
        return False
    if part in _ARTICLES:
        return _capitalised_part_follows(text, end)
    return len(part) <= _MAX_SYLLABLE and _SYLLABLE.fullmatch(part) is not None


def _capitalised_part_follows(text: str, end: int) -> bool:
    if end + 1 >= len(text) or text[end] not in _HYPHENS:
        return False
    following = _LETTERS.match(text, end + 1)
    return following is not None and _is_capitalised(following.group(0))


def _joins_before(part: str, entity_type: str) -> bool:
    """Whether ``part``, which stands before a hyphen that opens a finding, belongs to it."""
    return _is_capitalised(part) or (entity_type == "PERSON" and part in _ARTICLES)


def _capitalised_part_precedes(text: str, start: int, part: str) -> bool:
    """Whether ``part``, a particle starting at ``start``, follows a hyphen after a capitalised
    part ("Aix-en-" before "Provence")."""
    if part not in _PARTICLES or start < 2 or text[start - 1] not in _HYPHENS:
        return False
    preceding = _LAST_LETTERS.search(text, max(0, start - 1 - _LONGEST_PART), start - 1)
    return preceding is not None and _is_capitalised(preceding.group(0))


def _grown(text: str, start: int, end: int, entity_type: str) -> tuple[int, int]:
    return _grown_left(text, start, entity_type), _grown_right(text, start, end, entity_type)


def _grown_right(text: str, start: int, end: int, entity_type: str) -> int:
    while True:
        # A finding may already end on the hyphen ("Jae-" of "Jae-won").
        hyphen = end - 1 if end - 1 > start and text[end - 1] in _HYPHENS else end
        if entity_type == "PERSON" and (family_name := _ARTICLE_AND_FAMILY_NAME.match(text, end)):
            # "Omar al-Farsi": the model tags the given name and passes the family name by.
            end = family_name.end()
            continue
        if hyphen >= len(text) or text[hyphen] not in _HYPHENS:
            return end
        following = _LETTERS.match(text, hyphen + 1)
        if following is None or not _joins_after(text, following.group(0), following.end(), entity_type):
            return end
        end = following.end()


def _grown_left(text: str, start: int, entity_type: str) -> int:
    start = _with_apostrophe_prefix(text, start)
    while start >= 2 and text[start - 1] in _HYPHENS:
        preceding = _LAST_LETTERS.search(text, max(0, start - 1 - _LONGEST_PART), start - 1)
        if preceding is None:
            return start
        part = preceding.group(0)
        if not (_joins_before(part, entity_type) or _capitalised_part_precedes(text, preceding.start(), part)):
            return start
        start = _with_apostrophe_prefix(text, preceding.start())
    return start


def _with_apostrophe_prefix(text: str, start: int) -> int:
    if start < 2 or text[start - 1] not in _APOSTROPHES:
        return start
    prefix = _LAST_LETTERS.search(text, max(0, start - 6), start - 1)
    if prefix is None or prefix.group(0) not in _APOSTROPHE_PREFIXES:
        return start
    if prefix.start() > 0 and (text[prefix.start() - 1].isalnum() or text[prefix.start() - 1] in _APOSTROPHES):
        return start
    return prefix.start()


def whole_compound_names(text: str, results: Iterable[RecognizerResult]) -> list[RecognizerResult]:
    """``results`` with each person and place finding grown over the hyphen- and apostrophe-joined
    parts of its name, and findings of one such type that overlap, touch or stand one space apart
    merged into one (the higher score)."""
    kept: list[RecognizerResult] = []
    grown: list[RecognizerResult] = []
    for result in results:
        if result.entity_type not in COMPOUND_ENTITIES:
            kept.append(result)
            continue
        start, end = _grown(text, result.start, result.end, result.entity_type)
        if (start, end) != (result.start, result.end) and text[start:end].lower() in BRANDS:
            # Grown into a brand written with a hyphen or an apostrophe ("Coca-Cola", "Irn-Bru"):
            # the part the recognizers saw alone ("Bru") may be a name, the whole is a thing. A
            # finding that did not grow is left as the recognizers judged it: "my daughter Zara".
            continue
        grown.append(
            RecognizerResult(
                result.entity_type, start, end, result.score, result.analysis_explanation, result.recognition_metadata
            )
        )
    if not grown:
        return kept
    merged: list[RecognizerResult] = []
    for result in sorted(grown, key=lambda r: (r.entity_type, r.start, -r.end)):
        last = merged[-1] if merged and merged[-1].entity_type == result.entity_type else None
        if last is not None and (result.start <= last.end or _NAME_JOINT.fullmatch(text, last.end, result.start)):
            last.end = max(last.end, result.end)
            last.score = max(last.score, result.score)
            continue
        merged.append(result)
    return sorted([*kept, *_one_type_where_they_overlap(merged)], key=lambda r: (r.start, r.end))


def _one_type_where_they_overlap(results: list[RecognizerResult]) -> list[RecognizerResult]:
    """A person and a place finding grown into each other ("Chiara Dell'" and "Dell'Orto") become
    one finding over both, of the type scored higher (the first one's on a tie): the placeholder step
    keeps one of two overlapping findings, which would leave the other's part as written."""
    resolved: list[RecognizerResult] = []
    for result in sorted(results, key=lambda r: (r.start, -r.end)):
        last = resolved[-1] if resolved else None
        if last is None or result.start >= last.end:
            resolved.append(result)
            continue
        if result.score > last.score:
            last.entity_type = result.entity_type
            last.recognition_metadata = result.recognition_metadata
            last.analysis_explanation = result.analysis_explanation
        last.end = max(last.end, result.end)
        last.score = max(last.score, result.score)
    return resolved
