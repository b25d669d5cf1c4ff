"""Common nouns of German sentences, which German writes with a capital: "die Rolle", "drei Tage",
"Viele Grüße", "eine neue Ware". The name model learned English, where a capitalised word inside a
sentence is a name; in German it is usually a noun, and a noun is known by the article, pronoun or
number before it. A name rarely stands there ("mit Anna", "nach Köln", "Herr Kraft"), a place
sometimes does ("in der Schweiz", "am Bodensee"): those listed as places keep their mask.

Grammar, not a list learned from prompts: the determiners below are German's closed classes, and
the places that take an article are general knowledge.
"""

from __future__ import annotations

from bot.guard.gazetteer import Gazetteer
from bot.guard.last_token_list import LastTokenList
from bot.guard.ner_gate import names_a_street, sentence_ends
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
    damit dann denn doch ob als alle allen jede jeden jedes
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
# Endings of an inflected adjective between a determiner and its noun ("die neue Rolle").
_ADJECTIVE_ENDINGS = ("e", "en", "er", "es", "em")
_MAX_ADJECTIVES = 2
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
    determiners it opens with ("Viele Grüße"): after them one capitalised word is left, a
    determiner (and at most two inflected adjectives) stands right before it, and it is no place
    that takes an article and no street."""
    first = start
    while first < end - 1 and (texts[first].lower() in DETERMINERS or _is_a_count(texts[first])):
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
    if end < len(texts) and texts[end][:1].isdigit():
        return False  # a street and its house number: "Am Sande 1"
    adjectives = _adjectives_after_a_determiner(texts, first)
    # A town takes no article, but one with an adjective does ("das alte Rom"); many a town is
    # named as a noun is ("Rad", "Halle"), so the gazetteer's places are asked in that case only.
    return adjectives == 0 or (adjectives is not None and not gazetteer.is_place(lower))


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
