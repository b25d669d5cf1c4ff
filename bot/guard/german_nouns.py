"""Common nouns of German sentences, which German writes with a capital: "die Rolle", "drei Tage",
"Viele Grüße", "eine neue Ware", "Bei Fragen", "Liebe Mitglieder", "die Anmeldung". The name model
learned English, where a capitalised word inside a sentence is a name; in German it is usually a
noun, and a noun is known by the article, pronoun or number before it, by the preposition or the
inflected adjective that opens its line, or by its own ending. A name rarely stands after an
article ("mit Anna", "nach Köln", "Herr Kraft"), a place sometimes does ("in der Schweiz", "am
Bodensee"): those listed as places keep their mask. After a preposition or an opening adjective,
and for a word known by its ending, any word the lists hold as a name or place keeps its mask
("für Dennis", "Liebe Anna", "Herr Hartung").

Grammar, not a list learned from prompts: the determiners and prepositions below are German's
closed classes, its noun-forming suffixes and the nouns that end its compounds are general
knowledge, and so are the places that take an article.
"""

from __future__ import annotations

from bot.guard.gazetteer import Gazetteer
from bot.guard.last_token_list import LastTokenList
from bot.guard.ner_gate import (
    names_a_street,
    next_word_index,
    opens_a_line_or_sentence,
    previous_word_index,
    sentence_ends,
)
from bot.guard.sentence_language import sentences_in_language

# Function words German has and English, French, Dutch, Spanish or Portuguese do not ("die",
# "das", "den", "des", "in" are theirs too): two of them make a sentence German.
GERMAN_ONLY_WORDS = frozenset(
    """
    und ist nicht ein eine einen einem einer eines mit für auf dem der sich zu von vom zum zur bitte
    wir auch dieser diese dieses diesen diesem nach bei oder wird werden sind wie über unter ich mir
    mich dich dir uns euch noch schon sehr seit habe haben wurde wurden kein keine keinen dass wenn
    weil aber unser unsere unseren unserem meine meinen meinem deine seine ihre ihren im ins beim
    kann können soll sollte muss müssen nur jetzt gibt sie bis aus zwischen gegen ohne durch sowie
    damit dann denn doch ob als alle allen jede jeden jedes wegen während trotz heute gerne mein dein
    """.split()
)
_ENGLISH_ONLY_WORDS = frozenset(
    "the and is are of to with for on this that these those you your we our please not from by be".split()
)

# What stands before a German noun and never before a name: articles, pronouns used as articles,
# quantifiers and number words, and the contractions of a preposition with an article.
DETERMINERS = frozenset(
    """
    der die das den dem des ein eine einen einem einer eines kein keine keinen keinem keiner keines
    mein meine meinen meinem meiner meines dein deine deinen deinem deiner deines sein seine seinen
    seinem seiner seines ihr ihre ihren ihrem ihrer ihres unser unsere unseren unserem unserer
    unseres euer eure euren eurem eurer eures dieser diese dieses diesen diesem jener jene jenes
    jenen jenem jeder jede jedes jeden jedem welcher welche welches welchen welchem mancher manche
    manches manchen manchem solcher solche solches solchen solchem alle allen aller alles viele
    vielen vieler wenige wenigen weniger einige einigen einiger mehrere mehreren mehrerer beide
    beiden beider etliche zwei drei vier fünf sechs sieben acht neun zehn elf zwölf zwanzig dreißig
    vierzig fünfzig hundert tausend im am zum zur vom beim ins ans aufs fürs ums durchs
    """.split()
)
# Prepositions that take a noun, and a name only now and then ("Bei Fragen", "wegen Bauarbeiten",
# "für Dennis"). Left out: those that mostly take a place ("in", "nach", "aus", "an", "auf") and
# the particles of family names ("von", "zu", "vom").
PREPOSITIONS = frozenset(
    """
    bei wegen für mit ohne gegen durch seit trotz während statt anstatt laut dank gemäß zwischen
    unter über hinter neben ab bis innerhalb außerhalb bezüglich inklusive zwecks
    """.split()
)
# German's noun-forming suffixes: "Anmeldung", "Nachhaltigkeit", "Bereitschaft", "Qualität",
# "Information", "Ergebnisse". A word this short ("Jung") may be a name.
NOUN_SUFFIXES = (
    "ung", "ungen", "heit", "heiten", "keit", "keiten", "schaft", "schaften", "ität", "itäten",
    "tion", "tionen", "sion", "sionen", "nisse", "ismus",
)  # fmt: skip
_MIN_SUFFIXED = 7
# Nouns that end many of German's compounds and no place's or family's name ("Öffnungszeiten",
# "Rückfragen", "Preisliste", "Bewertungsportale"); place endings ("-berg", "-dorf", "-stadt",
# "-heim", "-markt", "-platz") and surname endings ("-mann", "-er") are none of them.
COMPOUND_HEADS = (
    "zeit", "zeiten", "frage", "fragen", "arbeit", "arbeiten", "gespräch", "gespräche", "vertrag",
    "verträge", "termin", "termine", "steuer", "steuern", "kosten", "liste", "listen", "gruppe",
    "gruppen", "service", "plan", "pläne", "bericht", "berichte", "stelle", "stellen", "zahlen",
    "mitglied", "mitglieder", "preise", "angebot", "angebote", "mittel", "nummer", "nummern",
    "adresse", "adressen", "konto", "konten", "unterlagen", "anfrage", "anfragen", "nachricht",
    "nachrichten", "karte", "karten", "daten", "texte", "codes", "portal", "portale", "runde",
    "runden", "hinweis", "hinweise", "ausweis", "ausweise", "katalog", "kataloge", "logik",
    "suppe", "soße", "speise", "speisen", "braten", "kuchen", "torte", "salat", "hülle", "schuhe",
    "geschoss", "urlaub", "kunde", "kunden", "räume", "system", "systeme", "software", "datei",
    "dateien", "ordner", "projekt", "projekte", "produkt", "produkte", "leiterin", "beauftragter",
    "beauftragte", "gründe", "gründen", "werke", "akte", "akten",
    "punkt", "punkte", "lage", "werkstatt", "wohnung", "zimmer", "büro", "schichten", "regeln",
    "schulung", "kurs", "kurse", "vorlage", "vorlagen", "formular", "formulare", "rechner",
)  # fmt: skip
_MIN_COMPOUND_HEAD_PART = 3
# After a preposition, only a word with a plural's or a nominalised verb's ending is taken for a
# noun ("Bei Fragen", "wegen Bauarbeiten", "mit Augenzwinkern"): a first name the lists miss
# ends otherwise more often ("Ohne Gennaro", "für Emanuele").
_PLURAL_ENDINGS = ("en", "rn", "ln")
# German months, nouns after a day ("14. Juli") or before a year ("März 2025"); several are names too.
MONTHS = frozenset("januar jänner februar märz april mai juni juli august september oktober november dezember".split())
# Endings of an inflected adjective between a determiner and its noun ("die neue Rolle").
_ADJECTIVE_ENDINGS = ("e", "en", "er", "es", "em")
_MAX_ADJECTIVES = 2
# "Gute" and "Neue" are adjectives; "Ede" and "Ole" are names, and the lists hold most of those.
_MIN_ADJECTIVE = 3
_YEAR_DIGITS = 4
_MAX_COUNT_DIGITS = 3
# Places German names with an article ("an der Elbe", "im Allgäu", "in die Schweiz"), beside those
# the gazetteer lists: rivers, seas and lakes, regions, and countries whose name takes one.
PLACES_WITH_AN_ARTICLE = frozenset(
    """
    rhein elbe donau main mosel weser oder spree isar inn neckar ems saale havel alster ruhr lahn
    saar lech iller aare limmat nordsee ostsee bodensee chiemsee müritz ammersee gardasee allgäu
    eifel harz schwarzwald pfalz lausitz uckermark altmark wetterau taunus odenwald spessart rhön
    erzgebirge vogtland sauerland emsland münsterland ruhrgebiet saarland elsass tessin wallis
    engadin steiermark kärnten tirol wachau schweiz türkei slowakei mongolei ukraine niederlande
    philippinen malediven karibik antarktis arktis sahara alpen dolomiten pyrenäen kanaren balearen
    usa
    """.split()
)


def is_a_german_noun(texts: list[str], start: int, end: int, gazetteer: Gazetteer) -> bool:
    """Whether the span ``texts[start:end]`` is one common noun of a German sentence, with the
    determiners, preposition or opening adjective it starts with ("Viele Grüße", "Bei Fragen",
    "Liebe Mitglieder"): after them one capitalised word is left, and it is no place that takes an
    article and no street; and either a determiner (and at most two inflected adjectives) stands
    right before it, or it is no name or place the lists hold and a preposition or opening
    adjective stands before it (after a preposition, with a plural's ending), or its ending
    makes it a noun."""
    first = start
    while first < end - 1 and (
        texts[first].lower() in DETERMINERS
        or texts[first].lower() in PREPOSITIONS
        or _is_a_count(texts[first])
        or _opening_adjective(texts, first, gazetteer)
    ):
        first += 1
    if end - first != 1 or not in_german_sentence(texts, first):
        return False
    word = texts[first]
    lower = word.lower()
    if not (word[:1].isupper() and word.isalpha()) or lower in DETERMINERS:
        return False
    compound = _hyphenated_from(texts, first)
    if any(piece in PLACES_WITH_AN_ARTICLE for piece in compound) or names_a_street(compound):
        return False  # streets and squares are addresses: "in der Goethestraße", "am Marienplatz"
    if end < len(texts) and texts[end][:1].isdigit() and not _a_year(texts[end]):
        return False  # a street and its house number: "Am Sande 1"
    adjectives = _adjectives_after_a_determiner(texts, first)
    # A town takes no article, but one with an adjective does ("das alte Rom"); many a town is
    # named as a noun is ("Rad", "Halle"), so the gazetteer's places are asked in that case only.
    if adjectives == 0 or (adjectives is not None and not gazetteer.is_place(lower)):
        return True
    if lower in MONTHS and _in_a_date(texts, first):
        return True  # "Juli" and "August" are names too, but not after a day or before a year
    if gazetteer.is_name(lower) or gazetteer.is_place(lower):
        return False
    return (
        _noun_by_its_ending(lower)
        or (_before(texts, first) in PREPOSITIONS and lower.endswith(_PLURAL_ENDINGS))
        or _after_an_opening_adjective(texts, first, gazetteer)
    )


def _noun_by_its_ending(lower: str) -> bool:
    """A noun-forming suffix ("Anmeldung") or a compound ending in a noun ("Öffnungszeiten")."""
    if len(lower) >= _MIN_SUFFIXED and lower.endswith(NOUN_SUFFIXES):
        return True
    return any(
        lower == head or (lower.endswith(head) and len(lower) - len(head) >= _MIN_COMPOUND_HEAD_PART)
        for head in COMPOUND_HEADS
    )


def _opening_adjective(texts: list[str], index: int, gazetteer: Gazetteer) -> bool:
    """An inflected adjective that opens its line or sentence, capitalised there ("Liebe",
    "Neue", "Aktuelle"), and that the lists hold as no name ("Tage" is one)."""
    word = texts[index]
    lower = word.lower()
    return (
        word[:1].isupper()
        and not word.isupper()
        and word.isalpha()
        and len(lower) > _MIN_ADJECTIVE
        and lower.endswith(_ADJECTIVE_ENDINGS)
        and lower not in DETERMINERS
        and lower not in PREPOSITIONS
        and lower not in GERMAN_ONLY_WORDS
        and not gazetteer.is_name(lower)
        and not gazetteer.is_place(lower)
        and opens_a_line_or_sentence(texts, index)
    )


def _after_an_opening_adjective(texts: list[str], index: int, gazetteer: Gazetteer) -> bool:
    before = previous_word_index(texts, index)
    return before is not None and _opening_adjective(texts, before, gazetteer)


def _before(texts: list[str], index: int) -> str:
    """The word before ``index`` on its line, lower case, or "" at the line's start."""
    before = previous_word_index(texts, index)
    return "" if before is None else texts[before].lower()


def _a_year(word: str) -> bool:
    return len(word) == _YEAR_DIGITS and word.isdigit()


def _in_a_date(texts: list[str], index: int) -> bool:
    """A month after a day ("14. Juli") or before a year ("März 2025")."""
    before = previous_word_index(texts, index)
    day = previous_word_index(texts, before) if before is not None and texts[before] == "." else None
    after = next_word_index(texts, index + 1)
    return (day is not None and texts[day].isdigit()) or (after is not None and _a_year(texts[after]))


def _is_a_count(word: str) -> bool:
    """A number that counts things ("30 Tage"); four and five digits are a postcode before its town
    ("22605 Hamburg") more often than a count."""
    return word.isdigit() and len(word) <= _MAX_COUNT_DIGITS


def _hyphenated_from(texts: list[str], index: int) -> list[str]:
    """The pieces, lower case, of the compound that starts at ``index`` ("Karl-Liebknecht-Straße"
    is three words and two hyphens to the tokenizer)."""
    pieces = [texts[index].lower()]
    while index + 2 < len(texts) and texts[index + 1] == "-" and texts[index + 2].isalpha():
        index += 2
        pieces.append(texts[index].lower())
    return pieces


def _adjectives_after_a_determiner(texts: list[str], index: int) -> int | None:
    """How many inflected adjectives stand between the word at ``index`` and the determiner (or
    number) before it; None when no determiner stands there."""
    before = index - 1
    adjectives = 0
    while before >= 0:
        word = texts[before]
        if word.lower() in DETERMINERS or _is_a_count(word):
            return adjectives
        if adjectives == _MAX_ADJECTIVES or not (
            word.isalpha() and word.islower() and word.endswith(_ADJECTIVE_ENDINGS)
        ):
            return None
        adjectives += 1
        before -= 1
    return None


_german: LastTokenList[list[bool]] = LastTokenList()


def in_german_sentence(texts: list[str], index: int) -> bool:
    """Whether the token at ``index`` lies in a German sentence: one holding at least two of
    German's own function words and more of them than of English's, or, where a sentence holds
    too few of either to tell, in a prompt that reads German that way as a whole."""
    return _german.get(
        texts,
        lambda: (
            sentences_in_language(
                texts, sentence_ends(texts), GERMAN_ONLY_WORDS, _ENGLISH_ONLY_WORDS
            ).read_with_the_prompt
        ),
    )[index]
