"""Gods, myths, fiction, feasts, faiths and leagues: words written like names that are no one's PII.

A prompt that asks about Zeus, casts Gandalf in a story or plans a Holi party names no person or
place to protect, and masking the name garbles the request. The words here are read as everyday
words (as "Mercury" or "Easter" are, see ner_gate.COMMON_WORDS): alone they say nothing about a
name, and beside a listed name they still count. A figure that is also a common first name
(Diana, Krishna, Ganesh, Freya, Isis, Hermione) is not here: its bearer's name would go
unmasked. Figures whose words are names on their own ("Sherlock Holmes", "Santa Claus") are
matched whole, with the capitalised words around the finding, and a first name before a
storybook animal ("Peter Rabbit") is a character.
"""

from __future__ import annotations

# Gods and creatures of myth and scripture whose names few people bear.
MYTHS = frozenset(
    """
    zeus hera poseidon athena aphrodite hephaestus hermes dionysus demeter hestia persephone
    kronos cronus gaia prometheus epimetheus heracles hercules achilles odysseus perseus medusa
    theseus minotaur icarus daedalus orpheus eurydice narcissus cerberus cyclops sisyphus
    tantalus ariadne pegasus olympus olympian olympians titans titan hades ares artemis apollo
    minerva vulcan cupid bacchus janus juno
    odin thor loki freyr frigg baldur balder heimdall tyr valhalla asgard midgard yggdrasil
    mjolnir valkyrie valkyries ragnarok fenrir jormungandr
    osiris anubis horus thoth amun sekhmet bastet hathor sobek
    ganesha hanuman brahma ravana ramayana mahabharata
    quetzalcoatl anansi gilgamesh beowulf excalibur camelot avalon romulus remus
    """.split()
)
# Figures of fiction, games and film, and their worlds, that are no one's name.
FICTION = frozenset(
    """
    sherlock gandalf frodo bilbo gollum sauron aragorn legolas gimli smaug hobbit hobbits mordor gondor
    rivendell hogwarts dumbledore voldemort snape gryffindor slytherin hufflepuff
    ravenclaw muggle muggles skywalker vader yoda chewbacca jedi sith wookiee tatooine pikachu
    shrek simba mufasa pinocchio rapunzel cinderella katniss beetlejuice ghostface godzilla batman superman
    spiderman thanos gotham narnia westeros targaryen lannister skyrim hyrule tetris barbie
    krampus grinch scrooge dracula frankenstein goldilocks rumpelstiltskin uno jenga yahtzee pictionary
    """.split()
)
# Feasts, festivals and faiths that the name lists hold as names ("Holi", "Islam").
FEASTS_AND_FAITHS = frozenset(
    """
    holi vesak navratri nowruz eid purim sukkot shavuot lohri onam pongal songkran vaisakhi
    baisakhi dussehra raksha bandhan hogmanay oktoberfest rosh hashanah
    kippur chanukah lent advent pentecost epiphany shrovetide
    islam christianity judaism hinduism buddhism sikhism jainism taoism shinto zoroastrianism
    """.split()
)
# Leagues and games that the name lists hold as names or places.
LEAGUES = frozenset("bundesliga laliga eredivisie serie olympic paralympic".split())
FIGURE_WORDS = MYTHS | FICTION | FEASTS_AND_FAITHS | LEAGUES
# Figures, bands and works named by words that are names on their own: matched whole.
FIGURE_PHRASES = frozenset(
    phrase.strip()
    for phrase in """
    sherlock holmes, santa claus, saint nick, father christmas, easter bunny, tooth fairy,
    peter pan, peter rabbit, robin hood, mickey mouse, minnie mouse, donald duck, daffy duck,
    bugs bunny, winnie the pooh, captain america, captain hook, wonder woman, iron man,
    wednesday addams, harry potter, darth vader, luke skywalker, han solo, indiana jones,
    james bond, lara croft, citizen kane, big mac, pink floyd, fleetwood mac, led zeppelin,
    rolling stones, black sabbath, grateful dead, uncle sam, jack frost, mother goose,
    humpty dumpty, sleeping beauty, snow white, tinker bell, willy wonka, ebenezer scrooge,
    trader joe, papa john, ronald mcdonald, magna carta, virgin mary, good samaritan, king arthur,
    garden of eden, cinco de mayo, ruby on rails, mona lisa, girl with a pearl earring,
    hotel california, jane eyre, better call saul, moby dick, atticus finch, elden ring,
    real madrid, real sociedad, red sox, white sox, don quixote, tom sawyer, huckleberry finn,
    oliver twist, anne of green gables, alice in wonderland, jack sparrow, lady macbeth,
    little red riding hood, red riding hood, goldilocks, rumpelstiltskin, rosetta stone,
    super mario, lightning mcqueen, buzz lightyear
    """.split(",")
)
# The longest phrase in words.
_LONGEST_PHRASE = max(len(phrase.split()) for phrase in FIGURE_PHRASES)


# Animals that, capitalised after a first name, make a storybook character ("Peter Rabbit",
# "Bugs Bunny", "Paddington Bear"); none is a common surname ("Fox", "Wolf", "Crane" are).
CHARACTER_ANIMALS = frozenset(
    "rabbit bunny mouse duck pig piglet frog toad goat kitten puppy squirrel hedgehog owl bear pooh".split()
)


def names_a_figure(alphabetic: list[str], before: list[str], after: list[str]) -> bool:
    """Whether the finding's words, with the capitalised words next to it, make a figure of
    ``FIGURE_PHRASES`` ("Sherlock Holmes", "Wednesday Addams" when only "Addams" was found), or
    end in a storybook animal ("Peter Rabbit")."""
    left = _capitalised_run(before)
    right = _capitalised_run(after)
    words = [word.lower() for word in [*reversed(left), *alphabetic, *right]]
    if _ends_in_an_animal(alphabetic, after):
        return True
    first, last = len(left), len(left) + len(alphabetic)
    for start in range(0, first + 1):
        for end in range(last, min(len(words), start + _LONGEST_PHRASE) + 1):
            if " ".join(words[start:end]) in FIGURE_PHRASES:
                return True
    return False


def _ends_in_an_animal(alphabetic: list[str], after: list[str]) -> bool:
    """The finding and the capitalised words right after it end in a storybook animal ("Peter
    Rabbit"); "Priya with a Rabbit" is Priya."""
    run = list(alphabetic)
    for token in after:
        if not (token.isalpha() and token[:1].isupper()):
            break
        run.append(token)
    return len(run) > 1 and run[-1].lower() in CHARACTER_ANIMALS


# Words that join the words of a title ("Winnie the Pooh", "Cinco de Mayo", "Moby-Dick").
_JOINING = frozenset({"the", "of", "de", "on", "in", "with", "a"})
_DASHES = frozenset({"-", "\u2013"})


def _capitalised_run(tokens: list[str]) -> list[str]:
    """The capitalised words and the words joining them that ``tokens`` open with, dashes left out."""
    run: list[str] = []
    for token in tokens[: 2 * _LONGEST_PHRASE]:
        if token in _DASHES:
            continue
        if not (token.isalpha() and (token[:1].isupper() or token in _JOINING)):
            break
        run.append(token)
    return run
