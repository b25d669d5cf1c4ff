"""Rooms, mascots, typefaces, cocktails and one-of-a-kind things named like people are not masked;
people and places beside them, or in the same words used otherwise, still are."""

from __future__ import annotations

import pytest

from bot.guard import Guard


@pytest.mark.parametrize(
    ("text", "thing"),
    [
        # Rooms named after someone, with an article, an owner or a describing word before them.
        ("slack announcement that the Ada room is closed for renovation this week", "Ada"),
        ("Interviews will happen in the Edison room on the 3rd floor.", "Edison"),
        ("The Katherine Johnson room is everyone's favourite.", "Katherine Johnson"),
        ("tagline for our coworking space's bookable Franklin room", "Franklin"),
        # Mascots: a name, "the" and an animal.
        ("tweet in the voice of our mascot Sparky the Fox announcing the summer sale", "Fox"),
        ("tagline for the relaunch of our mascot Penny the Pelican", "Penny"),
        ("linkedin post on how Tony the Tiger stayed relevant for 70 years", "Tony"),
        # Typefaces, those named like a place beside a word of type.
        ("Futura for headlines, Georgia for body text, minimum size 11pt.", "Georgia"),
        ("blog intro: is Times New Roman still ok for business proposals?", "Times New Roman"),
        ("instagram caption showing our packaging redesign set in Montserrat", "Montserrat"),
        ("email to clients: we're moving all decks to Atkinson Hyperlegible", "Atkinson Hyperlegible"),
        # Cocktails, beside drink words or after "a".
        ("Please write a short FAQ for our mixology class: a Mojito, a Daiquiri, and a Manhattan.", "Manhattan"),
        ("blog intro on the history of the Mai Tai for our tiki bar website", "Mai Tai"),
        ("newsletter blurb about our Moscow Mule copper mug giveaway", "Moscow Mule"),
        # One of a kind after "a"/"an", and a brand before "brand".
        ("newsletter blurb about our agency being nominated for an Emmy for the PSA", "Emmy"),
        ("tagline for our canned Paloma brand, sunny, under 6 words", "Paloma"),
        # Storms, prizes and contests, dishes and code libraries named like people.
        ("tweet: our stores are closed today as Tropical Storm Alberto approaches.", "Alberto"),
        ("internal memo summarizing Superstorm Sandy business continuity lessons", "Sandy"),
        ("tagline after winning Double Gold at the San Francisco Chronicle Wine Competition", "San Francisco"),
        ("post for our deli introducing the Reuben melt on marble rye", "Reuben"),
        ("email to customers: the Ruby client library is deprecated, please migrate by June.", "Ruby"),
        ("how Fernbrook Labs used our Julia toolkit to run simulations 8x faster", "Julia"),
    ],
)
def test_everyday_things_named_like_people_are_not_masked(guard: Guard, text: str, thing: str) -> None:
    assert thing in guard.check_prompt(text).masked_text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # "room" without an article or owner before the name is the room someone is given.
        ("Give Maria Lopez room to grow in the new team.", "Maria Lopez"),
        ("Book a room for Anna Kowalski on Friday.", "Anna Kowalski"),
        # A person's own name beside "the" and no animal.
        ("Ask Bruno the question about the budget.", "Bruno"),
        # A place named like a typeface with no word of type about it.
        ("Write a post about our new office in Georgia.", "Georgia"),
        # A cocktail's town with no drink about it, and a town before a noun after "a".
        ("Plan a trip to Manhattan for the sales team.", "Manhattan"),
        ("Write a post about a Lisbon bakery we love.", "Lisbon"),
        ("I ran social channels for a Bristol-based charity.", "Bristol"),
        # A title after "a" keeps the name: "a Dr. Patel called".
        ("A Dr. Patel called about the invoice.", "Patel"),
        # A person named like a language, with no word of software after the next word.
        ("Ask Ruby about the library opening hours.", "Ruby"),
        ("Julia's library card is due on Friday.", "Julia"),
        # A surname after a storm's word is still a surname.
        ("Ask Andrew Storm about the launch.", "Andrew Storm"),
    ],
)
def test_people_and_places_beside_such_words_stay_masked(guard: Guard, text: str, name: str) -> None:
    assert name not in guard.check_prompt(text).masked_text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # "an" and "a" of other languages before a name: German "an", Italian and Spanish "a".
        ("Schreib eine Mail an Claire Dubois, sie ist für die Planung zuständig.", "Claire Dubois"),
        ("Manda una mail a Giulia, per favore.", "Giulia"),
        ("Escribe a María sobre el lanzamiento.", "María"),
        # English "an" before a consonant is no article of the name; a person's name after "a".
        ("Send an Kevin the file.", "Kevin"),
        ("We hired a Kevin Lee for the night shift.", "Kevin Lee"),
        # A place after Italian "a" in a sentence with the language's own words.
        ("Invia il pacco a Milano entro venerdì.", "Milano"),
        ("Annuncio di lavoro per un amministratore di sistema junior a Bergamo: gestione server.", "Bergamo"),
        # An award's name as a person's, with no award word beside it.
        ("Ask Tony for the report and give Oscar the slides.", "Tony"),
        ("Ask Tony for the report and give Oscar the slides.", "Oscar"),
    ],
)
def test_the_article_rule_reads_english_only(guard: Guard, text: str, name: str) -> None:
    assert name not in guard.check_prompt(text).masked_text
