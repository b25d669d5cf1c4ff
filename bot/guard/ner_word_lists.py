"""The word lists written beside the packaged NER model, built from Faker's locales at training time.

- ``names.txt``: every first, middle and last name Faker knows in the corpus locales;
- ``places.txt``: every town, region and country in those locales' lists, the world places of
  the corpus, and the prefixes and suffixes Faker composes town names from ("Port", "-ville");
- ``english_words.txt``: everyday English words (Faker's word lists, job titles, company
  phrases, colours) and the words of the corpus's own templates and fillers; some are names too
  ("Mark", "Green"), which then count only beside another name.
- ``dictionary.txt``: the words an English dictionary (Webster's Second, the ``web2`` list of
  the ``english-words`` package) lists in lower case: a capitalised word no list knows ("Worried", "Dentistry", "COMMAND") is taken for a name only
  when the dictionary does not list it.
- ``common_words.txt``: the words of today's American English spelling list (SCOWL at size 50,
  which Debian's ``wamerican`` package installs as ``/usr/share/dict/american-english``) that
  writes in lower case only (not also capitalised, as a name: "frank", "john"): the modern words the 1934 dictionary lacks ("vibe", "takeaways"),
  and the names and places that are everyday words too ("Split", "Prime", "Smith"), which then
  count only beside another name. SCOWL's notice is kept beside it (``SCOWL-COPYRIGHT.txt``).

gazetteer.py reads them at run time: a sentence reaches the model only when it holds a known
name or place, and a span the model tags is kept only when such a word backs it. Lower case,
one entry a line, sorted, so the same Faker version writes the same files byte for byte.

Faker and english-words are training-time dependencies (the ``train`` extra), imported only here;
the spelling list is read from the file ``wamerican`` installs (``apt-get install wamerican``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from bot.guard.gazetteer import (
    CITY_PREFIXES_FILE,
    CITY_SUFFIXES_FILE,
    COMMON_WORDS_FILE,
    DICTIONARY_FILE,
    ENGLISH_WORDS_FILE,
    NAMES_FILE,
    PLACES_FILE,
)
from bot.guard.ner_corpus import LOCALES, NEGATIVE_TEMPLATES, TEMPLATES, filler_words, world_places

_NAME_ATTRIBUTES = (
    "first_names",
    "first_names_male",
    "first_names_female",
    "first_names_nonbinary",
    "first_names_unisex",
    "first_names_est",
    "first_names_male_est",
    "first_names_female_est",
    "middle_names",
    "last_names",
    "last_names_male",
    "last_names_female",
    "last_names_est",
    "male_last_names",
    "unisex_last_names",
)
_PLACE_ATTRIBUTES = (
    "cities",
    "real_city_names",
    "countries",
    "states",
    "provinces",
    "regions",
    "counties",
    "departments",
    "estados",
    "distritos",
    "concelhos",
    "localities",
    "places",
    "communes",
    "city_parts",
    "union_territories",
)
_WORD = re.compile(r"[^\W\d_]+")


def _entries(provider: object, attributes: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for attribute in attributes:
        values = getattr(provider, attribute, None)
        if isinstance(values, dict):
            values = list(values)
        if isinstance(values, list | tuple):
            found.update(str(value).strip().lower() for value in values if isinstance(value, str))
    return {value for value in found if value}


def _words(texts: Iterable[str]) -> set[str]:
    return {word.lower() for text in texts for word in _WORD.findall(text)}


def faker_names() -> set[str]:
    from faker import Faker

    names: set[str] = set()
    for locale in LOCALES:
        names |= _words(_entries(Faker(locale).provider("faker.providers.person"), _NAME_ATTRIBUTES))
    return names


def faker_places() -> set[str]:
    """Place names, whole ("new york", "castilla-la mancha"), in lower case."""
    from faker import Faker

    places: set[str] = {place.lower() for place in world_places()}
    for locale in LOCALES:
        places |= _entries(Faker(locale).provider("faker.providers.address"), _PLACE_ATTRIBUTES)
    return places


def faker_city_affixes() -> tuple[set[str], set[str]]:
    """The words Faker puts before a name ("port", "lake") and the endings it puts after one
    ("ville", "chester") to make up a town."""
    from faker import Faker

    prefixes: set[str] = set()
    suffixes: set[str] = set()
    for locale in LOCALES:
        address = Faker(locale).provider("faker.providers.address")
        prefixes |= _entries(address, ("city_prefixes",))
        suffixes |= {s for s in _entries(address, ("city_suffixes",)) if _WORD.fullmatch(s)}
    return prefixes, suffixes


def english_words() -> set[str]:
    from faker import Faker
    from faker.providers.color.en_US import Provider as Colours
    from faker.providers.company.en_US import Provider as Company
    from faker.providers.job.en_US import Provider as Jobs
    from faker.providers.lorem.en_US import Provider as EnglishWords

    texts: list[str] = list(EnglishWords.word_list)
    for part in EnglishWords.parts_of_speech.values():
        texts.extend(part)
    texts.extend(Jobs.jobs)
    for group in (*Company.catch_phrase_words, *Company.bsWords):
        texts.extend(group)
    texts.extend(Colours.all_colors)
    texts.extend(Faker("en_US").provider("faker.providers.address").street_suffixes)
    texts.extend(TEMPLATES)
    texts.extend(NEGATIVE_TEMPLATES)
    texts.extend(filler_words())
    return _words(texts)


def dictionary_words() -> set[str]:
    """The dictionary's lower-case words of three letters or more, names among them ("bud",
    "rose"): asked only about words no name list knows, and about the stems of their regular
    forms ("Buds")."""
    from english_words import get_english_words_set

    return {
        word
        for word in get_english_words_set(["web2"], alpha=True)
        if len(word) >= 3 and word.isascii() and word.islower()
    }


SPELLING_LIST = Path("/usr/share/dict/american-english")
SPELLING_LIST_COPYRIGHT = Path("/usr/share/doc/wamerican/copyright")
SCOWL_NOTICE_FILE = "SCOWL-COPYRIGHT.txt"
_PACKAGED_LISTS = Path(__file__).resolve().parent / "ner_model"


def common_words(spelling_list: Path = SPELLING_LIST) -> set[str]:
    """The spelling list's words of three letters or more that it writes in lower case only:
    "split", "hacker", but not "john" or "frank", which it also lists capitalised, as a name.
    Possessives ("dog's") are left out. Where ``wamerican`` is not installed, the list packaged
    beside the model (built from it) is read instead, so that training runs anywhere."""
    if not spelling_list.exists():
        return set((_PACKAGED_LISTS / COMMON_WORDS_FILE).read_text(encoding="utf-8").split())
    lines = set(spelling_list.read_text(encoding="utf-8").split("\n"))
    return {
        word
        for word in lines
        if len(word) >= 3 and word.isascii() and word.isalpha() and word.islower() and word.capitalize() not in lines
    }


# Names and places of the world the corpus locales lack (South Asia, Africa, East Asia, the Middle
# East, Latin America...), written for the project: the gazetteer's only, the corpus does not
# draw on them (see data/gazetteer/README.md).
WORLD_LISTS = Path(__file__).resolve().parents[2] / "data" / "gazetteer"
WORLD_NAMES_FILE = "world_names.txt"
WORLD_PLACES_FILE = "world_places.txt"


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def world_names(directory: Path = WORLD_LISTS) -> set[str]:
    return _words(_lines(directory / WORLD_NAMES_FILE))


def world_list_places(directory: Path = WORLD_LISTS) -> set[str]:
    return {place.lower() for place in _lines(directory / WORLD_PLACES_FILE)}


# Letters that carry no separable accent, as an English keyboard spells them.
_PLAIN_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "\u0131": "i", "ß": "ss", "æ": "ae", "œ": "oe", "ð": "d", "þ": "th"}
)


# Shorter spellings without accents are everyday words of some language ("tú" -> "tu", "né" -> "ne").
_MIN_PLAIN_SPELLING = 4


def with_ascii_spellings(entries: Iterable[str]) -> set[str]:
    """The entries and, for each one written with accents, its spelling without them: "gdańsk"
    is typed "gdansk", "łódź" "lodz", "são paulo" "sao paulo" on an English keyboard."""
    found = set(entries)
    for entry in list(found):
        decomposed = unicodedata.normalize("NFD", entry.translate(_PLAIN_LETTERS))
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
        if plain != entry and plain.isascii() and len(plain) >= _MIN_PLAIN_SPELLING:
            found.add(plain)
    return found


def _write(path: Path, entries: Iterable[str]) -> int:
    lines = sorted(set(entries))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def write_word_lists(out: Path) -> dict[str, int]:
    """Write every list into ``out``; the number of entries of each."""
    names = with_ascii_spellings(faker_names() | world_names())
    places = with_ascii_spellings(faker_places() | world_list_places())
    prefixes, suffixes = faker_city_affixes()
    return {
        NAMES_FILE: _write(out / NAMES_FILE, names),
        PLACES_FILE: _write(out / PLACES_FILE, places),
        DICTIONARY_FILE: _write(out / DICTIONARY_FILE, dictionary_words()),
        COMMON_WORDS_FILE: _write_common_words(out),
        ENGLISH_WORDS_FILE: _write(out / ENGLISH_WORDS_FILE, english_words()),
        CITY_PREFIXES_FILE: _write(out / CITY_PREFIXES_FILE, prefixes),
        CITY_SUFFIXES_FILE: _write(out / CITY_SUFFIXES_FILE, suffixes),
    }


def _write_common_words(out: Path) -> int:
    """The common words and SCOWL's notice, which must go with every copy of the list."""
    notice = SPELLING_LIST_COPYRIGHT if SPELLING_LIST_COPYRIGHT.exists() else _PACKAGED_LISTS / SCOWL_NOTICE_FILE
    words = common_words()  # read before writing: ``out`` may be the packaged directory itself
    (out / SCOWL_NOTICE_FILE).write_text(notice.read_text(encoding="utf-8"), encoding="utf-8")
    return _write(out / COMMON_WORDS_FILE, words)
