"""Names the phrase around them gives away, where the word alone would not: "Hi Summer,", "coach
Dale", "her husband Jun", and names typed in lower case ("a welcome email
for priya sharma").

The name model and the gate pass by a capitalised word an English dictionary lists ("Summer",
"Hope", "Will"): mostly it is that word. And in a sentence typed all in lower case the model,
trained on cased text, rarely tags a name at all. Some phrases settle it:

- a greeting before a listed first name followed by a comma, a stop or "and" ("Hi Summer,",
  "Dear Hope.", "Congrats Rose and Tim");
- a word for a relative, a colleague or a role right before a listed name ("my son Tobi",
  "coach Dale", "our CFO, Pat,"), or the team a listed name works in after it ("Rose from
  accounting");
- a title in any case, in English or another language, before a word no dictionary lists ("dr.
  okafor", "Mr & Mrs Abernathy", "frau nowak");
- a listed name signing a message after its sign-off ("groet, mark", "saluti, max");
- in a sentence with no capital at all, a listed name no English dictionary lists, after a word
  that introduces a person ("for", "to", "ask", "thanks"...), with the listed family name after it.

"Hi team,", "Dear customer" and "green tea" are none of these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.guard.findings import Span, SpanRecognizer, longest_first_without_overlaps
from bot.guard.gazetteer import Gazetteer
from bot.guard.ner_gate import NAME_CUES

NAME_ENTITY = "PERSON"
SCORE = 0.85

_NAME = r"[A-Z][a-z]{1,14}"
# The word before a capitalised word, the capitalised word in a lookahead so that it can be the
# next one's word before: one case-sensitive pass, the cue words looked up in sets (two patterns
# of cue words, case-insensitive, read each prompt at every position, at thrice the cost).
_WORD_BEFORE_A_NAME = re.compile(r"(?<![\w-])(?P<cue>[A-Za-z][A-Za-z'-]*)(?=,?[ \t]+(?P<name>" + _NAME + r")\b)")
_GREETINGS = frozenset(
    "hi hello hey dear thanks congrats congratulations welcome cheers morning bye goodbye farewell".split()
)
# Greetings of two words, by their last: "thank you", "good morning", "happy birthday".
_GREETING_ENDS = {"you": "thank", "birthday": "happy"}
_AFTER_A_GREETED_NAME = re.compile(r"[ \t]*(?:[,!.:;]|$|and\b)", re.MULTILINE)
_ROLES = frozenset(
    """
    son daughter husband wife partner fiance fiancé fiancée mom mum mother dad father brother sister grandma
    grandpa granny grandmother grandfather aunt uncle cousin nephew niece boss manager colleague coworker
    co-worker teammate intern coach teacher tutor nurse friend neighbor neighbour ceo cfo cto coo cmo vp
    founder co-founder assistant landlord tenant client customer caller
    """.split()
)
_PREVIOUS_WORD = re.compile(r"([A-Za-z]+)[ \t]+$")


def _cue_before(text: str, match: re.Match[str]) -> bool:
    """Whether the word before a capitalised word makes it a name: a greeting with a comma, a stop
    or "and" after the name, or a word for a relative, a colleague or a role."""
    cue = match.group("cue").lower()
    if cue in _ROLES:
        return True
    greeting = cue in _GREETINGS
    if cue in _GREETING_ENDS:
        previous = _PREVIOUS_WORD.search(text, max(0, match.start() - 12), match.start())
        greeting = previous is not None and previous.group(1).lower() == _GREETING_ENDS[cue]
    return greeting and _AFTER_A_GREETED_NAME.match(text, match.end("name")) is not None


# A title in any case, or two joined ("dr. okafor", "Mr & Mrs Abernathy"), before a word no English
# dictionary lists: "Dr. Pepper" or "dr. strange" are words. Other languages' titles too ("frau nowak",
# "sig. russo", "sra. vidal", "meneer bos"); not those that are also a possessive or a pronoun
# ("seu pedido", "Pani zamówienie"), a word of bread or pans ("pan") or an English word ("don").
_TITLED = re.compile(
    r"\b(?:(?i:mr|mrs|ms|mx|dr|prof|miss|herr|frau|mme|mlle|meneer|mevrouw|bay|bayan)\.?"
    # Abbreviations that are words or acronyms without their stop ("HR", "sig").
    r"|(?i:sig|sig\.ra|sra|srta|dhr|mevr|hr)\.)"
    r"(?:[ \t]*&[ \t]*(?i:mr|mrs|ms|dr)\.?)?[ \t]+(?P<name>[^\W\d_][^\W\d_A-Z]{1,20})\b"
)
# A message's sign-off, then a listed name that ends it (before its line's end or a closing
# quote): "groet, mark", "saluti, max", "lg tobias", "abs, gabi", "bonne journée, seb". The
# name may be an English word ("mark", "max"): there it is a signature.
_SIGNED = re.compile(
    r"\b(?i:thanks|cheers|regards|best|groet|groeten|saluti|ciao|saludos|abs|abraço|abraços|bjs|beijos|lg|vg"
    r"|mfg|grüße|gruß|bises|cordialement|journée|merci|atentamente|cordialmente|pozdrawiam|hälsningar|mvh"
    r"|hilsen)[,!.]?[ \t]+(?P<name>[^\W\d_]{2,15})[ \t]*(?=[\"\u201d\u00bb\u201c'\u2019]|$)",
    re.MULTILINE,
)
# A listed name before the team or department the person works in: "a card for Rose from accounting".
_OF_A_TEAM = re.compile(
    r"\b(?P<name>" + _NAME + r")[ \t]+(?:from|in|on)[ \t]+(?:the[ \t]+)?(?i:accounting|accounts|marketing|sales"
    r"|finance|hr|legal|support|engineering|design|ops|operations|product|procurement|payroll|reception|it"
    r"|customer[ \t]+success|[a-z]+[ \t]+team)\b"
)
# Titles and degrees written after another ("mr. drs. H.J. van Wijk"): no name yet.
_TITLES_AND_DEGREES = frozenset("mr mrs ms mx dr drs prof ir ing jr sr phd msc bsc mba esq".split())
# "the Rose in marketing copy": an article makes the word a thing.
_ARTICLE_BEFORE = re.compile(r"\b(?i:the|a|an)[ \t]+$")
_NOT_NAMES = frozenset(
    """
    team all everyone everybody folks guys there friends friend customer customers colleagues world sir madam
    again back both each everyone again gang crew people ladies gentlemen son mom dad
    """.split()
)
# A sentence ends at a stop followed by a space or the end ("version 0.1" goes on).
_LOWER_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?](?=\S))+")
_LOWER_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
# Words after which a lower-case word is read as a person's name: the name gate's ("for priya",
# "ask ahmed"), and a verb and a contraction requests open with ("congratulating mei", "its kevin").
_LOWER_CUES = NAME_CUES | {"congratulating", "its", "it's"}


def _listed_first_name(word: str, gazetteer: Gazetteer) -> bool:
    lower = word.lower()
    return lower not in _NOT_NAMES and gazetteer.is_name(lower)


def cued_names(text: str, gazetteer: Gazetteer) -> Iterator[tuple[int, int]]:
    """The spans of the names the phrases above give away in ``text``."""
    for match in _WORD_BEFORE_A_NAME.finditer(text):
        if _cue_before(text, match) and _listed_first_name(match.group("name"), gazetteer):
            yield match.span("name")
    for match in _OF_A_TEAM.finditer(text):
        name_start = match.start("name")
        if _listed_first_name(match.group("name"), gazetteer) and not _ARTICLE_BEFORE.search(
            text, max(0, name_start - 5), name_start
        ):
            yield match.span("name")
    for match in _TITLED.finditer(text):
        name = match.group("name")
        if name.lower() not in _TITLES_AND_DEGREES and not gazetteer.is_dictionary_word(name.lower()):
            yield match.span("name")
    for match in _SIGNED.finditer(text):
        if _listed_first_name(match.group("name"), gazetteer):
            yield match.span("name")
    yield from _lower_case_names(text, gazetteer)


def _lower_case_names(text: str, gazetteer: Gazetteer) -> Iterator[tuple[int, int]]:
    if not any(c.islower() for c in text):
        return
    for sentence in _LOWER_SENTENCE.finditer(text):
        if sentence.group(0) != sentence.group(0).lower():
            continue  # a capital in it
        words = list(_LOWER_WORD.finditer(text, sentence.start(), sentence.end()))
        index = 1
        while index < len(words):
            word = words[index].group(0)
            if words[index - 1].group(0) in _LOWER_CUES and _unmistakable_name(word, gazetteer):
                start, end = words[index].span()
                following = index + 1
                if following < len(words) and _unmistakable_name(words[following].group(0), gazetteer):
                    end = words[following].end()
                    index = following
                yield start, end
            index += 1


def _unmistakable_name(word: str, gazetteer: Gazetteer) -> bool:
    """A listed name no English dictionary lists in lower case ("priya", "ahmed"; not "bill")."""
    return len(word) > 2 and gazetteer.is_name(word) and not gazetteer.is_dictionary_word(word)


class CuedNameRecognizer(SpanRecognizer):
    """Names given away by a greeting, a role word, a team, a title or a cue in lower-case text."""

    ENTITY = NAME_ENTITY
    SCORE = SCORE
    WHY = "A name a greeting, a role word or a cue gives away"

    def __init__(self, gazetteer: Gazetteer, supported_language: str = "en") -> None:
        super().__init__(supported_language)
        self.gazetteer = gazetteer

    def spans(self, text: str) -> Iterable[Span]:
        return longest_first_without_overlaps(cued_names(text, self.gazetteer))
