"""The forms a Greek word is looked up by: without its accents, in Latin letters, and as the
nominatives its case ending allows.

Greek declines names and places: "στον Γιώργο", "του Νίκου", "της Μαρίας", "κύριε
Παπαδόπουλε", "στη Θεσσαλονίκη", "από την Αθήνα", "στα Χανιά" but "των Χανίων". The lists hold
the nominative, in Greek letters with their accents (Faker's Greek names and places) or in
Latin letters (the world's: "giorgos", "thessaloniki"), while people type accents where they
please and none in capitals. So a word is read without accents (``unaccented``), the Greek
entries of the lists are kept so too, and a word not listed as written is looked up again as each
nominative its ending allows (``nominatives``), each in Greek and Latin letters
(``latin_spellings``).

The rules know no words: the gazetteer accepts the first form its lists hold, and stops at one
that is an everyday word ("Μαρτίου" is "μαρτιος", March).
"""

# Greek letters on purpose.
# ruff: noqa: RUF001, RUF003

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

# A case ending and the nominative endings it may stand for, the likelier first; longer endings
# are read first ("ων" before "ν" would matter, "ας" before "α" does). Endings are unaccented: an
# accent moves as a word declines ("Αλέξανδρος", "Αλεξάνδρου").
_CASE_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Genitive plural of places named in the plural: "Χανίων", "Ιωαννίνων", "Πατρών", "Σερρών".
    ("ων", ("α", "ες", "ο", "ι")),
    # Genitive of a feminine noun: "Μαρίας", "Αθήνας", "Ελένης", "Κρήτης".
    ("ας", ("α",)),
    ("ης", ("η",)),
    # Genitive of a masculine in -ος or a neuter in -ο or -ι ("Νίκου", "Ηρακλείου", "Λασιθίου"),
    # and a woman's surname made from a man's in -ης ("Γεωργιάδου" of "Γεωργιάδης").
    ("ου", ("ος", "ο", "", "ης")),
    # Accusative of a masculine in -ος ("Γιώργο"), vocative of one ("Κωνσταντίνε", "Παπαδόπουλε").
    ("ο", ("ος",)),
    ("ε", ("ος",)),
    # Accusative, genitive and vocative of a masculine in -ας or -ης ("Κώστα", "Δημήτρη").
    ("α", ("ας",)),
    ("η", ("ης",)),
)
# The shortest stem an ending is taken off ("Νίκου" is "νικ" + "ου"); shorter ones are articles
# and pronouns ("του", "της").
_MIN_STEM = 2
# Greek letters in Latin ones (ELOT 743), the pairs first.
_LATIN_PAIRS = {
    "αι": "ai",
    "ει": "ei",
    "οι": "oi",
    "ου": "ou",
    "υι": "yi",
    "γγ": "ng",
    "γκ": "gk",
    "γξ": "nx",
    "γχ": "nch",
    "μπ": "mp",
    "ντ": "nt",
}
_LATIN_LETTERS = {
    "α": "a",
    "β": "v",
    "γ": "g",
    "δ": "d",
    "ε": "e",
    "ζ": "z",
    "η": "i",
    "θ": "th",
    "ι": "i",
    "κ": "k",
    "λ": "l",
    "μ": "m",
    "ν": "n",
    "ξ": "x",
    "ο": "o",
    "π": "p",
    "ρ": "r",
    "σ": "s",
    "ς": "s",
    "τ": "t",
    "υ": "y",
    "φ": "f",
    "χ": "ch",
    "ψ": "ps",
    "ω": "o",
}
# After α, ε or η, υ is v before a vowel or a voiced consonant and f elsewhere ("Ευαγγελία" is
# "evangelia", "Λευκωσία" "lefkosia").
_VOICELESS = frozenset("θκξπστφχψς")
# How names begin in the common spelling, where it differs from ELOT 743 ("Μπάμπης" is
# "bampis", "Ντίνος" "dinos", "Γκίκας" "gikas").
_COMMON_OPENINGS = (("mp", "b"), ("nt", "d"), ("gk", "g"))


def unaccented(lower: str) -> str:
    """``lower`` without accents, diaereses and breathings: "γιώργος" -> "γιωργος"."""
    decomposed = unicodedata.normalize("NFD", lower)
    return unicodedata.normalize("NFC", "".join(char for char in decomposed if not unicodedata.combining(char)))


def nominatives(word: str) -> Iterator[str]:
    """The nominative forms ``word`` (in lower case) may be a case of, the likelier first:
    "γιώργο" -> "γιώργος"; "μαρίας" -> "μαρία"; "χανίων" -> "χανία". The stem keeps its accents,
    which tell "Αθήνας" (the city's) from "Αθηνάς" (a woman's); the endings are unaccented."""
    bare = unaccented(word)
    for ending, replacements in _CASE_ENDINGS:
        stem = word[: -len(ending)]
        if bare.endswith(ending) and len(stem) >= _MIN_STEM:
            for replacement in replacements:
                yield stem + replacement


def latin_spellings(word: str) -> tuple[str, ...]:
    """``word`` (unaccented, in lower case) in Latin letters: ELOT 743 ("γιωργος" -> "giorgos",
    "θεσσαλονικη" -> "thessaloniki"), then the common spelling of its first letters where that
    differs ("μπαμπης" -> "bampis")."""
    latin = _in_latin_letters(word)
    common = [shorter + latin[len(pair) :] for pair, shorter in _COMMON_OPENINGS if latin.startswith(pair)]
    return (latin, *common)


def _in_latin_letters(word: str) -> str:
    letters: list[str] = []
    index = 0
    while index < len(word):
        char, following = word[index], word[index + 1 : index + 2]
        if char in "αεη" and following == "υ":
            after = word[index + 2 : index + 3]
            letters.append(_LATIN_LETTERS[char] + ("f" if not after or after in _VOICELESS else "v"))
            index += 2
        elif char + following in _LATIN_PAIRS:
            letters.append(_LATIN_PAIRS[char + following])
            index += 2
        else:
            letters.append(_LATIN_LETTERS.get(char, char))
            index += 1
    return "".join(letters)
