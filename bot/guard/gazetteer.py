"""Known names and places, read from the word lists beside the packaged NER model.

ner_word_lists.py writes them from Faker's locales when the model is trained. The NER gate asks
two questions of them, both by set look-up, per token:

- ``KNOWN``: a known first or last name or place that is not also an everyday English word
  ("Priya", "Lisbon", "KNIVSTA"), or a town made the way Faker makes them ("Reginaville");
- ``POSSIBLE``: a name or place that is also an everyday word ("Mark", "Green", "Rose"), which
  counts only beside another name ("Mark Green") or behind a title ("Dr. Long").

A span the model tags is masked only when such words back it: the model alone tags words like
"Helper", "Python" or "Due Date" as names often enough to garble one everyday prompt in five.
"""

# The transliteration table holds Cyrillic letters on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import mmap
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from bot.guard import greek_words, latin_declension
from bot.guard.declension import nominatives, stems

NAMES_FILE = "names.txt"
PLACES_FILE = "places.txt"
ENGLISH_WORDS_FILE = "english_words.txt"
CITY_PREFIXES_FILE = "city_prefixes.txt"
CITY_SUFFIXES_FILE = "city_suffixes.txt"
DICTIONARY_FILE = "dictionary.txt"
COMMON_WORDS_FILE = "common_words.txt"

# Shortest town stem Faker-style composition counts ("Annaton", not "Ton" or "Burton").
_MIN_STEM = 3
# Titles before a surname: "Dr. Long", "Mrs Green".
TITLES = frozenset(
    "mr mrs ms miss mx dr prof sir madam dame lady lord herr frau sr sra srta dona dom mme mlle dott sig avv ing dhr mevr".split()
)


def _read(path: Path) -> frozenset[str]:
    try:
        return frozenset(path.read_text(encoding="utf-8").split("\n")) - {""}
    except FileNotFoundError:
        return frozenset()


def _map(path: Path) -> bytes | mmap.mmap:
    """The file's bytes, memory-mapped: a page is read in only when a look-up touches it, and
    the web processes on one machine share the pages."""
    try:
        with path.open("rb") as file:
            if os.fstat(file.fileno()).st_size == 0:
                return b""
            return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except FileNotFoundError:
        return b""


def spelling_list(path: Path) -> SortedLines:
    """A sorted word list on disk, memory-mapped for look-ups (empty when the file is missing)."""
    return SortedLines(_map(path))


class SortedLines:
    """Membership in a sorted file of lines, searched in place by bisecting its bytes (as
    look(1) does): 200,000 words as Python strings would cost the web process some 20 MB; this
    costs the pages a look-up touches, about 18 per word."""

    def __init__(self, blob: bytes | mmap.mmap) -> None:
        self.blob = blob
        # A blob held in memory is indexed by its lines' first bytes, so a look-up bisects only
        # the few lines sharing the word's; a mapped file is not, as that would read every page.
        self._ranges = _ranges_by_prefix(blob) if isinstance(blob, bytes) else None

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, bytes) or b"\n" in word:
            return False
        blob = self.blob
        low, high = 0, len(blob)  # ``low`` is always the start of a line
        if self._ranges is not None:
            lines = self._ranges.get(word[:_PREFIX_BYTES])
            if lines is None:
                return False
            low, high = lines >> _OFFSET_BITS, lines & _LAST_OFFSET
        while low < high:
            start = blob.rfind(b"\n", low, (low + high) // 2) + 1 or low
            end = blob.find(b"\n", start)
            if end < 0:
                end = len(blob)
            line = blob[start:end]
            if line == word:
                return True
            if line < word:
                low = end + 1
            else:
                high = start
        return False


# Bytes of a line's start that index an in-memory blob: a few lines share each such prefix.
_PREFIX_BYTES = 3
# Two offsets are packed in one int (first << _OFFSET_BITS | after): half the memory of a pair.
_OFFSET_BITS = 32
_LAST_OFFSET = (1 << _OFFSET_BITS) - 1


def _ranges_by_prefix(blob: bytes) -> dict[bytes, int]:
    """For each prefix of ``_PREFIX_BYTES`` (a line's whole when shorter) the lines of the sorted
    ``blob`` start with, the offsets of the first such line and of the line after the last,
    packed: the lines sharing a prefix are neighbours in sorted order."""
    ranges: dict[bytes, int] = {}
    start = 0
    while start < len(blob):
        end = blob.find(b"\n", start)
        if end < 0:
            end = len(blob)
        prefix = blob[start : min(start + _PREFIX_BYTES, end)]
        first = ranges[prefix] >> _OFFSET_BITS if prefix in ranges else start
        ranges[prefix] = first << _OFFSET_BITS | (end + 1)
        start = end + 1
    return ranges


class SortedWords:
    """A set of words for ``in``, kept as one sorted UTF-8 blob (byte order is code point order)."""

    def __init__(self, words: Iterable[str]) -> None:
        self._lines = SortedLines("".join(f"{word}\n" for word in sorted(set(words))).encode("utf-8"))

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and word.encode("utf-8") in self._lines


# What a word may be, from the lists: nothing, a possible name or place ("Mark", "Green"), or a
# known one no everyday English word is spelt like ("Priya", "Lisbon").
NOTHING, POSSIBLE, KNOWN = 0, 1, 2
_CYRILLIC_LETTER = "[\u0400-\u04ff]"
_CYRILLIC_WORD = re.compile(f"{_CYRILLIC_LETTER}+(?: {_CYRILLIC_LETTER}+)*")
_HOLDS_CYRILLIC = re.compile(_CYRILLIC_LETTER)
# Greek and Coptic, and the accented letters of polytonic Greek.
_GREEK_LETTER = "[\u0370-\u03ff\u1f00-\u1fff]"
_GREEK_WORD = re.compile(f"{_GREEK_LETTER}+(?: {_GREEK_LETTER}+)*")
_HOLDS_GREEK = re.compile(_GREEK_LETTER)
_MIN_TRANSLITERATED = 4
# Russian and Ukrainian letters as names are spelt in Latin letters (BGN/PCGN, simplified).
_RUSSIAN_LATIN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "і": "i",
    "ї": "i",
    "є": "ye",
    "ґ": "g",
}
_TRANSLITERATION = str.maketrans(_RUSSIAN_LATIN)
# Ukrainian letters in the Latin letters of Ukraine's own spelling (2010), where it differs.
_UKRAINIAN_TRANSLITERATION = str.maketrans(
    {**_RUSSIAN_LATIN, "г": "h", "и": "y", "ї": "i", "й": "i", "є": "ie", "ю": "iu", "я": "ia"}
)
_TRANSLITERATIONS = (_TRANSLITERATION, _UKRAINIAN_TRANSLITERATION)
# Letters only Ukrainian has: a word with one is read in Ukraine's spelling too ("києві" as "kyiv");
# read so, Russian words made names ("компании" as "kompany").
_UKRAINIAN_ONLY = re.compile("[іїєґ]")
# The shortest part of a compound word ("Headlamp", "Radiohead"): of the world's names in
# data/gazetteer, 0.8 % split into two dictionary words this long ("Benjamin"), 7.5 % into
# shorter ones ("Alfredo"). English compounds are written in ASCII.
_MIN_COMPOUND_PART = 4
# Regular English endings and what the word ends in without them: "rules" -> "rule",
# "stories" -> "story", "helper" -> "help", "continuously" -> "continuous".
_INFLECTIONS = (
    ("s", ""),
    ("es", ""),
    ("ies", "y"),
    ("ed", ""),
    ("ed", "e"),
    ("ing", ""),
    ("ing", "e"),
    ("ly", ""),
    ("ily", "y"),
    ("er", ""),
    ("er", "e"),
    ("ers", ""),
    ("ers", "e"),
    ("ment", ""),
    ("ments", ""),
    ("ness", ""),
    ("ion", "e"),
    ("ions", "e"),
    ("ation", "e"),
    ("ations", "e"),
    ("ity", ""),
    ("al", ""),
    ("ally", ""),
    ("ful", ""),
    ("less", ""),
    ("able", ""),
    ("ive", "e"),
    ("ist", ""),
    ("ists", ""),
)
# Every ending above, for one test in C before the loop over them: most words end in none.
_INFLECTED_ENDINGS = tuple(sorted({ending for ending, _ in _INFLECTIONS}))
# Words past this many distinct spellings are classified again rather than remembered.
_CACHE_LIMIT = 20_000


class Gazetteer:
    def __init__(
        self,
        *,
        names: Iterable[str],
        places: Iterable[str],
        english: frozenset[str],
        city_prefixes: frozenset[str],
        city_suffixes: frozenset[str],
        dictionary: bytes | mmap.mmap = b"",
        common: bytes | mmap.mmap = b"",
    ) -> None:
        # Held as sorted lines, not Python strings (see SortedLines): 60,000 strings cost the web
        # process some 6 MB. Greek entries are held without their accents too, as Greek words are
        # looked up (greek_words.py).
        names = list(names)
        self.names = SortedWords([*names, *_unaccented_greek(names)])
        places = list(places)
        # Every word of a place name ("new", "york"), and the names whole ("hong kong"). A Greek
        # word is looked up among the places whole only: a word of a longer place is as often an
        # everyday one ("Νέα", "Μέσα", "Αγίου", "Χωρίου") or a case of a name ("Kosta Rika").
        self.place_words = SortedWords(word for place in places for word in _split(place))
        self.places = SortedWords([*places, *_unaccented_greek(places)])
        self.english = english
        self._greek_everyday = frozenset(_unaccented_greek(english))
        self.city_prefixes = city_prefixes
        self.city_suffixes = tuple(sorted(city_suffixes, key=len, reverse=True))
        self._dictionary = SortedLines(dictionary)
        # Today's common words in lower case ("vibe", "takeaways", "hacker"): the 1934 dictionary
        # lacks the modern ones, and names no one would call a word are not among them.
        self._common = SortedLines(common)
        self._kinds: dict[tuple[str, bool], int] = {}
        self._is_name: dict[str, bool] = {}
        self._is_place: dict[str, bool] = {}
        self._english: dict[str, bool] = {}
        self._in_dictionary: dict[str, bool] = {}
        self._is_compound: dict[str, bool] = {}
        self._listed_spellings: dict[str, str | None] = {}
        self._declined: dict[tuple[str, bool, bool], str | None] = {}

    @classmethod
    def from_directory(cls, directory: Path, *, extra_english: Iterable[str] = ()) -> Gazetteer:
        return cls(
            names=_read(directory / NAMES_FILE),
            places=_read(directory / PLACES_FILE),
            english=_read(directory / ENGLISH_WORDS_FILE) | frozenset(extra_english),
            city_prefixes=_read(directory / CITY_PREFIXES_FILE),
            city_suffixes=_read(directory / CITY_SUFFIXES_FILE),
            dictionary=_map(directory / DICTIONARY_FILE),
            common=_map(directory / COMMON_WORDS_FILE),
        )

    @staticmethod
    def present_in(directory: Path) -> bool:
        return (directory / NAMES_FILE).exists()

    def kind(self, lower: str, *, capitalised: bool = True) -> int:
        """``NOTHING``, ``POSSIBLE`` or ``KNOWN`` for a word given in lower case. Only a word
        written with a capital can be a made-up town ("Reginaville", not "marking")."""
        key = (lower, capitalised)
        kind = self._kinds.get(key)
        if kind is None:
            kind = self._classify(lower, capitalised)
            if len(self._kinds) < _CACHE_LIMIT:
                self._kinds[key] = kind
        return kind

    def is_name(self, lower: str) -> bool:
        """A first, middle or last name of the lists (in lower case)."""
        return _remembered(self._is_name, self._as_listed(lower), self.names.__contains__)

    def is_place(self, lower: str) -> bool:
        """A place listed whole ("hong kong"), in lower case."""
        return _remembered(self._is_place, self._as_listed(lower), self.places.__contains__)

    def declined_kind(self, lower: str, *, polish: bool, genitive: bool) -> int:
        """``KNOWN`` for a Latin-script word the lists hold in no form as written but as a name
        or a whole place in the nominative its ending allows: a Polish case (``polish``: "kasi"
        as "kasia", "wrocławia" as "wrocław") or a German, Dutch or Nordic genitive
        (``genitive``: "annas" as "anna"); see latin_declension.py. ``NOTHING`` otherwise, and
        for an everyday word."""
        listed = self.declined_nominative(lower, polish=polish, genitive=genitive)
        return NOTHING if listed is None else KNOWN

    def declined_nominative(self, lower: str, *, polish: bool, genitive: bool) -> str | None:
        """The listed nominative ``declined_kind`` finds, or None; remembered, since the gate asks
        about each word of a prompt from many places."""
        key = (lower, polish, genitive)
        if key in self._declined:
            return self._declined[key]
        listed = self._find_declined_nominative(lower, polish=polish, genitive=genitive)
        if len(self._declined) < _CACHE_LIMIT:
            self._declined[key] = listed
        return listed

    def _find_declined_nominative(self, lower: str, *, polish: bool, genitive: bool) -> str | None:
        if self.kind(lower) != NOTHING or lower in self.english or self.is_common(lower) or is_cyrillic(lower):
            return None
        if polish:
            listed = next(
                (form for form in latin_declension.nominatives(lower) if form in self.names or form in self.places),
                None,
            )
            if listed is not None:
                return listed
        # A genitive is a person's ("Annas"); "Nederlands" is the language of the Netherlands.
        stem = latin_declension.genitive_stem(lower) if genitive else None
        return stem if stem is not None and stem in self.names and not self.is_place(stem) else None

    def is_declined_name(self, lower: str, *, polish: bool, genitive: bool) -> bool:
        """Whether the nominative ``declined_kind`` finds is a name, not a place."""
        listed = self.declined_nominative(lower, polish=polish, genitive=genitive)
        return listed is not None and listed in self.names and not self.is_place(listed)

    def is_compound(self, lower: str) -> bool:
        """Two of today's words written as one ("headlamp", "radiohead", "sweetgreen"): an English
        compound or a brand; a name no list knows seldom splits so ("thirumurthi")."""
        return _remembered(self._is_compound, lower, self._splits_into_words)

    def _splits_into_words(self, lower: str) -> bool:
        return lower.isascii() and any(
            self._is_today_word(lower[:cut]) and self._is_today_word(lower[cut:])
            for cut in range(_MIN_COMPOUND_PART, len(lower) - _MIN_COMPOUND_PART + 1)
        )

    def _is_today_word(self, lower: str) -> bool:
        return self.is_english(lower) or self.is_common(lower) or self.kind(lower) == POSSIBLE

    def _classify(self, lower: str, capitalised: bool) -> int:
        if is_cyrillic(lower):
            return self._classify_cyrillic(lower)
        if is_greek(lower):
            return self._classify_greek(lower)
        known = lower in self.names or lower in self.place_words
        if not (known or (capitalised and self.is_composed_town(lower))):
            return NOTHING
        return POSSIBLE if lower in self.english or self.is_common(lower) else KNOWN

    def _classify_cyrillic(self, lower: str) -> int:
        """A Cyrillic word is read by its Latin spelling ("анна" as "anna", "київ" as "kyiv"): the
        lists hold the world's names and places as typed on an English keyboard. Short words and
        those whose spelling is English are nothing ("Дом" is "dom"), and so are the everyday words
        given as English (pronouns and request openers every sentence has). A word the lists don't
        hold as written is read as the nominatives its case ending allows ("светланы" as
        "svetlana", "харкова" as "kharkiv")."""
        if len(lower.translate(_TRANSLITERATION)) < _MIN_TRANSLITERATED or lower in self.english:
            return NOTHING
        listed = self._listed_spelling(lower)
        return KNOWN if listed is not None and not (listed in self.english or self.is_common(listed)) else NOTHING

    def _classify_greek(self, lower: str) -> int:
        """A Greek word is read as the lists hold it (``_greek_reading``): "γιώργο" as "γιωργος",
        "θεσσαλονίκης" as "thessaloniki". Short words and everyday ones are nothing."""
        if len(greek_words.latin_spellings(greek_words.unaccented(lower))[0]) < _MIN_TRANSLITERATED:
            return NOTHING
        listed = self._greek_reading(lower)
        return KNOWN if listed and not (listed in self.english or self.is_common(listed)) else NOTHING

    def _greek_reading(self, lower: str) -> str | None:
        """How the lists hold a Greek word: as written, with its accents, or else in Greek letters
        without accents or in Latin ones, itself or the first nominative its ending allows that
        they hold ("γιώργο" as "γιωργος", "μαρίας" as "μαρια", "λευκωσίας" as "lefkosia"). ""
        when a form before it is an everyday word ("μαρτίου" is "μαρτιος", March; "μόνο" is
        "mono"); None when they hold none. The accents tell "Αθήνα", the city, from "Αθηνά"."""
        if lower in self._listed_spellings:
            return self._listed_spellings[lower]
        listed = None
        for accented in (lower, *greek_words.nominatives(lower)):
            form = greek_words.unaccented(accented)
            latins = greek_words.latin_spellings(form)
            if form in self._greek_everyday or latins[0] in self.english:
                listed = ""
                break
            if accented in self.names or accented in self.places:
                listed = accented
                break
            if form in self.names or form in self.places:
                listed = form
                break
            listed = next((latin for latin in latins if latin in self.names or latin in self.places), None)
            if listed is not None:
                break
        if len(self._listed_spellings) < _CACHE_LIMIT:
            self._listed_spellings[lower] = listed
        return listed

    def _listed_spelling(self, lower: str) -> str | None:
        """The Latin spelling the lists hold of a Cyrillic word: as written, or else the first
        nominative its ending allows that they hold (``declension.nominatives``). None when they
        hold none, or when a form before it is an everyday word ("новой" is "нова", new; "планы"
        is "план", plan). Ukrainian names are listed in Ukrainian spelling too ("kyiv", "oleh").
        A Greek word, as ``_greek_reading`` reads it."""
        if is_greek(lower):
            return self._greek_reading(lower) or None
        if lower in self._listed_spellings:
            return self._listed_spellings[lower]
        spellings = _TRANSLITERATIONS if _UKRAINIAN_ONLY.search(lower) else _TRANSLITERATIONS[:1]
        listed = self._listed_form(lower, spellings)
        if listed is None and not self._is_everyday_stem(lower):
            for form in nominatives(lower):
                listed = self._listed_form(form, spellings)
                if listed is not None:
                    break
        listed = listed or None
        if len(self._listed_spellings) < _CACHE_LIMIT:
            self._listed_spellings[lower] = listed
        return listed

    def _listed_form(self, form: str, spellings: tuple[dict[int, str], ...]) -> str | None:
        """The Latin spelling of ``form`` the lists hold; "" when it is an everyday word (and so
        no name, whatever its other forms); None when they hold it in no spelling."""
        latins = [form.translate(spelling) for spelling in spellings]
        if form in self.english or latins[0] in self.english:
            return ""
        return next(
            (
                latin
                for latin in latins
                if len(latin) >= _MIN_TRANSLITERATED and (latin in self.names or latin in self.place_words)
            ),
            None,
        )

    def _is_everyday_stem(self, lower: str) -> bool:
        return any(stem in self.english or stem.translate(_TRANSLITERATION) in self.english for stem in stems(lower))

    def _as_listed(self, lower: str) -> str:
        """How the lists would spell ``lower``: each Cyrillic word in Latin letters, each Greek one
        without accents, in the form they hold it if any; anything else as it is."""
        if is_greek(lower):
            return " ".join(self._listed_spelling(word) or greek_words.unaccented(word) for word in lower.split(" "))
        if not is_cyrillic(lower):
            return lower
        return " ".join(self._listed_spelling(word) or word.translate(_TRANSLITERATION) for word in lower.split(" "))

    def is_common(self, lower: str) -> bool:
        """A word today's spelling list has in lower case ("split", "prime", "smith")."""
        return lower.isascii() and lower.encode("ascii") in self._common

    def is_english(self, lower: str) -> bool:
        """An everyday English word or a regular form of one ("rules", "helper", "continuously");
        a Greek word given as one, in any case ("Μαρτίου", "Αγαπητέ")."""
        english = self._english.get(lower)
        if english is None and is_greek(lower):
            english = self._greek_reading(lower) == ""
        if english is None:
            english = lower in self.english or (
                lower.endswith(_INFLECTED_ENDINGS)
                and any(
                    lower.endswith(ending)
                    and len(lower) > len(ending) + 2
                    and lower[: -len(ending)] + base in self.english
                    for ending, base in _INFLECTIONS
                )
            )
            if len(self._english) < _CACHE_LIMIT:
                self._english[lower] = english
        return english

    def is_dictionary_word(self, lower: str) -> bool:
        """An everyday English word (``is_english``) or a word an English dictionary lists in
        lower case, or a regular form of one ("worried", "legends", "optimistic"): a capitalised
        word no name list knows is taken for a name only when it is none of these."""
        found = self._in_dictionary.get(lower)
        if found is None:
            bases: tuple[str, ...] = (lower,)
            if lower.endswith(_INFLECTED_ENDINGS):
                bases += tuple(lower[: -len(end)] + base for end, base in _INFLECTIONS if lower.endswith(end))
            found = self.is_english(lower) or any(
                self._listed(base) or self.is_common(base) for base in bases if len(base) > 2
            )
            if len(self._in_dictionary) < _CACHE_LIMIT:
                self._in_dictionary[lower] = found
        return found

    def _listed(self, lower: str) -> bool:
        return lower.isascii() and lower.encode("ascii") in self._dictionary

    def is_composed_town(self, lower: str) -> bool:
        """A first or last name with a town ending: "reginaville", "hansenborough"."""
        if not lower.endswith(self.city_suffixes):
            return False  # most words: one test in C instead of one a suffix
        for suffix in self.city_suffixes:
            if lower.endswith(suffix) and len(lower) - len(suffix) >= _MIN_STEM:
                stem = lower[: -len(suffix)]
                if stem in self.names:
                    return True
        return False


def _remembered(cache: dict[str, bool], word: str, look_up: Callable[[str], bool]) -> bool:
    """``look_up(word)``, remembered in ``cache`` up to ``_CACHE_LIMIT`` words: a look-up bisects
    the sorted lines, and a prompt asks about the same words many times."""
    found = cache.get(word)
    if found is None:
        found = look_up(word)
        if len(cache) < _CACHE_LIMIT:
            cache[word] = found
    return found


def _split(text: str) -> Iterable[str]:
    word = []
    for char in text:
        if char.isalpha():
            word.append(char)
        elif word:
            yield "".join(word)
            word = []
    if word:
        yield "".join(word)


def is_cyrillic(lower: str) -> bool:
    """A word, or words joined by spaces, written in Cyrillic letters only."""
    return _CYRILLIC_WORD.fullmatch(lower) is not None


def holds_cyrillic(text: str) -> bool:
    """Whether ``text`` has a Cyrillic letter anywhere."""
    return _HOLDS_CYRILLIC.search(text) is not None


def holds_greek(text: str) -> bool:
    """Whether ``text`` has a Greek letter anywhere."""
    return _HOLDS_GREEK.search(text) is not None


def is_greek(lower: str) -> bool:
    """A word, or words joined by spaces, written in Greek letters only."""
    return _GREEK_WORD.fullmatch(lower) is not None


def _unaccented_greek(entries: Iterable[str]) -> Iterator[str]:
    """The entries holding a Greek letter, without their accents."""
    return (greek_words.unaccented(entry) for entry in entries if holds_greek(entry))
