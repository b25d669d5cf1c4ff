"""Everyday things a content team names like people: rooms, mascots, typefaces and cocktails.

"Book the Curie room", "a post from Sparky the Fox", "Georgia for body text", "make a Mojito and
a Manhattan": the name lists know "Curie", "Fox", "Georgia" and "Manhattan" as a person or a
place, but the words around say what they are here, and masking them garbles the request.
Each rule reads a finding's words and the tokens around it on its line (``before`` nearest
first), as ``ner_things.is_a_thing`` hands them over.
"""

from __future__ import annotations

from bot.guard.gazetteer import TITLES, Gazetteer
from bot.guard.sentence_language import FOREIGN_FUNCTION_WORDS

# Rooms of an office or a venue named after someone: "the Ada room", "our Katherine Johnson room".
ROOM_NOUNS = frozenset("room rooms suite boardroom lounge auditorium".split())
# What stands before such a room's name: its article or owner, or one word that describes it
# ("the bookable Franklin room", "our coworking space's quiet Edison room").
_ROOM_OWNERS = frozenset({"the", "our", "their", "your", "this", "that", "a", "s"})
# Animals a mascot is named as ("Sparky the Fox", "Tony the Tiger", "Bruno the Bear").
MASCOT_ANIMALS = frozenset(
    """
    fox tiger bear lion cat dog pup puppy owl eagle hawk falcon pelican penguin panda koala bunny
    rabbit hare squirrel beaver otter moose deer goat sheep llama alpaca cow bull horse pony
    donkey duck goose chicken rooster hen pig monkey gorilla elephant giraffe zebra hippo rhino
    wolf badger raccoon hedgehog mouse rat frog toad turtle tortoise shark whale dolphin octopus
    crab lobster bee ant butterfly dragon unicorn dino dinosaur robot gecko lizard parrot
    flamingo seal walrus yak camel kangaroo sloth
    """.split()
)
# Typefaces. Those spelt like a place or a person ("Georgia", "Montserrat", "Franklin") count only
# with a word of type close by; the rest are nothing else.
TYPEFACES = frozenset(
    tuple(face.split("_"))
    for face in """
    helvetica futura garamond baskerville bodoni calibri roboto avenir didot caslon raleway
    poppins merriweather playfair_display proxima_nova times_new_roman atkinson_hyperlegible
    open_sans gill_sans comic_sans source_sans_pro noto_sans ibm_plex_sans courier_new
    century_gothic franklin_gothic segoe_ui tahoma trebuchet
    """.split()
)
TYPEFACES_NAMED_LIKE_PLACES = frozenset(
    tuple(face.split("_")) for face in "georgia montserrat inter lato arial verdana cambria franklin optima".split()
)
_TYPE_WORDS = frozenset(
    """
    font fonts typeface typefaces type typography headline headlines heading headings body serif
    sans lettering kerning weight weights italic bold
    """.split()
)
_TYPE_REACH = 4
# Cocktails spelt like a person or a place ("a Tom Collins" is in ner_things.DRINKS_NAMED_AFTER_PEOPLE).
COCKTAILS = frozenset(
    tuple(drink.split("_"))
    for drink in """
    moscow_mule mai_tai piña_colada pina_colada paloma manhattan margarita daiquiri mojito
    negroni cosmopolitan bellini rossini sidecar gimlet caipirinha aperol_spritz
    """.split()
)
_DRINK_WORDS = frozenset(
    """
    cocktail cocktails drink drinks mocktail bar bartender mixology glass glasses pitcher
    happy hour menu sip spritz frozen mug mugs
    """.split()
)
_DRINK_REACH = 6
# A cocktail's name after "a" or "an" that ends its phrase is the drink: "make a Daiquiri, and a
# Manhattan"; "a Manhattan hotel" keeps its place. Only in English: the article agreeing with the
# name's first sound, an English word before it, no other language's function word about; the
# Romance languages' "a" is "to" ("vado a Manhattan"). Not for any place: "un amministratore di
# sistema junior a Bergamo" reads as English to these tests.
_VOWELS = frozenset("AEIOU")
# Awards people win one of: "won an Emmy", "a Grammy nomination".
AWARDS = frozenset(
    "emmy emmys grammy grammys oscar oscars tony tonys bafta baftas webby webbys clio clios pulitzer".split()
)
_BEFORE_AN_AWARD = frozenset("a an won win wins winning the two three four".split())
_AFTER_AN_AWARD = frozenset("nomination nominations nominee nominees winner winners winning award awards".split())
# Punctuation that ends the phrase; a hyphen goes on with it ("a Bristol-based charity").
_PHRASE_END_MARKS = frozenset({",", ".", ";", ":", "!", "?", ")", '"', "\u201d", "..."})
_ENDS_A_PHRASE = frozenset({"and", "or", "for", "with", "at", "in", "on", "to", "from", "is", "was", "by"})
_ONE_OF_A_KIND_WORDS = 2


def names_an_everyday_thing(alphabetic: list[str], before: list[str], after: list[str], gazetteer: Gazetteer) -> bool:
    """Whether the finding's words (``alphabetic``: its words alone) name a room, a mascot, a
    typeface, a cocktail or one of a kind after "a"."""
    return (
        _a_named_room(before, after)
        or _a_mascot(alphabetic, before, after)
        or _a_typeface(alphabetic, before, after)
        or _a_cocktail(alphabetic, before, after, gazetteer)
        or _an_award(alphabetic, before, after)
    )


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and word.isalpha()


def _past_capitalised(tokens: list[str]) -> list[str]:
    """``tokens`` past the capitalised words they open with (the rest of a name's run), up to an
    article or owner opening the sentence ("The Katherine Johnson room")."""
    index = 0
    while index < len(tokens) and _capitalised(tokens[index]) and tokens[index].lower() not in _ROOM_OWNERS:
        index += 1
    return tokens[index:]


def _a_named_room(before: list[str], after: list[str]) -> bool:
    """A room's noun right after the name's run, with an article or an owner before it, or one
    describing word between: "Give Maria room to grow" keeps her name."""
    rest_after = _past_capitalised(after)
    if not rest_after or rest_after[0].lower() not in ROOM_NOUNS:
        return False
    rest_before = _past_capitalised(before)
    if not rest_before:
        return False
    if rest_before[0].lower() in _ROOM_OWNERS:
        return True
    return rest_before[0].islower() and rest_before[1:2] != [] and rest_before[1].lower() in _ROOM_OWNERS


def _a_mascot(alphabetic: list[str], before: list[str], after: list[str]) -> bool:
    """ "Sparky the Fox": a name, "the" and a capitalised animal, whichever part was found."""
    if len(after) >= 2 and after[0] == "the" and _capitalised(after[1]) and after[1].lower() in MASCOT_ANIMALS:
        return True
    if len(alphabetic) >= 3 and alphabetic[-2] == "the" and alphabetic[-1].lower() in MASCOT_ANIMALS:
        return True
    return (
        len(alphabetic) == 1
        and alphabetic[0].lower() in MASCOT_ANIMALS
        and len(before) >= 2
        and before[0] == "the"
        and _capitalised(before[1])
    )


def _near(tokens: list[str], words: frozenset[str], reach: int) -> bool:
    return any(token.lower() in words for token in tokens[:reach])


def _a_typeface(alphabetic: list[str], before: list[str], after: list[str]) -> bool:
    key = tuple(word.lower() for word in alphabetic)
    if key in TYPEFACES:
        return True
    if key not in TYPEFACES_NAMED_LIKE_PLACES:
        return False
    # "set in Montserrat" as well as "Georgia for body text", "the Inter font".
    return (
        _near(before, _TYPE_WORDS, _TYPE_REACH) or _near(after, _TYPE_WORDS, _TYPE_REACH) or before[:2] == ["in", "set"]
    )


def _a_cocktail(alphabetic: list[str], before: list[str], after: list[str], gazetteer: Gazetteer) -> bool:
    if tuple(word.lower() for word in alphabetic) not in COCKTAILS:
        return False
    return (
        _near(before, _DRINK_WORDS, _DRINK_REACH)
        or _near(after, _DRINK_WORDS, _DRINK_REACH)
        or _one_of_a_kind(alphabetic, before, after, gazetteer)
    )


def _one_of_a_kind(alphabetic: list[str], before: list[str], after: list[str], gazetteer: Gazetteer) -> bool:
    if not (1 <= len(alphabetic) <= _ONE_OF_A_KIND_WORDS) or len(before) < 2 or alphabetic[0].lower() in TITLES:
        return False
    if any(gazetteer.is_name(word.lower()) for word in alphabetic):
        return False
    article, word_before = before[0], before[1].lower()
    if article != ("an" if alphabetic[0][:1] in _VOWELS else "a"):
        return False
    if not gazetteer.is_english(word_before) or any(
        token.lower() in FOREIGN_FUNCTION_WORDS for token in [*before, *after]
    ):
        return False
    following = after[0] if after else None
    return following is None or following in _PHRASE_END_MARKS or following in _ENDS_A_PHRASE


def _an_award(alphabetic: list[str], before: list[str], after: list[str]) -> bool:
    """ "won an Emmy", "nominated for a Grammy", "Oscar nominations"; "ask Tony" keeps his name."""
    if len(alphabetic) != 1 or alphabetic[0].lower() not in AWARDS:
        return False
    return (bool(before) and before[0].lower() in _BEFORE_AN_AWARD) or (
        bool(after) and after[0].lower() in _AFTER_AN_AWARD
    )
