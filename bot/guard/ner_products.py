"""Products, apps and firms that no word list knows, told apart from people by the words around them.

A made-up brand ("Corvana", "Tidewell") or a product's name ("Zenbook", "Gradle") is a
capitalised word no list holds and no dictionary lists: shaped like an unknown surname, which
the gate must keep masking. What tells them apart is the shape of the phrase, not the word:

- a software or product noun right after it ("the Corvana dashboard", "a Tidewell plugin");
- its possessive before what a firm has and a person does not ("Corvana's pricing", "Tidewell's
  new payroll feature");
- a product beside it in a list or a comparison ("Bitbucket to GitLab", "Lumo or Notion");
- a capital inside the word ("GitLab", "AirPods"), which names do not have but after "Mc", "Le"...

Only words no list knows as a name or place count for the first three: "the Okafor report",
"Priya's app" keep their names. A short capitalised part of a compound ("Lo-fi", "Hi-res") is no
name, whichever lists hold it.
"""

from __future__ import annotations

from bot.guard.gazetteer import NOTHING, Gazetteer

# A capital inside a name: "McClane", "MacLeod", "LeCun", "DiCaprio"; elsewhere it is a product
# ("WebPilot", "LearnData").
INNER_CAPITAL_PREFIXES = ("Mc", "Mac", "Le", "La", "De", "Di", "Da", "Du", "Van", "Von")


def is_product_shaped(text: str) -> bool:
    """A word with a capital inside that no name has ("AirPods", "iPhone", "PlayStation"); "McQueen",
    "DiCaprio" are names."""
    if not (text.isalpha() and any(c.isupper() for c in text[1:]) and not text.isupper()):
        return False
    return not any(
        text.startswith(prefix) and text[len(prefix) :][:1].isupper() and text[len(prefix) + 1 :].islower()
        for prefix in INNER_CAPITAL_PREFIXES
    )


# Nouns that follow the name of a product, an app or a firm and seldom a person's (without a
# possessive): "the Corvana dashboard", "a Tidewell plugin", "the Lumo beta".
PRODUCT_FOLLOWERS = frozenset(
    """
    app apps application applications tool tools toolkit platform platforms plugin plugins
    extension extensions addon integration integrations dashboard dashboards workspace workspaces
    api apis sdk cli library framework frameworks package module repo repository subscription
    subscriptions license licence licenses firmware update updates release releases beta version
    versions feature features settings login server servers cloud device devices website site
    widget widgets template templates editor browser engine database console checkout wallet
    chatbot bot account accounts users customers pricing plan plans tier tiers store marketplace
    software hardware headphones earbuds laptop laptops phone phones tablet watch smartwatch
    speaker speakers router charger keyboard mouse monitor camera soundbar thermostat
    """.split()
)
# What follows a firm's or a product's possessive and not a person's: "Corvana's pricing",
# "Tidewell's API", "Lumo's new export feature"; "Okafor's app" may be hers, and stays a name.
FIRM_BELONGINGS = frozenset(
    """
    feature features pricing users customers subscribers servers api apis sdk platform dashboard
    dashboards headquarters hq ceo cto founders stock shares ipo plugin plugins integration
    integrations firmware algorithm algorithms interface ui ux checkout onboarding changelog
    roadmap
    """.split()
)
# Lower-case words between the possessive and the belonging: "Tidewell's new payroll feature".
_BELONGING_REACH = 3
# Words that join two products in a list or a comparison: "from Bitbucket to GitLab".
_JOINERS = frozenset({",", "and", "or", "to", "vs", "vs.", "versus", "with", "/", "&", "into", "than"})
# Longest capitalised part of a compound that is not a name: "Lo-fi", "Hi-res", "Wi-fi".
_COMPOUND_PART = 3
_DASHES = frozenset({"-", "\u2013"})
_APOSTROPHES = frozenset({"'", "\u2019"})


def names_a_product(words: list[str], before: list[str], after: list[str], gazetteer: Gazetteer) -> bool:
    """Whether a finding's ``words`` (its tokens) name a product, an app or a firm by the shape of
    the phrase around them. ``before`` holds the tokens before it, nearest first, and ``after``
    the tokens after it, on the same line and without spaces (``ner_gate.tokens_around``)."""
    alphabetic = [word for word in words if word.isalpha()]
    if not alphabetic:
        return False
    if _part_of_a_compound(alphabetic, before, after):
        return True
    if not all(_unknown(word, gazetteer) for word in alphabetic):
        return False
    return (
        (bool(after) and after[0].lower() in PRODUCT_FOLLOWERS)
        or _owns_a_firms_belonging(after)
        or _beside_a_product(before, after)
    )


def _unknown(word: str, gazetteer: Gazetteer) -> bool:
    """A capitalised word no name or place list holds and no dictionary lists ("Corvana")."""
    lower = word.lower()
    return word[:1].isupper() and gazetteer.kind(lower) == NOTHING and not gazetteer.is_dictionary_word(lower)


def _part_of_a_compound(alphabetic: list[str], before: list[str], after: list[str]) -> bool:
    """A short capitalised word joined by a dash to a lower-case one: "Lo-fi beats", "Hi-res
    audio"; a name so short and joined so would be "Al-based", which no one writes."""
    return (
        len(alphabetic) == 1
        and len(alphabetic[0]) <= _COMPOUND_PART
        and len(after) >= 2
        and after[0] in _DASHES
        and after[1].isalpha()
        and after[1].islower()
        and not (before[:1] and before[0] in _DASHES)
    )


def _owns_a_firms_belonging(after: list[str]) -> bool:
    if not (len(after) >= 2 and after[0] in _APOSTROPHES and after[1] == "s"):
        return False
    for word in after[2 : 2 + _BELONGING_REACH]:
        if word.lower() in FIRM_BELONGINGS:
            return True
        if not (word.isalpha() and word.islower()):
            return False
    return False


def _beside_a_product(before: list[str], after: list[str]) -> bool:
    """Joined to a word with a capital inside by "to", "and", "or", "vs", a comma...: "from
    Bitbucket to GitLab", "Lumo or OneNote"."""
    return (len(before) >= 2 and before[0].lower() in _JOINERS and is_product_shaped(before[1])) or (
        len(after) >= 2 and after[0].lower() in _JOINERS and is_product_shaped(after[1])
    )
