"""Everyday words of the languages other than English the project's prompts are written in, for
the NER gate: capitalised at the start of a line or sentence of a prompt in another language
("Tom: amigável", "Groet,", "Nota:", "Коротко:", "Viele Grüße"), they are that word, not a name.

Built by ``python -m bot.guard.foreign_openers`` from the project-authored prompts of ``data/guard/``
(whose rows carry their language): a word is everyday when the prompts of a language other than
English write it in lower case at least ``MIN_LOWER_CASE`` times, and at least ``LOWER_CASE_RATIO``
times as often as capitalised inside a sentence, where a name stands ("Marta", "Lyon" never
pass). The list ships beside the NER model and is read once. Beside it the same command writes the
English prompts' own words no dictionary lists ("pls", "docs"; ``english_words``), which tell an
English prompt in the slang of a chat from one in another language.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path

WORDS_FILE = Path(__file__).resolve().parent / "ner_model" / "foreign_everyday_words.txt"
# Chosen once, before the held-out reading in the README: a word seen three times in lower case is
# a word of the language; the ratio keeps out the names the prompts also write in lower case.
MIN_LOWER_CASE = 3
LOWER_CASE_RATIO = 2
ENGLISH = "en"

_WORD = re.compile(r"\w+")
# What may stand right before a word that opens a sentence or line.
_SENTENCE_BREAK = re.compile(r"(^|[.!?:;\n\"'«»“”()\-*•#>]\s*)$")
# Enough characters after a word to hold any place it may open.
_LONGEST_PLACE = 80
PLACES_FILE = WORDS_FILE.with_name("places.txt")
ENGLISH_WORDS_FILE = WORDS_FILE.with_name("english_prompt_words.txt")


# Greetings and sign-offs of the project's languages: they open a line, so the prompts seldom
# write them in lower case and the count above misses them ("Cześć Ola,", "Вітаю!",
# "Saygilarimizla,"). General knowledge, a closed class; "Dag" (Dutch hello) is left out, a name.
GREETINGS = frozenset(
    """
    hola saludos atentamente bonjour bonsoir salut coucou cordialement amitiés hallo servus grüß grüße
    tschüss grüezi ciao salve buongiorno buonasera saluti cordiali olá oi obrigado obrigada abraços
    abraço atenciosamente cumprimentos hoi groetjes groeten doei cześć witam witajcie pozdrawiam
    pozdrowienia привет здравствуйте здравствуй спасибо вітаю привіт дякую шановні шановний шановна
    merhaba selam selamlar saygılarımızla saygılarımla sevgiler teşekkürler günaydın
    """.split()  # noqa: RUF001  # Turkish dotless i on purpose
)


def foreign_everyday_words(path: Path = WORDS_FILE) -> frozenset[str]:
    """The shipped list and the greetings, lower case (the greetings alone where the list is
    missing)."""
    return _with_greetings(path)


@cache
def _with_greetings(path: Path) -> frozenset[str]:
    return _shipped_words(path) | GREETINGS


def english_prompt_words(path: Path = ENGLISH_WORDS_FILE) -> frozenset[str]:
    """The shipped list of ``english_words``, lower case (empty where it is missing)."""
    return _shipped_words(path)


@cache
def _shipped_words(path: Path) -> frozenset[str]:
    if not path.is_file():
        return frozenset()
    return frozenset(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def english_words(texts: Iterable[str], english: Iterable[str]) -> set[str]:
    """The words the ``english`` prompts write in lower case at least ``MIN_LOWER_CASE`` times and,
    prompt for prompt, at least as often as the other languages' ``texts`` do: the English of a
    prompt that no dictionary lists ("pls", "lol", "docs", "workspace") and that the other
    languages' prompts switch to. Counted as foreign, they made an English chat export read as
    another language, and its "Tom" and "Sam" as Portuguese and Polish words."""
    texts, english = list(texts), list(english)
    other = _lower_case_counts(texts)
    scale = len(texts) / max(1, len(english))
    return {
        word
        for word, count in _lower_case_counts(english).items()
        if count >= MIN_LOWER_CASE and count * scale >= other[word]
    }


def _lower_case_counts(texts: Iterable[str]) -> Counter[str]:
    return Counter(match.group() for text in texts for match in _WORD.finditer(text) if match.group().islower())


def everyday_words(texts: Iterable[str], places: Iterable[str] = ()) -> set[str]:
    """The words of ``texts`` (prompts of languages other than English) that are written in lower
    case often, and far more often than capitalised inside a sentence. A word capitalised as the
    first of a place of several words (``places``, lower case: "buenos aires") is not counted
    there: "Buenos Aires" says nothing of "Buenos días"."""
    lower: Counter[str] = Counter()
    capitalised_inside: Counter[str] = Counter()
    places_by_first_word: dict[str, list[str]] = {}
    for place in places:
        first, _, rest = place.partition(" ")
        if rest:
            places_by_first_word.setdefault(first, []).append(place)
    for text in texts:
        for match in _WORD.finditer(text):
            word = match.group()
            if any(character.isdigit() for character in word) or len(word) < 2:
                continue
            if word.islower():
                lower[word] += 1
            elif word[:1].isupper() and not _SENTENCE_BREAK.search(text[max(0, match.start() - 3) : match.start()]):
                following = text[match.start() : match.start() + _LONGEST_PLACE].lower()
                if not any(following.startswith(place) for place in places_by_first_word.get(word.lower(), ())):
                    capitalised_inside[word.lower()] += 1
    return {
        word
        for word, count in lower.items()
        if count >= MIN_LOWER_CASE and count >= LOWER_CASE_RATIO * capitalised_inside[word]
    }


def listed_places() -> list[str]:
    """The places the name model's lists hold, lower case."""
    return [place for place in PLACES_FILE.read_text(encoding="utf-8").split("\n") if place]


def main(argv: list[str] | None = None) -> int:
    from bot.guard.learned.dataset import DATA_DIR, PROJECT_SOURCES, load_examples

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="folder holding the project sets")
    parser.add_argument("--out", type=Path, default=WORDS_FILE, help="where to write the list")
    parser.add_argument(
        "--english-out", type=Path, default=ENGLISH_WORDS_FILE, help="where to write the English prompts' words"
    )
    parser.add_argument("--leave-out", default="", help="comma-separated source families not to read")
    args = parser.parse_args(argv)
    left_out = set(filter(None, args.leave_out.split(",")))
    project = [
        example
        for example in load_examples(args.data)
        if example.source in PROJECT_SOURCES and example.source not in left_out and example.lang is not None
    ]
    texts = [example.text for example in project if example.lang != ENGLISH]
    english = [example.text for example in project if example.lang == ENGLISH]
    words = sorted(everyday_words(texts, places=listed_places()))
    args.out.write_text("".join(f"{word}\n" for word in words), encoding="utf-8")
    switched = sorted(english_words(texts, english))
    args.english_out.write_text("".join(f"{word}\n" for word in switched), encoding="utf-8")
    print(f"{args.english_out}: {len(switched)} words from {len(english)} prompts")
    print(f"{args.out}: {len(words)} words from {len(texts)} prompts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
