"""Which words of a prompt may be a name, place or address: the NER gate's evidence.

ner.py runs the model only where this module finds such a word, keeps only the spans it backs,
and adds the runs of capitalised words with a known name. See ner.py for the whole picture.
"""

from __future__ import annotations

import errno
import re
import signal
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from spacy.attrs import ORTH
from spacy.tokens import Doc, Span

from bot.guard.backed_words import backed_words, capitalised_kinds
from bot.guard.gazetteer import KNOWN, NOTHING, TITLES, Gazetteer, is_cyrillic
from bot.guard.last_token_list import LastTokenList
from bot.guard.latin_declension import POLISH_TITLES
from bot.guard.ner_figures import FIGURE_WORDS
from bot.guard.ner_products import INNER_CAPITAL_PREFIXES, is_product_shaped
from bot.guard.ner_things import DASHES, NAMED_THINGS, is_a_thing
from bot.guard.sentence_language import (
    CYRILLIC_EVERYDAY_WORDS,
    FOREIGN_FUNCTION_WORDS,
    FOREIGN_OPENERS,
    FOREIGN_SENTENCE_WORDS,
    GREEK_EVERYDAY_WORDS,
    foreign_sentences,
)

_SENTENCE_END = frozenset({".", "!", "?", "...", "!?", "?!"})
# Words that start sentences and instructions, days, months and languages: capitalised, they say
# nothing about a name, and some are names too ("May", "Will", "Art").
COMMON_WORDS = frozenset(
    """
    a about above after again against all also although always am an and another any are as at
    be because been before being below between both but by can could dear did do does doing don
    down during each either else even every few first for from further had has have having he
    hello her here hers herself hey hi him himself his how however i if in instead into is it its
    itself just last let like make many may me might more most must my myself never next no nor
    not now of off often ok okay on once only or other our ours ourselves out over own please
    rather same she should since so some such than thank thanks that the their theirs them
    themselves then there these they this those though through to too under until up upon us very
    was we were what when where whether which while who whom whose why will with within without
    would yes yet you your yours yourself yourselves
    add additionally answer ask assume begin below build calculate change check choose classify
    compare compose consider continue convert correct create describe design determine develop
    draft edit explain extract fill find finally finish fix follow format generate give go help
    identify imagine include keep list look name note now number output paraphrase pick plan
    prepare pretend provide put read remember remove reply respond return rewrite rank say see
    select send share show solve sort start step suggest summarize summarise take tell think
    translate try turn use using view want wrap write
    act announce congratulate disregard email forget ignore mail override post print repeat reveal stop
    analyze analyse evaluate explore elaborate brainstorm celebrate critique outline review
    tweet art bill grant hope joy rose sky summer autumn winter spring
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat
    sun january february march april june july august september october november december jan feb
    mar apr jun jul aug sep sept oct nov dec today tomorrow yesterday tonight morning afternoon
    evening weekend christmas easter halloween thanksgiving hanukkah diwali ramadan passover
    kwanzaa mercury venus earth moon mars jupiter saturn uranus neptune pluto
    english spanish french german italian portuguese dutch russian chinese mandarin cantonese
    japanese korean hindi bengali marathi tamil telugu kannada malayalam gujarati punjabi urdu arabic
    persian farsi turkish vietnamese thai indonesian malay filipino tagalog polish czech swedish
    norwegian danish finnish greek hebrew swahili ukrainian romanian hungarian latin esperanto
    """.split()
)
# Nationalities, peoples and faiths: adjectives and nouns made from a place ("a British brand",
# "Croatian history", "the African elephant"), never a place or a person on their own. Beside
# another name they still count ("British Columbia", "Indian Ocean").
NATIONALITIES = frozenset(
    """
    afghan albanian algerian american andorran angolan argentine argentinian armenian australian
    austrian azerbaijani bahamian bahraini bangladeshi barbadian belarusian belgian belizean
    beninese bhutanese bolivian bosnian botswanan brazilian british bruneian bulgarian burkinabe
    burmese burundian cambodian cameroonian canadian chadian chilean colombian comorian congolese
    croatian cuban cypriot czech danish djiboutian dominican dutch ecuadorian egyptian emirati
    eritrean estonian ethiopian fijian filipino finnish french gabonese gambian georgian german
    ghanaian greek grenadian guatemalan guinean guyanese haitian honduran hungarian icelandic
    indian indonesian iranian iraqi irish israeli italian ivorian jamaican japanese jordanian
    kazakh kenyan korean kosovar kuwaiti kyrgyz lao laotian latvian lebanese liberian libyan
    lithuanian luxembourgish macedonian malagasy malawian malaysian maldivian malian maltese
    mauritanian mauritian mexican moldovan monegasque mongolian montenegrin moroccan mozambican
    namibian nepalese nepali nicaraguan nigerian nigerien norwegian omani pakistani palestinian
    panamanian paraguayan peruvian polish portuguese qatari romanian russian rwandan salvadoran
    samoan saudi scottish senegalese serbian singaporean slovak slovakian slovenian somali
    sudanese surinamese swazi swedish swiss syrian taiwanese tajik tanzanian thai togolese tongan
    trinidadian tunisian turkish turkmen ugandan ukrainian uruguayan uzbek venezuelan vietnamese
    welsh yemeni zambian zimbabwean
    african asian european arab arabian caribbean latino hispanic nordic scandinavian balkan
    baltic slavic celtic anglo saxon gaelic aboriginal indigenous native american inuit maori
    aztec aztecs maya mayan mayans inca incas viking vikings celts mongol mongols huns romans
    greeks egyptians persians ottomans spartans
    persian roman byzantine ottoman soviet victorian edwardian elizabethan
    northern southern eastern western central
    christian catholic protestant orthodox anglican baptist methodist lutheran presbyterian
    adventist evangelical mormon muslim islamic sunni shia shiite jewish judaic hindu buddhist
    sikh jain taoist confucian atheist agnostic
    basque catalan galician andalusian castilian cajun creole bavarian prussian tuscan sicilian
    neapolitan venetian milanese parisian flemish walloon breton provencal cornish
    """.split()
)
# Words after which a lower-case word is read as a name: "my name is lena", "ask priya".
NAME_CUES = frozenset(
    """
    is am im i'm name named called ask tell ping call email text message meet with and to from by
    for cc dear hi hello hey thanks thank congratulate welcome invite remind mr mrs ms dr
    """.split()
)
# Street words that back a span the model calls an address, beside a house number.
STREET_WORDS = frozenset(
    """
    street st road rd avenue ave lane ln drive dr boulevard blvd way court ct place pl square sq
    terrace close crescent highway hwy parkway circle alley suite ste apt apartment unit flat floor
    box rue calle via strasse straße str weg platz straat vej gatan katu ul
    avenida av rua travessa praça piazza viale corso largo caddesi cad sokak sk sokağı bulvarı laan
    plein gracht kade ulica aleja plac carrer passeig paseo plaza camino gasse allee chaussee
    """.split()  # noqa: RUF001  # Turkish dotless i on purpose
)
# The endings that glue a street word to its name in German and Dutch ("Lindenstraße",
# "Prinsengracht", "Marktplatz").
_STREET_ENDINGS = (
    "straße",
    "strasse",
    "str",
    "weg",
    "platz",
    "gasse",
    "allee",
    "damm",
    "ufer",
    "straat",
    "gracht",
    "laan",
    "plein",
    "kade",
)
# Words that make the capitalised words before them the name of an organisation or a product
# ("Stanford University", "Herald Sun", "Java API"), and after which "of" does the same
# ("University of California"): no person's or place's name to mask.
ORGANISATION_WORDS = frozenset(
    """
    university college school academy institute institution hospital clinic bank inc corp
    corporation ltd llc plc gmbh company foundation museum gallery library news times post
    journal herald tribune gazette chronicle review magazine press airlines airways motors labs laboratories
    studios records holdings ventures church cathedral mosque council ministry department agency
    association society club aquarium restaurant hotel cafe zoo theatre theater cinema brewery
    bakery stadium arena
    united fc afc rovers athletic wanderers hotspur juniors
    outfitters partners associates group solutions systems technologies consulting consultants
    enterprises industries international brothers bros supply supplies foods pharmacy salon
    boutique realty properties insurance investments financial media networks analytics
    logistics telecom communications marketing bistro pizzeria diner tavern inn resort llp team
    collective dental convention conventions cruise cruises room lounge ballroom auditorium atrium
    pavilion
    trattoria osteria brasserie cantina taqueria creamery smokehouse steakhouse chophouse barbecue
    bbq patisserie boulangerie bakehouse eatery canteen
    """.split()
)
# Words that open a sports club's name before its town ("Real Madrid", "Borussia Dortmund",
# "Spartak Moscow", "FC Porto", "AFC Richmond"): the town names the club, no one's whereabouts.
CLUB_PREFIXES = frozenset(
    """
    real atlético atletico athletic athletico borussia spartak dynamo dinamo sporting olympique
    olympiacos racing deportivo lokomotiv cska rapid eintracht hertha werder fortuna fc afc ac sc cf
    """.split()
)
# Events and acts named after where they happened ("Battle of Hastings", "Treaty of Versailles",
# "Siege of Leningrad"): the place names the event, no one's whereabouts.
EVENTS_OF_A_PLACE = frozenset("battle siege treaty congress edict peace sack fall massacre tour giro".split())
# The words that join an event to its place: "Treaty of Versailles", "Tour de France".
_OF = frozenset({"of", "de", "du", "d"})
PRODUCT_ACRONYMS = frozenset(
    "api apis sdk cli ide gui ui ux sql css html json xml http os db ai ml llm app ira etf reit".split()
)
# Programming languages and tools named like people or places ("Julia", "Ruby", "Delphi",
# "Jenkins"), and the words of software that, close by, say that is what they are.
SOFTWARE_NAMES = frozenset(
    """
    julia ruby crystal swift rust python java scala kotlin dart elixir erlang haskell perl lua nim
    ada pascal delphi fortran cobol django flask rails react angular vue svelte ember laravel
    spring kafka spark hadoop jenkins ansible terraform kubernetes docker jupyter pandas
    """.split()
)
SOFTWARE_WORDS = frozenset(
    """
    code coding script scripts program programs programming programmer function functions method
    methods library libraries package packages module modules framework frameworks language
    languages syntax compiler interpreter snippet developer developers app apps api sdk cluster
    clusters pipeline pipelines server servers notebook notebooks dataframe class classes
    string strings command commands operator operators loop loops array arrays variable variables
    regex query queries ci cd devops build builds deploy deployment repo repository plugin plugins
    container containers workflow workflows job jobs dag dags install config database databases
    backend frontend endpoint endpoints algorithm algorithms notation recursion runtime exception
    exceptions debug debugging compile compiled compiling bug bugs inheritance polymorphism interface
    interfaces lambda lambdas generics thread threads toolkit toolkits binding bindings gem gems
    """.split()
)
# How many words on either side of a software name are searched for a word of software.
_SOFTWARE_REACH = 4
NER_WORD_LISTS = Path(__file__).resolve().parent / "ner_model"
# All-capital words this long are read as names or towns rather than acronyms.
_MIN_CAPITALS_NAME = 5
# An all-capital word no list knows, alone in a finding, is an acronym up to this long.
_MAX_ACRONYM = 5
# A capitalised word no list knows this short is an interjection or an abbreviation ("Oh", "Arr").
_MIN_UNKNOWN_NAME = 4
# A lower-case word this short is never taken for a name ("an", "le", "bo").
_MIN_LOWER_NAME = 3


def packaged_gazetteer() -> Gazetteer:
    return gazetteer_from(NER_WORD_LISTS)


@lru_cache(maxsize=4)
def gazetteer_from(directory: Path) -> Gazetteer:
    return Gazetteer.from_directory(
        directory,
        extra_english=COMMON_WORDS
        | NATIONALITIES
        | FOREIGN_OPENERS
        | CYRILLIC_EVERYDAY_WORDS
        | GREEK_EVERYDAY_WORDS
        | FIGURE_WORDS,
    )


def _ends_sentence(texts: list[str], index: int) -> bool:
    text = texts[index]
    if "\n" in text:
        return True
    if text not in _SENTENCE_END:
        return False
    # "St.", "Apt.", "Dr.", "J." abbreviate, inside addresses and names: not a sentence end.
    previous = texts[index - 1] if index else ""
    return not (text == "." and previous[:1].isupper() and previous.isalpha() and len(previous) <= 4)


_sentence_ends: LastTokenList[list[int]] = LastTokenList()


def sentence_ends(texts: list[str]) -> list[int]:
    """The indices of the tokens that end a sentence (``_ends_sentence``), in order, and the last
    token's always, worked out once per token list (``LastTokenList``). Only the few tokens that
    may end one are asked: one test a token in a list comprehension instead of a call."""
    return _sentence_ends.get(texts, lambda: _find_sentence_ends(texts))


def _find_sentence_ends(texts: list[str]) -> list[int]:
    ends = [
        index
        for index, text in enumerate(texts)
        if (text in _SENTENCE_END or "\n" in text) and _ends_sentence(texts, index)
    ]
    if texts and (not ends or ends[-1] != len(texts) - 1):
        ends.append(len(texts) - 1)
    return ends


def token_texts(doc: Doc) -> list[str]:
    # Read from the ORTH array: iterating the Doc creates a Python Token per token.
    strings = doc.vocab.strings
    return [strings[orth] for orth in doc.to_array(ORTH).tolist()] if len(doc) else []


_PROSE_PUNCTUATION = frozenset(",.?!:;'\"-\u2019")


def _is_prose(token_text: str) -> bool:
    """A word, a number, a space or the punctuation of sentences; code has brackets, "=", "_"."""
    return token_text.isalnum() or token_text.isspace() or all(c in _PROSE_PUNCTUATION for c in token_text)


# Endings of English nouns, adjectives and adverbs that no name in the lists has.
_ENGLISH_ENDINGS = (
    "tion",
    "sion",
    "ment",
    "ments",
    "ness",
    "ity",
    "ism",
    "ics",
    "ology",
    "ously",
    "ively",
    "fully",
    "ally",
    "ably",
    "able",
    "ible",
    "ous",
    "ware",
    "ships",
    "ings",
    "ists",
    "esque",
)
# Endings of abstract and compound nouns in German, Dutch, the Romance languages and Polish
# ("Rückenbelüftung", "Kinderprogramm", "Verfügbarkeit", "Descrição", "Specjalistka"... are
# "-ung", "-programm", "-keit", "-ção"): in a prompt of one of those languages a word no list
# knows that ends so is a noun there, not a surname.
_FOREIGN_NOUN_ENDINGS = (
    "ung",
    "ungen",
    "heit",
    "heiten",
    "keit",
    "keiten",
    "schaft",
    "schaften",
    "tät",
    "täten",
    "nisse",
    "ismus",
    "programm",
    "spiel",
    "heid",
    "ingen",
    "ción",
    "ciones",
    "zione",
    "zioni",
    "ção",
    "ções",
    "dade",
    "dades",
    "idad",
    "idades",
    "ità",
    "mento",
    "menti",
    "miento",
    "mientos",
    "ência",
    "encia",
    "enza",
    "anie",
    "enie",
    "ość",
    "ości",
)


def _is_name_shaped(text: str) -> bool:
    """A capitalised word no list knows, which may still be a name or a town: not in capitals
    (forms write known towns so, but unknown ones are acronyms and headings: "GOLANG",
    "CONTENT"), no capital inside unless after "Mc", "Le"..., no English ending."""
    if not (text[:1].isupper() and text.isalpha()):
        return False
    if text.isupper():
        return len(text) >= _MIN_CAPITALS_NAME
    if len(text) < _MIN_UNKNOWN_NAME:
        return False
    inner = text[1:]
    if inner != inner.lower() and not any(
        text.startswith(prefix) and text[len(prefix) :][:1].isupper() and text[len(prefix) + 1 :].islower()
        for prefix in INNER_CAPITAL_PREFIXES
    ):
        return False
    return not text.lower().endswith(_ENGLISH_ENDINGS)


def _is_capitalised(text: str) -> bool:
    """Capitalised as names are; short all-capital words ("AI", "JSON") are acronyms."""
    return text[:1].isupper() and text.isalpha() and (not text.isupper() or len(text) >= _MIN_CAPITALS_NAME)


# Titles and street abbreviations: part of a name or an address, never one on their own.
_NEVER_ALONE = TITLES | frozenset({"st", "ave", "rd", "dr", "ln", "blvd", "apt"})
# The labels a mail's subject line opens with.
SUBJECT_LABELS = frozenset(
    "subject betreff objet oggetto asunto assunto onderwerp konu ämne emne předmět temat aihe тема".split()
)


# A sentence's function words and the everyday words that open or fill it, in another language.
_NO_NAMES_IN_A_FOREIGN_SENTENCE = FOREIGN_FUNCTION_WORDS | FOREIGN_SENTENCE_WORDS

_POLISH_LETTERS = re.compile("[ąćęłńśźżĄĆĘŁŃŚŹŻ]")
_polish_prompts: LastTokenList[bool] = LastTokenList()
# Words written with a letter English does without ("Benefícios", "Närvarande", "Wymagania" beside
# "doświadczenia"): a prompt with this share of them, and at least this many, is in another
# language though it holds no function word to tell by (a job ad, a list of notes).
_ACCENTED_SHARE = 0.12
_ACCENTED_WORDS = 3
_accented_prompts: LastTokenList[bool] = LastTokenList()


def _written_with_accents(texts: list[str]) -> bool:
    words = [text for text in texts if text.isalpha()]
    accented = sum(not text.isascii() and not is_cyrillic(text.lower()) for text in words)
    return accented >= _ACCENTED_WORDS and accented >= _ACCENTED_SHARE * len(words)


class Evidence:
    """What the gazetteer says about the words of one run of tokens."""

    def __init__(self, texts: list[str], gazetteer: Gazetteer) -> None:
        self.texts = texts
        self.gazetteer = gazetteer
        self._backed = backed_words(texts, gazetteer)
        self._kinds = capitalised_kinds(texts, gazetteer)

    def in_foreign_sentence(self, index: int) -> bool:
        """Whether the token's sentence is in another language than English (sentence_language.py,
        which reads a prompt's tokens once for every Evidence made of them)."""
        return foreign_sentences(self.texts, sentence_ends(self.texts)).decided[index]

    def in_foreign_sentence_or_prompt(self, index: int) -> bool:
        """Like ``in_foreign_sentence``, a sentence too short to tell read in the prompt's
        language: enough to take its function words for no names ("¿Es seguro?"), not to take
        away the backing of an unknown name-shaped word ("Lieu : Saint-Lyphard", a signature)."""
        return foreign_sentences(self.texts, sentence_ends(self.texts)).read_with_the_prompt[index]

    def capitalised_kind(self, index: int) -> int:
        kind = self._kinds.get(index)
        if kind is None:
            kind = self._kinds[index] = self._capitalised_kind(index)
        return kind

    def _capitalised_kind(self, index: int) -> int:
        text = self.texts[index]
        lower = text.lower()
        if not _is_capitalised(text) or lower in _NEVER_ALONE:
            return NOTHING
        if lower in _NO_NAMES_IN_A_FOREIGN_SENTENCE and self.in_foreign_sentence_or_prompt(index):
            return NOTHING  # "Und", "Les", "Para" open sentences; the lists hold them as surnames
        kind = self.gazetteer.kind(lower)
        if kind == NOTHING and self._may_be_declined(index):
            # "dla Kasi", "do Wrocławia", "Annas Beförderung": a listed name or place in a case.
            return self.gazetteer.declined_kind(lower, **self.declensions(index))
        return kind

    def _may_be_declined(self, index: int) -> bool:
        """Whether a word no list holds may be a case of one they hold: in a Polish prompt or a
        sentence in another language than English, not a word in capitals ("MODUS"), a title
        ("Pani") or the first word of a sentence going on in lower case ("Jakie są...", "Notas
        de la reunión"), which are everyday words there."""
        text = self.texts[index]
        lower = text.lower()
        return (
            not text.isupper()
            and lower not in POLISH_TITLES
            and lower not in FOREIGN_OPENERS
            and (self._in_polish() or self.in_foreign_sentence(index))
            and not _opens_a_sentence(self.texts, index, index + 1)
        )

    def is_declined_name(self, index: int) -> bool:
        """A listed name in a case ("Kasi", "Piotrowi", "Annas"), as ``capitalised_kind`` reads it."""
        lower = self.texts[index].lower()
        return self.capitalised_kind(index) == KNOWN and self.gazetteer.is_declined_name(
            lower, **self.declensions(index)
        )

    def declensions(self, index: int) -> dict[str, bool]:
        """Which endings ``Gazetteer.declined_kind`` may read off the token at ``index``: a
        genitive only before the word it is said of ("Annas Beförderung"), so that a Spanish or
        Portuguese plural standing alone ("¡Gracias!", "Chicos,") is no name's."""
        following = _next_word(self.texts, index + 1)
        genitive = following is not None and following.isalpha() and self.in_foreign_sentence(index)
        return {"polish": self._in_polish(), "genitive": genitive}

    def _in_polish(self) -> bool:
        """Whether the tokens hold a letter only Polish writes: a request as short as "Napisz
        życzenia dla Kasi" has too few function words to be told from English by them. Worked
        out once per token list: many an Evidence is made of one prompt's tokens."""
        texts = self.texts
        return _polish_prompts.get(texts, lambda: _POLISH_LETTERS.search("".join(texts)) is not None)

    def in_another_language(self, index: int) -> bool:
        """Whether the token's sentence, or the prompt, is in another language than English: by
        function words, or by letters English does without."""
        return self.in_foreign_sentence_or_prompt(index) or self.written_with_accents()

    def written_with_accents(self) -> bool:
        """Whether the prompt is written in a language with letters English does without (see
        ``_ACCENTED_SHARE``); worked out once per token list."""
        texts = self.texts
        return _accented_prompts.get(texts, lambda: _written_with_accents(texts))

    def _labels_a_field(self, index: int) -> bool:
        """A word alone before a colon at the start of its line or sentence: a form's field
        ("Betreff:", "Anforderungen:", "Présents :", "... Requisiti: diploma"). Asked only for a
        word no list knows in a prompt of another language (by its function words or its
        letters) or in Cyrillic: a speaker in a transcript is named by a listed name ("Kerem:
        Tamam")."""
        if _next_word(self.texts, index + 1) != ":":
            return False
        if self._line_start(index) == index:
            return True
        previous = previous_word_index(self.texts, index)
        return previous is not None and self.texts[previous] in _SENTENCE_END

    def _on_a_subject_line(self, index: int) -> bool:
        """Whether the token is on a line that opens with a mail's subject label ("Betreff:
        Anfrage Musterteile", "Oggetto: Ritardo consegna"): the words after it are a heading."""
        start = self._line_start(index)
        return (
            start < index and self.texts[start].lower() in SUBJECT_LABELS and _next_word(self.texts, start + 1) == ":"
        )

    def _line_start(self, index: int) -> int:
        start = index
        while start > 0 and "\n" not in self.texts[start - 1]:
            start -= 1
        while start < index and self.texts[start].isspace():
            start += 1
        return start

    def _previous_word(self, index: int) -> int:
        """The index of the word before ``index``, over one "." or space ("Dr. Long"); -1 if none."""
        previous = index - 1
        while previous >= 0 and self.texts[previous] in (".", " ") and previous >= index - 2:
            previous -= 1
        return previous

    def backs_capitalised(self, index: int) -> bool:
        """A known capitalised name or place, a possible one beside another or behind a title, or
        a word no list knows that is shaped like a name."""
        backed = self._backed.get(index)
        if backed is None:
            backed = self._backed[index] = self._backs_capitalised(index)
        return backed

    def _backs_capitalised(self, index: int) -> bool:
        kind = self.capitalised_kind(index)
        if kind == KNOWN:
            return True
        if kind == NOTHING:
            # Shaped like a name and in no list: a name in English; in German, a noun.
            text = self.texts[index]
            lower = text.lower()
            return (
                _is_name_shaped(text)
                and lower not in _NEVER_ALONE
                and not self.gazetteer.is_dictionary_word(lower)
                and not self.in_foreign_sentence(index)
                and not self.gazetteer.is_compound(lower)
                and not (
                    (self.in_another_language(index) or is_cyrillic(lower))
                    and (
                        self._labels_a_field(index)
                        or self._on_a_subject_line(index)
                        or lower.endswith(_FOREIGN_NOUN_ENDINGS)
                    )
                )
            )
        previous = self._previous_word(index)
        if previous < 0:
            return False
        before = self.texts[previous]
        if before.lower().rstrip(".") in TITLES or (
            before.lower() in self.gazetteer.city_prefixes and _is_capitalised(before)
        ):
            return True
        if self._backs_its_neighbour(previous, index):
            return True
        following = index + 1
        return following < len(self.texts) and self._backs_its_neighbour(following, index)

    def _backs_its_neighbour(self, neighbour: int, index: int) -> bool:
        """Whether two possible names side by side back each other ("Mark Green"): a word the
        lists hold only as part of a longer place's name ("Overview", "Bay") names nothing beside
        an everyday one ("Topic Overview"), unless the two make a listed place ("Green Bay")."""
        kind = self.capitalised_kind(neighbour)
        if kind == NOTHING:
            return False
        if kind == KNOWN or not (self._only_in_a_place(neighbour) or self._only_in_a_place(index)):
            return True
        first, second = sorted((neighbour, index))
        return self.gazetteer.is_place(f"{self.texts[first]} {self.texts[second]}".lower())

    def _only_in_a_place(self, index: int) -> bool:
        lower = self.texts[index].lower()
        return not (self.gazetteer.is_name(lower) or self.gazetteer.is_place(lower))

    def backs_as_listed(self, index: int) -> bool:
        """Whether the capitalised word at ``index`` is backed as a name or place the lists know
        (not merely shaped like one)."""
        return self.backs_capitalised(index) and self.capitalised_kind(index) != NOTHING

    def opens_a_sentence_alone(self, index: int) -> bool:
        """A word no list knows that opens a sentence going on in lower case ("Сделай ...",
        "Fasse ...", "Regex is ..."): ``is_backed`` drops what the model tags of it, so it is no
        reason to run the model. A particle after it may start a name ("Henk van de ...")."""
        if self.capitalised_kind(index) != NOTHING:
            return False
        following = _next_word(self.texts, index + 1)
        return following is not None and following not in _PARTICLES and _opens_a_sentence(self.texts, index, index + 1)

    def candidates(self, start: int, end: int, *, lower_case: bool) -> Iterator[int]:
        """The words of ``start:end`` that may be (part of) a name or place."""
        for index in range(start, end):
            text = self.texts[index]
            if (text[:1].isupper() and self.backs_capitalised(index)) or (
                lower_case and text[:1].islower() and self.backs_lower_case(index)
            ):
                yield index

    def backs_lower_case(self, index: int) -> bool:
        """A known name typed in lower case, after a word that introduces one or beside another."""
        text = self.texts[index]
        if not (text.isalpha() and text.islower() and len(text) >= _MIN_LOWER_NAME):
            return False
        if self.gazetteer.kind(text, capitalised=False) != KNOWN:
            return False
        previous = index - 1
        if previous >= 0 and self.texts[previous] in NAME_CUES:
            return True
        for neighbour in (index - 1, index + 1):
            if 0 <= neighbour < len(self.texts):
                word = self.texts[neighbour]
                if (
                    word != text
                    and len(word) >= _MIN_LOWER_NAME
                    and self.gazetteer.kind(word, capitalised=False) == KNOWN
                ):
                    return True
        return False


def hinted_sentences(texts: list[str], gazetteer: Gazetteer | None = None) -> Iterator[tuple[int, int, bool]]:
    """(start, end, lower_case) token ranges of the sentences that hold a word the gazetteer backs:
    a capitalised name or place, or, in a sentence typed all in lower case ("my name is lena
    andersson"), a lower-case one. ``lower_case`` says which."""
    evidence = Evidence(texts, gazetteer or packaged_gazetteer())
    start = 0
    for last in sentence_ends(texts):
        end = last + 1
        sentence = texts[start:end]
        if any(text[:1].isupper() and evidence.backs_capitalised(index) for index, text in enumerate(sentence, start)):
            yield start, end, False
        elif not any(_has_capitals_or_code(text) for text in sentence) and any(
            text[:1].islower() and evidence.backs_lower_case(index) for index, text in enumerate(sentence, start)
        ):
            yield start, end, True
        start = end


def _has_capitals_or_code(text: str) -> bool:
    """A capital anywhere, or code, a path or markup: not a sentence typed in lower case."""
    return any(c.isupper() for c in text) or not _is_prose(text)


# Tokens of context the model sees on each side of a word that may be a name (spaces and
# punctuation are tokens too): a long sentence of order numbers, cards and links around one
# name is tagged only near the name.
WINDOW_TOKENS = 12


def windows_around_hints(
    texts: list[str], sentences: Iterable[tuple[int, int, bool]], gazetteer: Gazetteer
) -> Iterator[tuple[int, int, bool]]:
    """The parts of each hinted sentence within ``WINDOW_TOKENS`` of a word the gazetteer backs
    (or a name-shaped one), overlapping parts joined; a short sentence stays whole."""
    evidence = Evidence(texts, gazetteer)
    for start, end, lower_case in sentences:
        if end - start <= 2 * WINDOW_TOKENS + 1:
            yield start, end, lower_case
            continue
        window_start = window_end = -1
        for index in evidence.candidates(start, end, lower_case=lower_case):
            low, high = max(start, index - WINDOW_TOKENS), min(end, index + WINDOW_TOKENS + 1)
            if window_end >= low:
                window_end = high
                continue
            if window_end > window_start >= 0:
                yield window_start, window_end, lower_case
            window_start, window_end = low, high
        if window_end > window_start >= 0:
            yield window_start, window_end, lower_case


def sentences_to_tag(doc: Doc) -> Iterator[Span]:
    """The sentences of ``doc`` that hold a word the model should look at."""
    for start, end, _ in hinted_sentences(token_texts(doc)):
        yield doc[start:end]


def is_backed(texts: list[str], start: int, end: int, label: str, *, lower_case: bool, gazetteer: Gazetteer) -> bool:
    """Whether tokens ``start:end`` of ``texts`` can be a name, place or address: a capitalised
    word the gazetteer backs (a known name or place, a possible one beside another or behind a
    title) or one shaped like a name that no list knows ("Thirumurthi"); in a sentence typed in
    lower case, a known lower-case name; for an address, also a house number and a street word.
    The small model alone tags punctuation, headings and lower-case phrases ("kill his wife");
    masking those garbles the prompt and protects nobody."""
    evidence = Evidence(texts, gazetteer)
    if (
        names_a_thing(texts[start:end], gazetteer)
        or names_an_organisation_or_product(texts, start, end, gazetteer)
        or is_a_thing(texts[start:end], *tokens_around(texts, start, end), gazetteer)
        or (label != "ADDRESS" and reads_as_everyday_words(texts, start, end, gazetteer))
        or (label != "ADDRESS" and _common_noun_after_an_article(texts, start, end, gazetteer))
        or (label != "ADDRESS" and _labels_a_value(texts, start, end, gazetteer))
    ):
        return False
    unknown_only = False
    for index in range(start, end):
        text = texts[index]
        if text[:1].isupper() and evidence.backs_capitalised(index):
            if evidence.capitalised_kind(index) != NOTHING:
                return True
            unknown_only = True
        if lower_case and text[:1].islower() and evidence.backs_lower_case(index):
            return True
    words = texts[start:end]
    is_address = any(w.isdigit() for w in words) and names_a_street(words)
    if unknown_only and label == "ADDRESS" and not is_address and evidence.in_another_language(start):
        # The model, which learned English addresses, takes a noun and a count in other languages
        # for one ("Standgröße 24", "Bitte 3 Varianten", "4 Sterne"): no street word, no address.
        return False
    if unknown_only:
        # A word no list knows, tagged with an everyday word beside it, is a term ("Taliban
        # rule", "Shakespearean style"), and one followed by a capitalised everyday noun is the
        # name of a thing ("Backend Service", "Redux Toolkit"), not of a person or place.
        alphabetic = [word for word in words if word.isalpha()]
        if len(alphabetic) == 1 and label != "ADDRESS" and not lower_case and _opens_a_sentence(texts, start, end):
            return False  # a term that opens a sentence ("Regex is a set of..."), capitalised as any first word
        if len(alphabetic) == 1 and alphabetic[0].isupper() and len(alphabetic[0]) <= _MAX_ACRONYM:
            return False  # an acronym no list knows ("ASEAN", "POTUS"); "KNIVSTA" is a town in a form
        if len(alphabetic) == 1 and alphabetic[0] in SYSTEM_CODE_NAMES:
            return False
        following = _next_word(texts, end)
        numbered = _is_version(words[-1]) or (following is not None and _is_version(following))
        # A dash inside joins a name to what follows it: "Corentin Abadie — Technician. 7 years".
        if label != "ADDRESS" and numbered and (len(alphabetic) == 1 or not any(word in DASHES for word in words)):
            # A numbered label or item no list knows ("Pont 2", "Kapitel 3"), or a product and
            # its version ("Garmin Fenix 7", "Paylo 4.1"): people and towns carry no number.
            return False
        return lower_case or not (
            any(word.islower() and word not in _PARTICLES for word in alphabetic)
            or (len(alphabetic) > 1 and _is_everyday(alphabetic[-1], gazetteer))
        )
    return label == "ADDRESS" and is_address


def _labels_a_value(texts: list[str], start: int, end: int, gazetteer: Gazetteer) -> bool:
    """One dictionary word before a colon and a figure, opening its line or sentence: a field of a
    listing or a form ("Price: €149.00", "Rating: 4.5/5"). A speaker in a chat log is followed by
    what they said ("Price: sounds good", "Mark: 5 min away"), and a field of words ("Name: Lucie")
    keeps its value's mask."""
    words = [index for index in range(start, end) if not texts[index].isspace()]
    if len(words) != 1 or not texts[words[0]].isalpha() or not gazetteer.is_dictionary_word(texts[words[0]].lower()):
        return False
    colon = next_word_index(texts, end)
    if colon is None or texts[colon] != ":":
        return False
    value = next_word_index(texts, colon + 1)
    if value is None or not opens_a_line_or_sentence(texts, words[0]):
        return False
    if texts[value][:1] in _CURRENCY_SIGNS:
        return True
    # A bare figure ends the field; "Mark: 5 min away" is Mark speaking.
    after_value = next_word_index(texts, value + 1)
    return texts[value][:1].isdigit() and (after_value is None or texts[after_value] in _AFTER_A_FIGURE)


_CURRENCY_SIGNS = frozenset("$€£¥₹₩₽¢")
_AFTER_A_FIGURE = frozenset({".", ",", ";", "/", "%", "|", *_CURRENCY_SIGNS, "EUR", "USD", "GBP", "CHF"})


# The names of the system's error codes and signals ("EADDRINUSE", "ECONNREFUSED", "SIGTERM"), which
# programmers quote in questions: all capitals and longer than an acronym, as towns are in a form.
SYSTEM_CODE_NAMES = frozenset(errno.errorcode.values()) | frozenset(member.name for member in signal.Signals)


# A number or a version: "7", "4.1", "v2", "3.0.1".
_VERSION = re.compile(r"v?\d+(?:\.\d+)*", re.IGNORECASE)


def names_a_street(words: list[str]) -> bool:
    """Whether ``words`` hold a street word ("Mill Lane", "Lindenstraße")."""
    return any(w.lower() in STREET_WORDS or (w.isalpha() and w.lower().endswith(_STREET_ENDINGS)) for w in words)


def _is_version(token: str) -> bool:
    return _VERSION.fullmatch(token) is not None


def without_everyday_edges(
    texts: list[str], start: int, end: int, gazetteer: Gazetteer, *, lower_case: bool = False
) -> tuple[int, int]:
    """``start:end`` less the everyday capitalised words it opens with ("Join Dr. Elena Vasquez",
    "Download Cohen": the verb of the sentence, tagged with the name), the lower-case words it
    opens or ends with ("band Boston", "Knight rescues"; unless the sentence is typed in lower
    case) and spaces; a word that may be a name ("Will", "Rose"), a title or a particle ("van")
    stays."""
    while start < end - 1 and (
        texts[start].isspace()
        or _is_everyday_opener(texts[start], gazetteer)
        or (not lower_case and texts[start].islower() and not _opens_a_name(texts, start))
        or _opens_a_sentence_of_unlisted_words(texts, start, gazetteer)
    ):
        start += 1
    while (
        not lower_case
        and end - 1 > start
        and (texts[end - 1].isspace() or (texts[end - 1].islower() and texts[end - 1] not in _PARTICLES))
    ):
        end -= 1
    return start, end


def name_run_in_cyrillic(texts: list[str], start: int, end: int, gazetteer: Gazetteer) -> tuple[int, int] | None:
    """The first run of capitalised words in ``start:end`` holding a word the gazetteer backs
    (``Evidence.backs_capitalised``), or None. Around a listed name in a Russian or Ukrainian
    sentence the model tags the whole sentence (a surname and initials, then the minutes' verb and
    its object), and the trimming of edges reads English words only. The run is taken whole, past
    the model's span ("Ирину" of "Поздравь Ирину Петрову"), without an order opening the sentence."""
    evidence = Evidence(texts, gazetteer)
    for index, whole_end in _capitalised_runs(texts, start, end):
        if any(_is_capitalised(texts[i]) and evidence.backs_capitalised(i) for i in range(index, min(whole_end, end))):
            words = [i for i in range(index, whole_end) if not texts[i].isspace()]
            if len(words) > 1 and opens_with_an_order(texts, index, gazetteer):
                return words[1], whole_end
            return index, whole_end
    return None


def _capitalised_runs(texts: list[str], start: int, end: int) -> Iterator[tuple[int, int]]:
    """(first, end) of each run of capitalised words (``_run_end``) that starts in ``start:end``."""
    index = start
    while index < end:
        if not _is_capitalised(texts[index]):
            index += 1
            continue
        run_end = _run_end(texts, index)
        yield index, run_end
        index = run_end


def name_runs_in_a_greek_address(texts: list[str], start: int, end: int, gazetteer: Gazetteer) -> Iterator[_Run]:
    """The runs of capitalised words in ``start:end`` holding a word the gazetteer backs, less the
    everyday words at their edges, each labelled as its words name a person or a place. In a
    Greek sentence the model calls names and places joined by an article or a preposition an
    address ("η Γεωργία Καραγιάννη από το Λονδίνο"); with no number in it, it is those runs."""
    evidence = Evidence(texts, gazetteer)
    for index, run_end in _capitalised_runs(texts, start, end):
        words = [i for i in range(index, min(run_end, end)) if _is_capitalised(texts[i])]
        while words and gazetteer.is_english(texts[words[0]].lower()):
            words.pop(0)
        while words and gazetteer.is_english(texts[words[-1]].lower()):
            words.pop()
        if any(evidence.backs_capitalised(i) for i in words):
            yield words[0], words[-1] + 1, run_label([texts[i].lower() for i in words], gazetteer)


_Run = tuple[int, int, str]


# How Russian and Ukrainian orders end ("Напиши", "Поздравь", "Подякуй", "Напишите", "Надішліть"),
# and not the adjective-like surnames ("Толстой", "Вишневий") or Georgian ones ("Гелашвили").
_IMPERATIVE = re.compile(r"(?:[иіь]|[аеуяюё]й|[иіь]те|йте)$")
_NOT_AN_ORDER = re.compile(r"(?:швили)$")


def opens_with_an_order(texts: list[str], index: int, gazetteer: Gazetteer) -> bool:
    """Whether the Cyrillic word at ``index`` opens its sentence as an order no list holds:
    "Подякуй Олегові" asks to thank Oleh, and "Подякуй" is no part of his name."""
    word = texts[index].lower()
    before = previous_word_index(texts, index)
    return (
        (before is None or _ends_sentence(texts, before))
        and is_cyrillic(word)
        and gazetteer.kind(word) == NOTHING
        and _IMPERATIVE.search(word) is not None
        and _NOT_AN_ORDER.search(word) is None
    )


def _opens_a_name(texts: list[str], index: int | None) -> bool:
    """Particles before a capitalised word: "van Gogh", "van der Berg", "dos Santos"; "dos días" is
    two days."""
    while index is not None and texts[index] in _PARTICLES:
        index = next_word_index(texts, index + 1)
        if index is not None and texts[index][:1].isupper():
            return True
    return False


def _opens_a_sentence_of_unlisted_words(texts: list[str], index: int, gazetteer: Gazetteer) -> bool:
    """A capitalised word no list holds, opening a sentence that goes on in lower case: the verb of a
    request in a language the English lists don't know ("Buatkan daftar ... di Yogyakarta"), which
    the model tags together with the place at the sentence's end."""
    word = texts[index]
    return (
        _is_capitalised(word)
        and gazetteer.kind(word.lower()) == NOTHING
        and _opens_a_sentence(texts, index, index + 1)
        # "Abadie de Souza called": a particle before a capitalised word carries the name on.
        and not _opens_a_name(texts, next_word_index(texts, index + 1))
    )


def _is_everyday_opener(word: str, gazetteer: Gazetteer) -> bool:
    lower = word.lower()
    return (
        _is_capitalised(word)
        and lower not in _NEVER_ALONE
        and gazetteer.kind(lower) == NOTHING
        and gazetteer.is_english(lower)
    )


def reads_as_everyday_words(texts: list[str], start: int, end: int, gazetteer: Gazetteer) -> bool:
    """Whether the words ``start:end`` read as everyday words though a list holds them as names:
    a word opening a sentence and followed by "the" or "your" is a verb ("Chase the dream", "Mark
    your calendar"; a name is seldom followed so), and words inside a quoted title in title case
    are the title's ("The Lost City of Amber"; "Brilliant Le Hou" holds one everyday word)."""
    words = [index for index in range(start, end) if texts[index].isalpha()]
    if not words:
        return False
    return (
        len(words) == 1
        and gazetteer.is_dictionary_word(texts[words[0]].lower())
        and _verb_opening_a_sentence(texts, start, end)
    ) or _in_a_quoted_title(texts, start, end, gazetteer)


_ARTICLES = frozenset({"a", "an", "the"})


def _common_noun_after_an_article(texts: list[str], start: int, end: int, gazetteer: Gazetteer) -> bool:
    """One capitalised dictionary word after "a" or "the", followed by a
    verb or nothing: a role or a piece ("the Knight saves the Prince.", "does a Bishop move"); a
    person's name takes no article. So is a word no list knows ("whether the Zorbly arrived"),
    and one after "my", "our", "your" or "their", whatever follows ("our Tidewell rollout"): a
    person is not anyone's by a determiner, and the places that take "the" are in the lists."""
    words = [text for text in texts[start:end] if text.isalpha()]
    before = previous_word_index(texts, start)
    if len(words) != 1 or before is None:
        return False
    lower = words[0].lower()
    # Not a plural: "the Okonkwos" are a family.
    unknown = gazetteer.kind(lower) == NOTHING and not gazetteer.is_dictionary_word(lower) and not lower.endswith("s")
    if unknown and texts[before].lower() in _POSSESSIVE_DETERMINERS:
        return True
    if texts[before].lower() not in _ARTICLES:
        return False
    if not (unknown or gazetteer.is_dictionary_word(lower)) or gazetteer.is_place(lower):
        return False  # "the Netherlands", "the Gambia": places listed whole take one
    # Before a noun it may be a surname naming a thing of the person's ("the Jones report").
    following = _next_word(texts, end)
    return (
        following is None
        or not following.isalpha()
        or following in _AUXILIARIES
        or (following.islower() and following.endswith("s") and not following.endswith("ss"))
        or (unknown and following.islower() and following.endswith("ed"))
    )


_POSSESSIVE_DETERMINERS = frozenset({"my", "our", "your", "their"})


_AUXILIARIES = frozenset("is was are were do does did can could will would should may might must has had".split())


def _verb_opening_a_sentence(texts: list[str], start: int, end: int) -> bool:
    """ "Chase the dream", "Mark your calendar": a name is seldom followed by "the" or "your"."""
    following = _next_word(texts, end)
    if following is None or following not in _DETERMINERS_AFTER_A_VERB:
        return False
    before = previous_word_index(texts, start)
    while before is not None and texts[before] in _OPENERS:
        before = previous_word_index(texts, before)
    return before is None or _ends_sentence(texts, before)


_DETERMINERS_AFTER_A_VERB = frozenset("the a an your my our their this that these those every".split())
_QUOTES = frozenset({'"', "\u201c", "\u201d"})
# How many tokens either side of a finding are searched for the quotes of a title.
_QUOTE_REACH = 16


def _in_a_quoted_title(texts: list[str], start: int, end: int, gazetteer: Gazetteer) -> bool:
    """Between double quotes on one line, in title case, beside two or more capitalised everyday
    words: a title ("The Lost City of Amber"); "Brilliant Le Hou" holds one."""
    near = "".join(texts[max(0, start - _QUOTE_REACH + 1) : end + _QUOTE_REACH])
    if not any(quote in near for quote in _QUOTES):
        return False  # one pass in C instead of a call a token: most runs have no quote near
    opening = next(
        (i for i in range(start - 1, max(-1, start - _QUOTE_REACH), -1) if _quotes_or_breaks(texts[i])), None
    )
    closing = next((i for i in range(end, min(len(texts), end + _QUOTE_REACH)) if _quotes_or_breaks(texts[i])), None)
    if opening is None or closing is None or "\n" in texts[opening] + texts[closing]:
        return False
    inside = texts[opening + 1 : closing]
    if any(token in _SENTENCE_END for token in inside):
        return False  # the quotes of two quotations, a sentence between them
    quoted = [text for text in inside if text.isalpha()]
    long_words = [word for word in quoted if len(word) > _SHORT_TITLE_WORD]
    if len(long_words) < _EVERYDAY_IN_A_TITLE or not all(word[:1].isupper() for word in long_words):
        return False
    outside = [text for index, text in enumerate(texts[opening + 1 : closing], opening + 1) if not start <= index < end]
    everyday = [word for word in outside if _is_capitalised(word) and gazetteer.is_english(word.lower())]
    return len(everyday) >= _EVERYDAY_IN_A_TITLE


# Articles and prepositions, which titles write in lower case ("The Lost City of Amber").
_SHORT_TITLE_WORD = 3


def _quotes_or_breaks(token: str) -> bool:
    """A line break, or punctuation holding a double quote ('"', '."', '“')."""
    return "\n" in token or (not token.isalnum() and any(quote in token for quote in _QUOTES))


# Capitalised everyday words that make a run of words the name of a thing, not of a person or place.
_EVERYDAY_IN_A_TITLE = 2


def names_a_thing(words: list[str], gazetteer: Gazetteer) -> bool:
    """Two or more capitalised words that no list knows as a name or place and the dictionary
    lists: a title, heading or product ("Liquid Filled Heat Conductive Handle", "Fall Fashion
    Trends", "Key Takeaways"); names have at most one such word ("Queen Elizabeth")."""
    return sum(1 for word in words if _is_capitalised(word) and _is_everyday(word, gazetteer)) >= _EVERYDAY_IN_A_TITLE


def _is_everyday(word: str, gazetteer: Gazetteer) -> bool:
    """A capitalised word that no list knows as a name or place and the dictionary lists
    ("Service", "Toolkit", "Trends")."""
    lower = word.lower()
    return gazetteer.kind(lower) == NOTHING and gazetteer.is_dictionary_word(lower)


def names_an_organisation_or_product(texts: list[str], start: int, end: int, gazetteer: Gazetteer) -> bool:
    """Whether the capitalised words ``start:end`` belong to the name of an organisation or a
    product: followed by an organisation word or a product acronym ("Stanford University",
    "Java API"), after "University of", or beside a word with a capital inside ("AirPods Max",
    "iPhone 11 Pro Max")."""
    if _called_a_thing(texts, start) or _names_software(texts, start, end, gazetteer):
        return True
    if _a_match_between_clubs(texts, start, end, gazetteer):
        return True
    following = _next_word(texts, end)
    if following in ("'", "\u2019"):
        # "Ripley's Aquarium", "Macy's Department Store": the organisation word after the possessive.
        after = tokens_around(texts, start, end)[1]
        following = after[2] if after[1:2] == ["s"] and len(after) > 2 else None
    if following is not None and following[:1].isupper():
        if following.lower() in ORGANISATION_WORDS or following.lower() in PRODUCT_ACRONYMS:
            return True
        if _names_a_team(texts[start:end], following, gazetteer):
            return True
    tagged = [text for text in texts[start:end] if text.isalpha()]
    if len(tagged) > 1 and _names_a_team(tagged[:-1], tagged[-1], gazetteer):
        return True  # tagged with its plural: "the Denver Nuggets"
    if (
        len(tagged) > 2
        and gazetteer.is_dictionary_word(tagged[-2].lower())
        and _names_a_team(tagged[:-2], tagged[-1], gazetteer)
    ):
        return True  # and a word before the plural: "the Boston Red Sox", "Toronto Maple Leafs"
    if any(
        (text.lower() in ORGANISATION_WORDS and text[:1].isupper())
        or (text.isupper() and text.lower() in PRODUCT_ACRONYMS)
        for text in texts[start + 1 : end]
    ):
        return True
    before = previous_word_index(texts, start)
    words, before_word = _alphabetic(texts, start, end), None if before is None else texts[before]
    if (
        _after_a_club_prefix(words, before_word, gazetteer)
        or _after_an_opener(words, before_word, _VENUE_OPENERS) is not None
    ):
        return True
    if texts[start] in _OF:
        before = start  # tagged with its particle: "Tour [de France]"
    if before is not None and texts[before] in _OF:
        owner = previous_word_index(texts, before)
        if (
            owner is not None
            and texts[owner][:1].isupper()
            and (texts[owner].lower() in ORGANISATION_WORDS or texts[owner].lower() in EVENTS_OF_A_PLACE)
        ):
            return True
    if any(is_product_shaped(text) for text in texts[start:end]):
        return True
    # Back over the capitalised words and numbers of the same run ("iPhone 11 Pro" before "Max").
    index = before
    while index is not None and (
        texts[index][:1].isupper() or texts[index].isdigit() or is_product_shaped(texts[index])
    ):
        if is_product_shaped(texts[index]):
            return True
        index = previous_word_index(texts, index)
    return False


def _after_an_opener(words: list[str], before: str | None, openers: frozenset[str]) -> list[str] | None:
    """The finding's ``words`` after a capitalised word of ``openers`` that opens them or is the
    word ``before`` them ("Real Madrid", "[Hotel] Adlon"); None when there is none. In lower case
    such a word opens no name: "real Madrid", "the hotel Anna booked"."""
    if len(words) > 1 and words[0][:1].isupper() and words[0].lower() in openers:
        return words[1:]
    if before is not None and before[:1].isupper() and before.lower() in openers:
        return words
    return None


def _after_a_club_prefix(words: list[str], before: str | None, gazetteer: Gazetteer) -> bool:
    """Whether the words name a town after a club's opening word ("Real Madrid", "Borussia
    Dortmund", "Atlético de Madrid"): "Real Anna Schmidt" names a person."""
    town = " ".join(
        word.lower() for word in _after_an_opener(words, before, CLUB_PREFIXES) or () if word.lower() not in _OF
    )
    return bool(town) and gazetteer.is_place(town)


def _alphabetic(texts: list[str], start: int, end: int) -> list[str]:
    return [text for text in texts[start:end] if text.isalpha()]


# Words that open the name of a place to eat or stay in the languages that write them first
# ("Hotel Adlon", "Café Central", "Trattoria Da Enzo", "Gasthaus Krone"): the name is the business's.
_VENUE_OPENERS = frozenset(
    "hotel café cafe caffè restaurant ristorante restaurante trattoria pizzeria osteria bistro brasserie "
    "taverna bodega gasthaus gasthof hostal".split()
)


# The words between two sides of a match: "Real Madrid vs Borussia Dortmund", "Boca contra River".
_VERSUS = frozenset("vs v versus contra contre contro gegen tegen przeciwko".split())


def _a_match_between_clubs(texts: list[str], start: int, end: int, gazetteer: Gazetteer) -> bool:
    """Whether the words are two sides of a match, tagged as one, one of them a club by its name
    ("Real Madrid vs Borussia Dortmund", "Boca Juniors contra Flamengo"); "Roe v. Wade" is two
    people."""
    cuts = [i for i in range(start, end) if texts[i].lower() in _VERSUS]
    if not cuts:
        return False
    bounds = [start, *cuts, end]
    for side_start, side_end in pairwise(bounds):
        side = [word for word in _alphabetic(texts, side_start, side_end) if word.lower() not in _VERSUS]
        if side and (_after_a_club_prefix(side, None, gazetteer) or side[-1].lower() in ORGANISATION_WORDS):
            return True
    return False


# Plural nouns that end the names of places ("Rocky Mountains", "Niagara Falls", "Cayman Islands").
PLURAL_PLACE_NOUNS = frozenset(
    """
    islands isles mountains lakes falls springs heights hills gardens keys rapids plains highlands
    lowlands woods downs sands meadows rocks pines states territories provinces emirates alps
    rockies glades flats narrows banks shores cliffs dunes lands fields countries cities counties
    valleys bays peaks ranges
    """.split()
)


def _names_a_team(words: list[str], following: str, gazetteer: Gazetteer) -> bool:
    """A town before a capitalised plural everyday noun names a team ("Denver Nuggets", "Phoenix
    Suns"), unless the noun is a place's ("Rocky Mountains") or the whole is a listed place
    ("United States"); a first name before one is a person's ("Tom Hanks")."""
    lower = following.lower()
    # Dictionary plurals ("Nuggets") and nicknames no list knows ("Yankees", "Knicks") alike.
    if not ((lower.endswith("s") or lower == "sox") and lower not in PLURAL_PLACE_NOUNS):
        return False
    if gazetteer.kind(lower) != NOTHING:
        return False
    alphabetic = [word.lower() for word in words if word.isalpha()]
    town = " ".join(alphabetic)
    if not town or gazetteer.is_place(f"{town} {lower}"):
        return False
    # Or everyday words no list holds as a name: a band or a club ("Arctic Monkeys", "Imagine Dragons").
    return gazetteer.is_place(town) or all(
        gazetteer.is_dictionary_word(word) and not gazetteer.is_name(word) for word in alphabetic
    )


def opens_a_line_or_sentence(texts: list[str], start: int) -> bool:
    """Whether the token at ``start`` is the first word of its line or sentence (past bullets and
    quotes), whatever follows it."""
    before = previous_word_index(texts, start)
    while before is not None and texts[before] in _OPENERS:
        before = previous_word_index(texts, before)
    return before is None or _ends_sentence(texts, before)


def _opens_a_sentence(texts: list[str], start: int, end: int) -> bool:
    """Whether ``start:end`` is the first word of a sentence that goes on in lower case."""
    following = _next_word(texts, end)
    return following is not None and following.islower() and opens_a_line_or_sentence(texts, start)


# Bullets and quotes that may stand before the first word of a sentence. Spanish opens a question
# or an exclamation with its own mark: "¿Vale la pena ...?"; French, German and Polish quote with
# guillemets and low marks ("« Petit-déjeuner maison »", "„Tolle Werkstatt"). A bracket opens a
# chat log's speaker ("[Min sawon] wifi bibeon"), whose name it is.
_OPENERS = frozenset(
    {"*", "-", "\u2022", '"', "'", "(", "\u201c", "\u00ab", "\u201e", "#", "##", "###", ">", "\u00bf", "\u00a1"}
)


_CALLED = frozenset({"called", "named", "titled", "entitled"})
# Words between the thing and "called": 'an app for runners called ...' is too far.
_NAMED_THING_REACH = 3


def _names_software(texts: list[str], start: int, end: int, gazetteer: Gazetteer) -> bool:
    """A programming language or tool beside a word of software ("a Julia function", "port this
    Ruby script", "Delphi programming"), or after "in", "using" or "with" with one close by
    ("a parser written in Rust", "sort it using Pandas in a notebook"). A word no list knows
    is read so too, after the words that only software follows ("speed up builds in Gradle",
    "install Zorbly on the server"): "pair with Okonkwo on the script" keeps its name."""
    words = [text for text in texts[start:end] if text.isalpha()]
    if len(words) != 1:
        return False
    lower = words[0].lower()
    if lower in SOFTWARE_NAMES:
        prepositions, software_words = _SOFTWARE_PREPOSITIONS, SOFTWARE_WORDS
    elif gazetteer.kind(lower) == NOTHING and not gazetteer.is_dictionary_word(lower):
        # "a job in Ventura", "a class in Okonkwo's building": a town or a person may be beside
        # words that software shares with everyday work.
        prepositions, software_words = _TOOL_PREPOSITIONS, SOFTWARE_WORDS - _WORDS_OF_WORK
    else:
        return False
    before, after = _words_around(texts, start, end)
    if before[:1] and before[0].lower() in _SOFTWARE_ROLES:
        return False  # a person introduced by their trade: "our developer Julia"
    if (before[:1] and before[0].lower() in software_words) or (after[:1] and after[0].lower() in software_words):
        return True
    # One word of what it is between: "the Ruby client library", "our Julia simulation toolkit";
    # not a possessive ("Julia's library card").
    if (
        lower in SOFTWARE_NAMES
        and end < len(texts)
        and texts[end].isalpha()
        and texts[end].islower()
        and after[1:2] != []
        and after[1].lower() in software_words
    ):
        return True
    if before[:1] and before[0].lower() in _INTO and any(word.lower() in _REWRITING_VERBS for word in before[1:]):
        return True
    return (
        bool(before[:1])
        and before[0].lower() in prepositions
        and any(word.lower() in software_words for word in before + after)
    )


_SOFTWARE_PREPOSITIONS = frozenset({"in", "using", "with", "from", "use", "configure", "install", "deploy", "upgrade"})
_SOFTWARE_ROLES = frozenset({"developer", "developers", "programmer"})
_WORDS_OF_WORK = frozenset(
    """
    job jobs class classes program programs programming programmer developer developers language
    languages string strings command commands operator operators loop loops cluster clusters
    pipeline pipelines workflow workflows method methods function functions
    """.split()
)
# The words before a tool that a person's name seldom follows: not "with" or "from".
_TOOL_PREPOSITIONS = frozenset({"in", "using", "via", "configure", "install", "deploy", "upgrade", "uninstall"})
# "convert it into Ruby", "port the parser to Rust": what code is rewritten into is a language.
_REWRITING_VERBS = frozenset({"convert", "port", "translate", "rewrite", "transpile", "compile", "migrate"})
_INTO = frozenset({"into", "to", "in"})


def _words_around(texts: list[str], start: int, end: int) -> tuple[list[str], list[str]]:
    """Up to ``_SOFTWARE_REACH`` words before ``start`` (nearest first) and after ``end``, on the same line."""
    found: tuple[list[str], list[str]] = ([], [])
    for words, step, index in ((found[0], -1, start - 1), (found[1], 1, end)):
        while 0 <= index < len(texts) and len(words) < _SOFTWARE_REACH and "\n" not in texts[index]:
            if texts[index].isalpha():
                words.append(texts[index])
            index += step
    return found


def _called_a_thing(texts: list[str], start: int) -> bool:
    """Whether ``start`` follows "<a thing> called" ('a new app called Tipperary')."""
    index = previous_word_index(texts, start)
    while index is not None and (texts[index] in _OPENERS or texts[index].lower() == "the"):
        index = previous_word_index(texts, index)
    if index is None or texts[index].lower() not in _CALLED:
        return False
    for _ in range(_NAMED_THING_REACH):
        index = previous_word_index(texts, index)
        if index is None or not texts[index].isalpha():
            return False
        if texts[index].lower() in NAMED_THINGS:
            return True
    return False


# How many tokens on either side of a finding ner_things.py reads.
_THING_REACH = 6


def tokens_around(texts: list[str], start: int, end: int) -> tuple[list[str], list[str]]:
    """Up to ``_THING_REACH`` tokens before ``start`` (nearest first) and after ``end``, on the
    same line, spaces left out."""
    found: tuple[list[str], list[str]] = ([], [])
    for tokens, step, index in ((found[0], -1, start - 1), (found[1], 1, end)):
        while 0 <= index < len(texts) and len(tokens) < _THING_REACH and "\n" not in texts[index]:
            if not texts[index].isspace():
                tokens.append(texts[index])
            index += step
    return found


def _next_word(texts: list[str], end: int) -> str | None:
    """The token after ``end`` past spaces, on the same line; None at a line's or text's end."""
    index = next_word_index(texts, end)
    return None if index is None else texts[index]


def next_word_index(texts: list[str], end: int) -> int | None:
    """The index of the token at or after ``end`` past spaces, on the same line; None if none."""
    index = end
    while index < len(texts) and texts[index].isspace() and "\n" not in texts[index]:
        index += 1
    return index if index < len(texts) and not texts[index].isspace() else None


def previous_word_index(texts: list[str], start: int) -> int | None:
    """The index of the token before ``start`` past spaces, on the same line; None if none."""
    index = start - 1
    while index >= 0 and texts[index].isspace() and "\n" not in texts[index]:
        index -= 1
    return index if index >= 0 and not texts[index].isspace() else None


_PARTICLES = frozenset("van von de der den del della da di du la le bin ibn al el dos das st".split())


# The lower-case words a name or place holds besides its particles: "Bosnia and Herzegovina",
# "Isle of Man", "Newcastle upon Tyne", "Frankfurt am Main", "Aix-les-Bains", "William the
# Conqueror", "Jan ten Brink".
_JOINING_WORDS = _PARTICLES | frozenset(
    "and of upon on the y e i und en et am im an ob sur sous les des ter ten op aan zu zum zur".split()
)
_CLAUSE_PUNCTUATION = frozenset(";!?:")


def name_runs_of_a_clause(texts: list[str], start: int, end: int) -> list[tuple[int, int]] | None:
    """The runs of capitalised words inside ``start:end`` when it runs over a clause, which the
    small model sometimes tags whole around a name in a sentence of another language ("Markus
    richtet die Lizenzen ein", "Dublin naar het Engels", "Simona V.: nuova data lun 15/04"); None
    when it reads as one name or place. Each run is then a finding of its own, or none."""
    inner = texts[start + 1 : end - 1]
    if not any(
        (text.isalpha() and text.islower() and text not in _JOINING_WORDS) for text in texts[start:end]
    ) and not any(text.strip() in _CLAUSE_PUNCTUATION for text in inner):
        return None
    runs: list[tuple[int, int]] = []
    run_start: int | None = None
    last_word = start
    for index in range(start, end + 1):
        text = texts[index] if index < end else ""
        in_run = text[:1].isupper() or (
            run_start is not None
            and (
                (text.isspace() and "\n" not in text)
                or text in _JOINING_WORDS
                or (text == "." and len(texts[index - 1]) <= 2 and texts[index - 1][:1].isupper())
                or text in ("-", "'", "\u2019")
            )
        )
        if in_run and run_start is None:
            run_start = index
        if in_run and (text[:1].isupper() or text == "."):
            last_word = index
        if not in_run and run_start is not None:
            runs.append((run_start, last_word + 1))
            run_start = None
    return runs


def lexicon_spans(texts: list[str], gazetteer: Gazetteer) -> Iterator[tuple[int, int, str]]:
    """Runs of capitalised words with a known first or last name or place among them ("Ganesha
    Thirumurthi", "Dr. Long"): a name the model did not tag in a sentence it did not expect. The
    everyday words a run starts or ends with ("Dear", "Did", "Ave") are left out of it."""
    evidence = Evidence(texts, gazetteer)
    index = previous_end = 0
    for first in _capitalised_indices(texts):
        if first < index:
            continue  # inside the run before
        index = first
        end = _run_end(texts, index)
        words = [i for i in range(index, end) if _is_capitalised(texts[i])]
        place = _whole_place_of_everyday_words(texts, words, gazetteer)
        if place is not None:
            first_word, last_word = place
            if not is_a_thing(
                texts[first_word : last_word + 1], *tokens_around(texts, first_word, last_word + 1), gazetteer
            ):
                yield first_word, last_word + 1, "LOCATION"
            index = end
            continue
        while words and gazetteer.is_english(texts[words[0]].lower()):
            words.pop(0)
        while (
            words
            and gazetteer.is_english(texts[words[-1]].lower())
            and not _family_name_after_a_name(texts, words, evidence, gazetteer)
        ):
            words.pop()
        if len(words) > 1 and opens_with_an_order(texts, words[0], gazetteer):
            words.pop(0)
        # A title ending the run is the next name's ("our Kraków Dr. Anna Nowak"): that name's
        # span takes it, and two spans must not share it.
        while words and texts[words[-1]].lower() in TITLES:
            words.pop()
        if any(evidence.backs_as_listed(i) for i in words):
            start = words[0]
            label = run_label(
                [texts[i].lower() for i in words],
                gazetteer,
                declined_name=any(evidence.is_declined_name(i) for i in words),
            )
            if not (
                names_a_thing([texts[i] for i in words], gazetteer)
                or names_an_organisation_or_product(texts, start, words[-1] + 1, gazetteer)
                or is_a_thing(texts[start : words[-1] + 1], *tokens_around(texts, start, words[-1] + 1), gazetteer)
                or (end > words[-1] + 1 and texts[end - 1].lower() in ORGANISATION_WORDS)
                or reads_as_everyday_words(texts, start, words[-1] + 1, gazetteer)
                or _common_noun_after_an_article(texts, start, words[-1] + 1, gazetteer)
            ):
                title = _previous_title(texts, start)
                yield (start if title is None or title < previous_end else title), words[-1] + 1, label
                previous_end = words[-1] + 1
        index = end


# The most words of a place listed whole that are all everyday words ("Salt Lake City").
_MAX_PLACE_WORDS = 4


def _whole_place_of_everyday_words(texts: list[str], words: list[int], gazetteer: Gazetteer) -> tuple[int, int] | None:
    """The first and last index of a place listed whole inside the run whose every word is an
    everyday English word ("Salt Lake City", "Cape Town", "Little Rock"): the edge trimming below
    would take each word for an everyday one and leave nothing. The longest such place wins."""
    if len(words) < 2 or not all(gazetteer.is_english(texts[i].lower()) for i in words):
        return None
    for size in range(min(len(words), _MAX_PLACE_WORDS), 1, -1):
        for at in range(len(words) - size + 1):
            chosen = words[at : at + size]
            if chosen[-1] - chosen[0] == size - 1 and gazetteer.is_place(" ".join(texts[i].lower() for i in chosen)):
                return chosen[0], chosen[-1]
    return None


def _family_name_after_a_name(texts: list[str], words: list[int], evidence: Evidence, gazetteer: Gazetteer) -> bool:
    """Whether the run's last word, an everyday word, is a listed family name right after a known
    name ("Keisha Brown", "Priya White"): the name's, not an everyday word the run ends with."""
    if len(words) < 2 or words[-1] - words[-2] > 2:
        return False
    last, before = texts[words[-1]].lower(), texts[words[-2]].lower()
    return (
        gazetteer.is_name(last)
        and evidence.capitalised_kind(words[-2]) == KNOWN
        and gazetteer.is_name(before)
        and not gazetteer.is_place(before)
    )


def _capitalised_indices(texts: list[str]) -> list[int]:
    """The indices of the words ``_is_capitalised`` holds, in one list comprehension that calls
    it only for the tokens opening with a capital: not one call a token."""
    return [index for index, text in enumerate(texts) if text[:1].isupper() and _is_capitalised(text)]


def run_label(lowers: list[str], gazetteer: Gazetteer, *, declined_name: bool = False) -> str:
    """PERSON when a word of the run is a name (or, ``declined_name``, a case of one: "Kasi");
    LOCATION otherwise, and for a place of several words listed whole though its words are names
    somewhere ("Los Angeles", "Hong Kong"); "David", a town in Panama too, stays a person."""
    named = declined_name or any(gazetteer.is_name(word) for word in lowers)
    return "PERSON" if named and not (len(lowers) > 1 and gazetteer.is_place(" ".join(lowers))) else "LOCATION"


def _previous_title(texts: list[str], index: int) -> int | None:
    """The index of a title just before ``index`` ("Dr. Long", "Mrs Green"), or None."""
    for back in (1, 2, 3):
        before = index - back
        if before < 0:
            return None
        text = texts[before]
        if text.lower().rstrip(".") in TITLES:
            return before
        if text not in (" ", "."):
            return None
    return None


def _run_end(texts: list[str], index: int) -> int:
    """The end of the run of capitalised words from ``index``: words joined by a space, by an
    initial's full stop ("J. Smith") or by a particle ("Ludwig van Beethoven")."""
    end = index + 1
    while end < len(texts):
        gap = end
        while gap < len(texts) and texts[gap] == " ":
            gap += 1
        if gap < len(texts) and texts[gap] == "." and len(texts[end - 1]) == 1:
            gap += 1
            while gap < len(texts) and texts[gap] == " ":
                gap += 1
        if gap >= len(texts):
            break
        following = texts[gap]
        if _is_capitalised(following) or (len(following) == 1 and following.isupper()):
            end = gap + 1
        elif following in _PARTICLES and gap + 1 < len(texts) and _is_capitalised(texts[gap + 1]):
            end = gap + 2
        else:
            break
    return end


def is_plausible(entity: Span, *, lower_case: bool = False) -> bool:
    """Whether a tagged span can be a name, place or address (see ``is_backed``)."""
    texts = [t.text.strip("\"'") for t in entity.doc]
    return is_backed(
        texts, entity.start, entity.end, entity.label_, lower_case=lower_case, gazetteer=packaged_gazetteer()
    )
