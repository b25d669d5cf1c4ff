"""Names of things that the NER model and the name lists take for people or places.

A brand ("Prada", "Minecraft"), a theorem or effect named after
its discoverers ("Cauchy-Schwarz inequality", "Doppler effect") and the title of a work ("The
Dark Knight") are written like names, but masking them protects nobody and garbles the request.
Each rule here reads the words of a finding and the tokens around it on the same line.
"""

from __future__ import annotations

from bot.guard.gazetteer import NOTHING, Gazetteer
from bot.guard.ner_everyday_names import names_an_everyday_thing
from bot.guard.ner_figures import names_a_figure
from bot.guard.ner_foreign_eponyms import names_a_discoverers_result
from bot.guard.ner_products import BRANDS, FIRMS_NAMED_AFTER_PEOPLE, a_product, names_a_product

# What a prompt names with "called" or "named", or right after "the", that is no person or place:
# 'an app called "Tipperary"', 'a restaurant named "Buena Onda"', "the movie La La Land".
NAMED_THINGS = frozenset(
    """
    app apps application product products brand company startup business shop store restaurant
    cafe bar hotel band game book novel movie film series show song album podcast website site
    blog newsletter tool platform service project newspaper magazine channel brewery bakery
    """.split()
)
# Nouns a brand stands before: "a Dell laptop", "Bose headphones", "my Verizon bill"; a name
# before them is the owner's only in the possessive ("Maria's laptop").
PRODUCT_NOUNS = frozenset(
    """
    laptop laptops phone phones smartphone smartphones headphones earbuds camera cameras tablet
    tablets tv tvs television car cars truck trucks sedan suv stock stocks shares account card
    cards bill subscription membership telescope printer printers console consoles router
    keyboard sneakers perfume vacuum fridge app sequel prequel franchise trilogy soundtrack
    brokerage tumbler mug bottle backpack jacket boots bookcase sofa mattress blender speaker
    dashboard plugin extension integration workspace firmware sdk widget
    chair chairs desk desks tournament tournaments mocktail mocktails
    pitcher pitchers bar playlist playlists setup rollout migration pipeline pipelines merch
    costume costumes puppy puppies kitten kittens brand brands
    accounts proposal proposals pitch pitches deal deals contract contracts audit audits fleet
    bundle bundles appliance appliances dishwasher dishwashers shaver
    shavers toothbrush glassware suit suits accessory accessories campaign campaigns tasting
    """.split()
)
# "The Kyoto meeting room": meeting rooms are named after places and people.
_ROOM_KINDS = frozenset({"meeting", "conference", "board", "training", "huddle"})
# Between brands a product noun follows: "the Heinz and Kraft accounts", "Bosch and Siemens appliances".
_COORDINATION = frozenset({"and", "or", "&", ","})
_MAX_COORDINATED_WORDS = 3
# Short acronyms between a brand and its product noun: "the Okta MFA setup", "a Zoom SSO login".
_ACRONYM_LENGTH = 5
# Festivals and holidays spelt like a person's or a town's name ("Mardi Gras", "Ganesh
# Chaturthi", "Hari Raya"): the lists take their words for names. Other languages' holidays too
# ("Natale", "Semana Santa", "Weihnachten"), but not those that are also first names or surnames
# ("Noël", "Silvester", "Pasqua", "Bayram").
FESTIVALS = frozenset(
    """
    mardi gras juneteenth loy krathong fasching hanami ganesh chaturthi makar sankranti ugadi
    vishu bihu gudi padwa janmashtami thaipusam deepavali hari raya nyepi seollal galungan
    holi onam pongal navratri dussehra lohri baisakhi vaisakhi songkran chuseok obon hogmanay
    sinterklaas kwanzaa hanukkah chanukah purim sukkot shavuot diwali ramadan nowruz vesak eid
    natale capodanno ferragosto epifania navidad nochebuena nochevieja pascua semana santa
    weihnachten ostern pfingsten karneval pâques chandeleur páscoa carnaval tết wigilia wielkanoc
    andrzejki рождество пасха масленица kurban koningsdag
    """.split()
)
# Grape varieties, the names of wines the world over ("Merlot", "Cabernet Sauvignon"), and the words
# that end some of them but are names on their own ("Sauvignon Blanc", "Cabernet Franc", "Grüner
# Veltliner"): those count only beside a variety.
GRAPE_VARIETIES = frozenset(
    """
    merlot cabernet sauvignon chardonnay pinot syrah riesling malbec tempranillo sangiovese zinfandel
    grenache grigio gewürztraminer gewurztraminer viognier nebbiolo chenin carménère carmenere gamay
    mourvèdre albariño verdejo veltliner moscato semillon sémillon verdot dolcetto vermentino
    torrontés pinotage marsanne roussanne aglianico garnacha monastrell trebbiano furmint
    """.split()
)
_GRAPE_COMPANIONS = frozenset({"blanc", "franc", "noir", "gris", "grüner", "petit"})


def _a_grape_variety(alphabetic: list[str]) -> bool:
    lower = [word.lower() for word in alphabetic]
    return any(word in GRAPE_VARIETIES for word in lower) and all(
        word in GRAPE_VARIETIES or word in _GRAPE_COMPANIONS for word in lower
    )


# Drinks named after people, whose whole name is the drink's ("a Shirley Temple mocktail").
DRINKS_NAMED_AFTER_PEOPLE = frozenset(
    {
        ("shirley", "temple"),
        ("tom", "collins"),
        ("john", "collins"),
        ("bloody", "mary"),
        ("rob", "roy"),
        ("arnold", "palmer"),
        ("harvey", "wallbanger"),
        ("mary", "pickford"),
        ("earl", "grey"),
    }
)
# Wines, spirits, cheeses and teas named after the place they come from, which are things where
# food or drink is the talk of the line: "we have Rioja and some Prosecco", "cheeses: Gouda, Brie".
PLACE_NAMED_PRODUCE = frozenset(
    """
    prosecco cava rioja chianti bordeaux burgundy barolo champagne cognac armagnac calvados madeira
    marsala tokaji sancerre chablis beaujolais gouda brie camembert cheddar edam emmental gruyere
    gruyère manchego parmesan roquefort stilton wensleydale darjeeling assam
    """.split()
)
# Words on the line that make such a name the produce.
_PRODUCE_TALK = frozenset(
    """
    wine wines cheese cheeses bottle bottles glass glasses drink drinks pair pairs pairing tasting
    toast sparkling menu platter board snacks catering tea teas
    """.split()
)
# Dog and cat breeds named after a place or a people ("Chihuahua", "Great Dane", "Siamese"), which
# are breeds where the words around talk of pets: "a Labrador puppy", "breeds: Chihuahua, Pomeranian".
PLACE_NAMED_BREEDS = frozenset(
    tuple(breed.split("_"))
    for breed in """
    chihuahua great_dane pomeranian maltese pekingese dalmatian labrador newfoundland rottweiler
    weimaraner akita samoyed bernese havanese basenji shih_tzu siamese persian bengal burmese
    himalayan abyssinian birman balinese manx siberian saint_bernard st_bernard afghan
    """.split()
)
# The last words of breeds' names, which may stand beside one in a list: "Chihuahua, Border Collie".
_BREED_HEADS = frozenset("retriever terrier spaniel collie hound mastiff schnauzer poodle bulldog beagle".split())
_PET_TALK = frozenset(
    """
    dog dogs puppy puppies pup pups breed breeds cat cats kitten kittens pet pets vet kennel
    litter groomer grooming leash
    """.split()
)
# Words before a name that make it the place: "a trip to Bordeaux for the wine tasting".
_BEFORE_A_PLACE = frozenset("in to from near at around across through visit visiting via".split())
# Words before a code name that make it a team's, a project's or a storm's: "Team Phoenix",
# "Project Atlas", "Hurricane Andrew", "Tropical Storm Alberto".
CODE_NAME_HEADS = frozenset(
    {
        *("Team", "Project", "Operation", "Squad", "Codename", "Initiative"),
        # The same heads in the project's other languages: "Projekt Phoenix", "Opération Tempête".
        *("Projekt", "Projet", "Proyecto", "Progetto", "Projeto", "Operación", "Opération", "Operazione"),
        *("Operação", "Operacja", "Operatie"),
        *("Hurricane", "Typhoon", "Cyclone", "Storm", "Superstorm"),
    }
)
# Greetings said with a festival's name: "Ramadan Mubarak", "Eid Mubarak", "Ramadan Kareem".
FESTIVAL_GREETINGS = frozenset({"mubarak", "kareem"})
# Verbs before "from X to Y" that move work between products: "migrated from Jenkins to GitHub".
_MIGRATION_VERBS = frozenset(
    """
    migrate migrated migrating moved move moving switch switched switching transition
    transitioned transitioning upgrade upgraded upgrading port ported
    """.split()
)
# Nouns a discoverer's name stands before when it names a result, not a person: "Bayes
# theorem", "Cauchy-Schwarz inequality", "Turing test".
EPONYM_NOUNS = frozenset(
    """
    theorem theorems inequality equation equations conjecture lemma law laws principle paradox
    experiment effect constant hypothesis formula distribution transform algorithm method model
    filter chain test process reaction cycle syndrome disease criterion integral series operator
    function problem curve rule sequence number numbers space spaces manifold graph diagram scale
    index razor limit coding bible
    chains rating ratings score tests effects models filters algorithms distributions theory
    theories hierarchy triangle identity matrix machine machines tree trees cipher notation box
    ratio spiral circle bound bounds norm estimator coefficient coefficients polynomial
    polynomials decomposition diagrams plot plots curves constants equations cells tube burner
    telescope dish counter wheel maneuver manoeuvre valve coil cage jar jars knot scheme protocol
    agreement accords trials shift rights warning virus sponge equilibrium simulation simulations
    scattering radiation instability boson bosons condensate radius force forces
    salad soup sauce sandwich burger pie cake tart pudding stew curry chowder fry dressing
    salads soups sauces sandwiches burgers pies cakes tarts puddings stews curries
    pizza pasta cocktail cocktails latte cheese bread noodles steak wings fries mustard ham sausage
    sausages beans chili gravy biscuits pastry fudge cider ale lager whiskey whisky gin vodka rum
    cheesecake cheesesteak risotto tacos dumplings casserole pancakes waffles omelette omelet
    fondue brownies muffins scones bagels dip melt melts
    """.split()
)
# The nouns that, capitalised, make a name with a discoverer's or statesman's name ("Bayes
# Theorem", "Marshall Plan", "Monroe Doctrine", "Nobel Prize"); no surname is one of them.
TITLED_EPONYM_NOUNS = frozenset(
    """
    theorem conjecture lemma paradox principle equation inequality effect hypothesis plan doctrine
    prize award medal cycle bible
    """.split()
)
# Meats and eggs before a dish's name: "Eggs Benedict", "Beef Wellington", "Chicken Kiev".
# Fruits and shellfish too: "Bananas Foster", "Peach Melba", "Oysters Rockefeller".
FOOD_BEFORE = frozenset(
    "eggs egg pork beef chicken lamb veal duck fish salmon shrimp prawns bananas cherries peach oysters lobster".split()
)
# The nouns that also follow a discoverer's name in the possessive ("Alzheimer's disease",
# "Newton's laws", "Occam's razor"); "Maria's test" and "Priya's model" are hers.
POSSESSIVE_EPONYM_NOUNS = frozenset(
    """
    theorem inequality equation conjecture lemma law laws principle paradox constant hypothesis
    syndrome disease razor algorithm triangle identity theory hierarchy formula cube ark phenomenon
    stages pyramid wager dilemma dimensions
    """.split()
)
# Eponyms whose noun alone would be anyone's ("Schrödinger's cat", "Chekhov's gun", "Achilles'
# heel", "the Mandelbrot set"): the pair, not the noun, says the phrase names an idea.
EPONYM_PAIRS = frozenset(
    {
        ("schrödinger", "cat"), ("schrodinger", "cat"), ("schroedinger", "cat"), ("maxwell", "demon"),
        ("laplace", "demon"), ("descartes", "demon"), ("newton", "cradle"), ("chekhov", "gun"),
        ("hobson", "choice"), ("halley", "comet"), ("russell", "teapot"), ("plato", "cave"),
        ("achilles", "heel"), ("pandora", "box"), ("conway", "game"), ("buridan", "ass"),
        ("theseus", "ship"), ("wittgenstein", "beetle"), ("zeno", "arrow"), ("hilbert", "hotel"),
        ("langton", "ant"), ("galton", "board"), ("foucault", "pendulum"), ("pavlov", "dog"),
        ("pavlov", "dogs"), ("murphy", "law"), ("sod", "law"), ("ockham", "razor"), ("occam", "razor"),
        ("avogadro", "number"), ("dunbar", "number"), ("euler", "number"), ("graham", "number"),
        ("erdős", "number"), ("erdos", "number"), ("mandelbrot", "set"), ("cantor", "set"),
        ("oxford", "comma"), ("harvard", "referencing"),
    }
)  # fmt: skip
# Units named after people ("300 Kelvin", "degrees Fahrenheit", "from Celsius to Kelvin"): a unit
# after a number, "degrees" or another unit, or before "scale" or "degrees", is no one's name.
UNITS_NAMED_AFTER_PEOPLE = frozenset(
    """
    kelvin celsius fahrenheit rankine newton newtons joule joules watt watts volt volts ampere amperes
    hertz pascal pascals ohm ohms coulomb coulombs tesla teslas weber webers siemens becquerel
    becquerels sievert sieverts gauss farad farads henries
    """.split()
)
_UNIT_CONTEXT = frozenset({"degree", "degrees", "scale", "scales", "units", "unit"})
_UNIT_REACH = 3
# Dashes that join discoverers' names into one eponym ("Michelson-Morley", "Navier-Stokes").
DASHES = frozenset({"-", "\u2013", "\u2014"})
_APOSTROPHES = frozenset({"'", "\u2019"})


def is_a_thing(words: list[str], before: list[str], after: list[str], gazetteer: Gazetteer) -> bool:
    """Whether a finding's ``words`` (its tokens) name a thing rather than a person or place.

    ``before`` holds the tokens before it, nearest first, and ``after`` the tokens after it, on
    the same line and without spaces.
    """
    alphabetic = [word for word in words if word.isalpha()]
    if not alphabetic:
        return False
    # An article or a particle before a holiday or a brand is no part of its name: "la Semana Santa".
    capitalised = [word for word in alphabetic if not word.islower()]
    if capitalised and all(word.lower() in BRANDS or word.lower() in FESTIVALS for word in capitalised):
        return True
    if _greets_a_festival(alphabetic, before, after) or _produce_of_a_place(alphabetic, before, after):
        return True
    if _breed_of_a_place(alphabetic, before, after) or _a_grape_variety(alphabetic):
        return True
    if tuple(word.lower() for word in alphabetic) in DRINKS_NAMED_AFTER_PEOPLE:
        return True
    if " ".join(word.lower() for word in alphabetic) in FIRMS_NAMED_AFTER_PEOPLE:
        return True
    return (
        _made_by_a_brand(alphabetic, before, gazetteer)
        or _before_a_product_noun(after)
        or _an_employer(alphabetic, before, after, gazetteer)
        or _a_firm_after_a_job_title(alphabetic, before, gazetteer)
        or _a_job_title(words, gazetteer)
        or (bool(before) and before[0] in CODE_NAME_HEADS)
        or any(word in CODE_NAME_HEADS for word in alphabetic[:-1])
        or _migrated_from(before, after)
        or _a_team_by_its_nickname(alphabetic, after, gazetteer)
        or _used_as_a_style(after)
        or _sets_a_length([*[word for word in words[1:] if not word.isspace()], *after])
        or _work_by_its_author(after)
        or _headed_by_a_thing(alphabetic, before, after, gazetteer)
        or _joined_by_an_ampersand(words, before, after)
        or _names_a_result(words, after)
        or _a_unit(alphabetic, before, after)
        or _joined_eponym(before, after)
        or _title_of_a_work(words, before, after, gazetteer)
        or _names_a_dish(alphabetic, before, gazetteer)
        or _place_before_a_dish(alphabetic, after, gazetteer)
        or _after_a_named_thing(before, after)
        or _said_to_be_a_thing(after)
        or names_a_figure(alphabetic, before, after)
        or _a_chain_store(alphabetic, before, after)
        or _a_business_by_its_kind(alphabetic, before, after)
        or names_a_product(words, before, after, gazetteer)
        or names_an_everyday_thing(alphabetic, before, after, gazetteer)
        or names_a_discoverers_result(words, before)
        or _a_limit_before_a_figure(alphabetic, after)
        or _a_language_or_an_idiom(alphabetic, before)
    )


# "Max" and "Min" are names, and the short forms of a limit before its figure: "Max 25 saved
# views", "Min. 3 players". Max at 25 would be written "Max, 25" or "Max (25)".
_LIMITS = frozenset({"max", "min"})


# Languages as Dutch and German write them, capitalised, after the article or preposition that
# makes them a language ("vertaal het naar het Engels", "bitte auf Deutsch"): "Engels" and
# "Deutsch" are surnames too, which no one writes after "het" or "auf".
_LANGUAGE_NAMES = frozenset(
    """
    engels nederlands duits frans spaans italiaans portugees pools russisch turks oekraïens arabisch
    chinees japans koreaans hindi deutsch englisch französisch spanisch italienisch niederländisch
    portugiesisch polnisch russisch türkisch ukrainisch arabisch chinesisch japanisch koreanisch
    """.split()
)
_BEFORE_A_LANGUAGE = frozenset({"het", "auf"})
# German sets a rule "in Kraft" or "außer Kraft" (in or out of force); Kraft is a surname too.
_IDIOMS = frozenset({("in", "kraft"), ("außer", "kraft"), ("ausser", "kraft")})


def _a_language_or_an_idiom(alphabetic: list[str], before: list[str]) -> bool:
    if len(alphabetic) != 1 or not before:
        return False
    word, previous = alphabetic[0].lower(), before[0].lower()
    return (previous in _BEFORE_A_LANGUAGE and word in _LANGUAGE_NAMES) or (previous, word) in _IDIOMS


def _a_limit_before_a_figure(alphabetic: list[str], after: list[str]) -> bool:
    if len(alphabetic) != 1 or alphabetic[0].lower() not in _LIMITS:
        return False
    figure = after[1:2] if after[:1] == ["."] else after[:1]
    return bool(figure) and figure[0][:1].isdigit()


def _greets_a_festival(alphabetic: list[str], before: list[str], after: list[str]) -> bool:
    """A festival and its greeting, in the finding or beside it: "Ramadan Mubarak", "Eid Mubarak"."""
    beside = [*(before[:1] if before[:1] and before[0].isalpha() else []), *alphabetic, *after[:1]]
    return any(word.lower() in FESTIVAL_GREETINGS for word in beside) and all(
        word.lower() in FESTIVALS or word.lower() in FESTIVAL_GREETINGS for word in alphabetic
    )


def _breed_of_a_place(alphabetic: list[str], before: list[str], after: list[str]) -> bool:
    """A breed named after a place or a people, where the words around talk of pets or list another
    such breed, and the word before is none of a place's ("a puppy from Labrador" is the place)."""
    words = tuple(word.lower() for word in alphabetic)
    if words not in PLACE_NAMED_BREEDS:
        # The model may tag the second word alone: "Dane" of "a Great Dane".
        if not (before and (before[0].lower(), *words) in PLACE_NAMED_BREEDS):
            return False
        before = before[1:]
    if before and before[0].lower() in _BEFORE_A_PLACE:
        return False
    around = [word.lower() for word in (*before, *after)]
    return any(word in _PET_TALK or word in _BREED_HEADS or (word,) in PLACE_NAMED_BREEDS for word in around)


def _produce_of_a_place(alphabetic: list[str], before: list[str], after: list[str]) -> bool:
    """A wine, cheese or tea named after its place, where the words around talk of food or drink
    or list another such produce, and none of travel."""
    if not (len(alphabetic) == 1 and alphabetic[0].lower() in PLACE_NAMED_PRODUCE):
        return False
    if before and before[0].lower() in _BEFORE_A_PLACE:
        return False
    around = [word.lower() for word in (*before, *after)]
    return not any(word in _TRAVEL_TALK for word in around) and any(
        word in _PRODUCE_TALK or word in PLACE_NAMED_PRODUCE for word in around
    )


# Words around a wine region's name that make it the place: "Bordeaux, Burgundy: a 5-day trip".
_TRAVEL_TALK = frozenset("trip trips visit travel tour tours itinerary fly flight flights hotel stay day days".split())


# Words between a brand and its product noun that say which of its products: "a Chase credit card".
_PRODUCT_KINDS = frozenset("credit debit savings checking gift loyalty rewards business premium".split())


def _before_a_product_noun(after: list[str]) -> bool:
    """A product's noun right after, or after a short acronym or the product's kind: "Bose
    headphones", "the Okta MFA setup", "a Chase credit card"."""
    if after[:1] and after[0] in _ROOM_KINDS:
        return after[1:2] in (["room"], ["rooms"])
    if after[:1] and after[0] in _COORDINATION:
        # The other brands of a list the noun follows: skip to the word after them.
        rest = after[1:]
        skipped = 0
        while rest and skipped < _MAX_COORDINATED_WORDS and rest[0][:1].isupper() and rest[0].isalpha():
            rest, skipped = rest[1:], skipped + 1
        if skipped:
            after = rest
    if after[:1] and (
        (after[0].isupper() and after[0].isalpha() and len(after[0]) <= _ACRONYM_LENGTH) or after[0] in _PRODUCT_KINDS
    ):
        after = after[1:]
    return bool(after) and after[0] in PRODUCT_NOUNS


# The last word of a job title as a signature writes it, before the firm: "Release Manager, Brightside
# Apps", "Head of Events, Brightwave", "Jefe de Proyecto, Grupo Textil".
JOB_TITLE_ENDS = frozenset(
    """
    manager director coordinator specialist engineer officer lead head chair president ceo cto cfo
    coo cmo vp analyst consultant designer developer assistant executive partner founder owner
    administrator associate advisor adviser architect editor producer recruiter representative
    supervisor strategist scientist researcher counsel attorney accountant planner buyer marketing
    sales operations events hr finance proyecto ventas operaciones recursos humanos gerente
    directora vertrieb leiter leiterin geschäftsführer geschäftsführerin projet directeur directrice
    responsabile direttore direttrice
    """.split()
)


def _a_firm_after_a_job_title(alphabetic: list[str], before: list[str], gazetteer: Gazetteer) -> bool:
    """The firm after a job title in title case and a comma, as signatures write them. A person is
    written there too ("our new Head of Sales, Maria Lopez"): words the lists hold as a name stay
    one, and so does a person after a title in lower case ("my manager, Janet, ...")."""
    return (
        len(before) >= 2
        and before[0] == ","
        and before[1][:1].isupper()
        and before[1].lower() in JOB_TITLE_ENDS
        and not any(gazetteer.is_name(word.lower()) for word in alphabetic)
    )


# The first word of a job title that names its department after "of" or "de": "Head of Events", "Jefe
# de Proyecto", "Directrice des Ventes".
JOB_TITLE_HEADS = frozenset(
    """
    head chief director directora jefe jefa gerente directeur directrice responsable direttore direttrice
    diretor diretora coordinador coordinadora coordinateur coordinatrice
    """.split()
)
_OF = frozenset({"of", "de", "des", "du", "del", "della", "da", "do", "di"})


def _a_job_title(words: list[str], gazetteer: Gazetteer) -> bool:
    """A title naming its department; one tagged with its holder's name ("Director of Operations Rosa
    Delgado") is the holder's."""
    alphabetic = [word for word in words if word.isalpha()]
    return (
        len(alphabetic) > 2
        and alphabetic[0].lower() in JOB_TITLE_HEADS
        and alphabetic[1] in _OF
        and not any(gazetteer.is_name(word.lower()) for word in alphabetic[2:])
    )


# What one holds at a firm: "a job at Ericsson", "my internship at Barclays", "the position at Patagonia".
# And who works or studies at one: "worked at Goldman Sachs", "analysts at Forrester", "a PhD at
# Carnegie Mellon", "the team at the Guggenheim". A person is met "at Priya's", never "at Priya".
_EMPLOYMENT_NOUNS = frozenset(
    """
    job jobs internship internships position positions career interview work works worked working
    analyst analysts lead manager engineer director buyer team colleagues folks staff stint years
    phd mba degree studies studied
    """.split()
)


def _an_employer(alphabetic: list[str], before: list[str], after: list[str], gazetteer: Gazetteer) -> bool:
    """A firm after "at" and a word of work or study; a place there ("years at Heathrow") stays one,
    and so does a person's home ("the team at Maria's")."""
    if before[:1] and before[0].lower() == "the":
        before = before[1:]
    return (
        not (after[:1] and after[0] in _APOSTROPHES)
        and len(before) >= 2
        and before[0] == "at"
        and before[1].lower() in _EMPLOYMENT_NOUNS
        and not gazetteer.is_place(" ".join(alphabetic).lower())
    )


def _migrated_from(before: list[str], after: list[str]) -> bool:
    """The old product of a migration to a known one: "migrated from Jenkins to GitHub Actions"."""
    return (
        len(before) >= 2
        and before[0] == "from"
        and before[1].lower() in _MIGRATION_VERBS
        and len(after) >= 2
        and after[0] == "to"
        and a_product(after[1])
    )


# The plural nicknames of sports teams, bands and awards ("the Golden State Warriors", "Arctic
# Monkeys", "the Golden Globes"):
# nouns no colleague is named after, unlike the plurals that are also surnames ("Hanks", "Banks").
TEAM_NICKNAMES = frozenset(
    """
    warriors lakers celtics bulls knicks raptors rockets spurs suns clippers mavericks nuggets
    pelicans grizzlies timberwolves pistons pacers cavaliers bucks hornets hawks wizards patriots
    giants jets eagles cowboys packers bears lions vikings falcons panthers buccaneers rams
    seahawks chiefs raiders broncos chargers steelers ravens bengals texans colts titans jaguars
    dolphins commanders cardinals yankees mets dodgers cubs astros braves phillies padres mariners
    rangers orioles tigers brewers pirates marlins rockies diamondbacks bruins canadiens penguins
    flyers blackhawks oilers canucks predators sabres senators islanders devils sharks ducks
    monkeys dragons fighters peppers stones beatles killers strokes chipmunks smurfs globes
    oscars emmys grammys
    """.split()
)


def _a_team_by_its_nickname(alphabetic: list[str], after: list[str], gazetteer: Gazetteer) -> bool:
    """A run of capitalised words ending in a team's or a band's nickname: "the Golden State
    Warriors", "Arctic Monkeys"; one that opens with a name that is no everyday word ("Steve")
    is a person's."""
    run = [*alphabetic, *_capitalised_words_opening(after)]
    first = run[0].lower()
    return (
        len(run) > 1
        and run[-1].lower() in TEAM_NICKNAMES
        and not (gazetteer.is_name(first) and not gazetteer.is_dictionary_word(first))
    )


# Nouns of a length a request sets: "Máximo 60 palabras", "Massimo 60 parole", "Max 50 ord".
_LENGTH_NOUNS = frozenset(
    """
    words word palabras palabra parole parola mots mot palavras palavra wörter worte woorden ord
    słów słowa kelime sätze frases phrases zeichen caracteres characters chars zeilen lines
    """.split()
)


def _sets_a_length(after: list[str]) -> bool:
    """A capitalised word before a count and what is counted: "Máximo 60 palabras", "Max 50 ord";
    a person is not followed so. ``after`` holds the tokens after the first word, the finding's
    own too: the model may take the count in ("Máximo 90 palabras" as an address)."""
    return len(after) >= 2 and after[0].isdigit() and after[1].lower() in _LENGTH_NOUNS


# Words after a name, joined by a dash or not, that make it a style or a theme: "a
# Tarantino-style scene", "a Harry Potter themed party", "Gatsby-inspired".
STYLE_WORDS = frozenset("style styled themed inspired esque like type".split())


def _used_as_a_style(after: list[str]) -> bool:
    following = after[1:] if after[:1] and after[0] in DASHES else after
    return bool(following) and following[0] in STYLE_WORDS


# Days and months, which follow "by" as a deadline ("ask Maria by Friday"), not as an author.
_DEADLINES = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday tomorrow today tonight january
    february march april may june july august september october november december
    """.split()
)


def _work_by_its_author(after: list[str]) -> bool:
    """A title followed by "by" and its author's name: "Emma by Jane Austen", "Dracula by Bram
    Stoker"; the author stays masked, "Ask Maria by Friday" is a deadline."""
    return (
        len(after) >= 2
        and after[0] == "by"
        and after[1][:1].isupper()
        and after[1].isalpha()
        and after[1].lower() not in _DEADLINES
    )


# Chains named in the possessive after a founder whose surname is otherwise rare as a first name:
# "lunch at McDonald's", "a Macy's sale"; "Jim McDonald's car" is Jim's.
CHAINS = frozenset("mcdonald applebee arby denny kohl macy lowe sainsbury kellogg hardee dillard sotheby".split())


# A kind of business written before its name in the project's other languages ("Boulangerie
# Marchand", "Pasticceria Bianchi", "Talleres Domínguez", "Bakkerij Van Dijk"), and the words after
# a family name that make it a firm ("Hoffmann Druck", "Martin Frères", a Turkish "Lokantasi",
# "Kowalski i Synowie", "Петренко Груп"): the shop, not its owner.
BUSINESS_KINDS_BEFORE = frozenset(
    """
    boulangerie pâtisserie patisserie boucherie charcuterie fromagerie épicerie epicerie crêperie creperie
    menuiserie plomberie pharmacie librairie maison cabinet atelier hôtel institut clinique laverie quincaillerie
    bijouterie panadería panaderia pastelería pasteleria carnicería carniceria frutería fruteria ferretería
    ferreteria farmacia librería libreria papelería papeleria taller talleres casa restaurante cafetería
    cafeteria clínica clinica horno muebles fundación fundacion suministros distribuciones construcciones
    transportes asesoría asesoria gestoría gestoria peluquería peluqueria óptica optica bodega bodegas hostal
    pasticceria panificio panetteria forno trattoria osteria pizzeria ferramenta macelleria gelateria
    poliambulatorio studio officina cartoleria albergo ristorante caseificio cantina azienda padaria pastelaria
    confeitaria farmácia ótica otica oficina livraria mercearia drogaria bakkerij slagerij apotheek kapsalon
    boekhandel bloemisterij bäckerei baeckerei metzgerei konditorei apotheke gasthaus gasthof autohaus praxis
    kanzlei buchhandlung gärtnerei schreinerei tischlerei pension brauerei weingut piekarnia cukiernia apteka
    kwiaciarnia zakład księgarnia restauracja kawiarnia hurtownia кафе пекарня аптека студия ателье ресторан
    магазин пекарня кав'ярня
    """.split()
)
BUSINESS_WORDS_AFTER = frozenset(
    """
    druck bau transporte frères freres fils hnos hermanos synowie söhne soehne figli lokantası lokantasi
    fırını firini eczanesi pastanesi ticaret inşaat insaat груп групп
    """.split()  # noqa: RUF001  # Turkish dotless i on purpose
)


def _a_business_by_its_kind(alphabetic: list[str], before: list[str], after: list[str]) -> bool:
    first = alphabetic[0]
    if (first[:1].isupper() and first.lower() in BUSINESS_KINDS_BEFORE) or (
        before and before[0][:1].isupper() and before[0].lower() in BUSINESS_KINDS_BEFORE
    ):
        return True
    last = alphabetic[-1].lower()
    return last in BUSINESS_WORDS_AFTER or bool(after and after[0].lower() in BUSINESS_WORDS_AFTER)


def _a_chain_store(alphabetic: list[str], before: list[str], after: list[str]) -> bool:
    return (
        len(alphabetic) == 1
        and alphabetic[0].lower() in CHAINS
        and after[:1] != []
        and after[0] in _APOSTROPHES
        and after[1:2] == ["s"]
        and not (before and before[0][:1].isupper() and before[0].isalpha())
    )


def _made_by_a_brand(alphabetic: list[str], before: list[str], gazetteer: Gazetteer) -> bool:
    """A model or service after its maker's name, or tagged with it: "Toyota Corolla", "Amazon
    Prime", "a Samsung Galaxy". Tagged with it, a lower-case word between the maker and a listed
    name says whose the thing is: "Twitch de Lucas" is Lucas's channel, and "Bild von Lara" is
    German for a picture of Lara."""
    # Past its possessive too: "IKEA's Billy bookcase", "Ben & Jerry's Cherry Garcia".
    maker = before[2:] if len(before) > 2 and before[0] == "s" and before[1] in _APOSTROPHES else before
    if maker and maker[0][:1].isupper() and maker[0].lower() in BRANDS:
        return True
    if len(alphabetic) < 2 or alphabetic[0].lower() not in BRANDS:
        return False
    return not (
        alphabetic[1].islower()
        and any(
            word[:1].isupper() and gazetteer.is_name(word.lower()) and not gazetteer.is_dictionary_word(word.lower())
            for word in alphabetic[2:]
        )
    )


# The last capitalised word of a name that makes it a thing's: a holiday ("Martin Luther King
# Day"), a prize, a contest or event ("Nobel Prize", "Vietnam War"), a law or plan, a dog's breed
# ("Golden Retriever") or a product's edition ("Lumina Pro"). Few people's names end so ("Doris Day"
# is one, and is left unmasked); "Law" is no head for that reason ("Jude Law"): laws are named in
# the possessive ("Moore's Law", see POSSESSIVE_EPONYM_NOUNS).
THING_HEADS = frozenset(
    """
    day days eve week award awards prize prizes medal cup trophy championship championships
    olympics festival fest conference summit expo marathon war wars revolution rebellion treaty
    accord accords act doctrine initiative movement theorem effect principle paradox
    conjecture lemma equation inequality hypothesis constant algorithm syndrome disease
    retriever terrier spaniel pro max plus ultra mini lite edition dynasty plan program programme
    project strategy policy protocol agreement declaration charter compromise purchase crisis
    massacre riots incident affair scandal trials uprising campaign expedition mission crusade party
    scale test theory method factor podcast inu coon shorthair bulldog poodle collie hound mastiff schnauzer
    yoga pilates zumba average index honors rewards derby bowl prix regatta variations concerto concertos symphony sonata
    overture requiem rhapsody nocturne etude prelude fugue cantata oratorio serenade quartet
    quintet competition competitions contest celebration gala hackathon meetup messe
    """.split()
)


def _headed_by_a_thing(alphabetic: list[str], before: list[str], after: list[str], gazetteer: Gazetteer) -> bool:
    """The run of capitalised words the finding opens (or is) ends in a thing's head noun, after
    a possessive too ("Valentine's Day")."""
    rest = after[2:] if after[:1] and after[0] in _APOSTROPHES and after[1:2] == ["s"] else after
    # The capitalised words before it too: the finding may be the head alone ("Power Yoga").
    run = [*reversed(_capitalised_words_opening(before)), *alphabetic, *_capitalised_words_opening(rest)]
    if len(run) > 1 and run[-1][:1].isupper() and run[-1].lower() in THING_HEADS:
        return True
    # A head inside the run qualifies the everyday nouns after it: "Christmas Eve Mass",
    # "Nobel Prize Committee"; a name after the head ("Labour Party Leader Jo") keeps it a name.
    return any(
        run[index].lower() in THING_HEADS and all(_everyday_noun(word, gazetteer) for word in run[index + 1 :])
        for index in range(1, len(run) - 1)
    )


def _capitalised_words_opening(tokens: list[str]) -> list[str]:
    """The capitalised words ``tokens`` start with (nearest first), up to the first other token."""
    words: list[str] = []
    for token in tokens:
        if not (token.isalpha() and token[:1].isupper()):
            break
        words.append(token)
    return words


def _everyday_noun(word: str, gazetteer: Gazetteer) -> bool:
    lower = word.lower()
    return gazetteer.kind(lower) == NOTHING and gazetteer.is_dictionary_word(lower)


_AMPERSANDS = frozenset({"&", "&amp;"})


def _joined_by_an_ampersand(words: list[str], before: list[str], after: list[str]) -> bool:
    """Capitalised names joined by "&" name a firm or a brand ("Harlow & Finch", "Johnson &
    Johnson"); people are joined by "and"."""
    return (
        any(word in _AMPERSANDS for word in words)
        or (len(before) >= 2 and before[0] in _AMPERSANDS and before[1][:1].isupper())
        or (len(after) >= 2 and after[0] in _AMPERSANDS and after[1][:1].isupper())
    )


_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "my", "our", "your", "their", "his", "her", "its"})
# Words after a thing's name that end the phrase naming it ("the book Matilda by ...", "the app
# Cohen and ..."); a verb after it makes the name a person's ("the company Dan founded").
_AFTER_A_NAME = frozenset({"by", "and", "or", "from", "in", "on", "with", "for", "to", "of", "about"})


_OPENING_QUOTES = frozenset({'"', "'", "\u201c", "\u2018"})


def _after_a_named_thing(before: list[str], after: list[str]) -> bool:
    """Right after "the movie", "a book", "our app" ("the movie La La Land."), the name's phrase
    ending there: "the company Dan founded" is Dan's. The name may be quoted: 'the song "Vienna"'."""
    if before[:1] and before[0] in _OPENING_QUOTES:
        before = before[1:]
    if not (len(before) >= 2 and before[0].lower() in NAMED_THINGS and before[1].lower() in _DETERMINERS):
        return False
    rest = [word for word in after if not word[:1].isupper()]
    following = rest[0] if rest else None
    return following is None or not following.isalpha() or following in _AFTER_A_NAME


_LINKING = frozenset({"is", "was"})
_ARTICLES = frozenset({"a", "an", "the"})
# Lower-case words between the article and the thing: "Cohen is a free dating app".
_THING_ADJECTIVES = 2


def _a_unit(alphabetic: list[str], before: list[str], after: list[str]) -> bool:
    """A unit named after a person, with a number, "degrees" or another unit close before it or
    "scale" or "degrees" right after: "300 Kelvin", "convert Celsius to Kelvin"."""
    if len(alphabetic) != 1 or alphabetic[0].lower() not in UNITS_NAMED_AFTER_PEOPLE:
        return False
    near = [word.lower() for word in before[:_UNIT_REACH]]
    return (
        (bool(before) and is_a_number(before[0]))
        or any(word in _UNIT_CONTEXT or word in UNITS_NAMED_AFTER_PEOPLE for word in near)
        or (bool(after) and after[0].lower() in _UNIT_CONTEXT)
    )


def is_a_number(word: str) -> bool:
    """Digits, with the dots and commas that group or split them ("1,200", "3.5")."""
    return word.replace(".", "").replace(",", "").isdigit()


def _said_to_be_a_thing(after: list[str]) -> bool:
    """ "Cohen is a free app that ...", "Nova was the band ...": followed by "is a" and a thing
    that ends the phrase; "Maria is a project manager" is a person."""
    if len(after) < 3 or after[0] not in _LINKING or after[1] not in _ARTICLES:
        return False
    for index in range(2, min(len(after), 3 + _THING_ADJECTIVES)):
        word = after[index]
        if word in NAMED_THINGS:
            following = after[index + 1] if index + 1 < len(after) else None
            return following is None or not following.isalpha() or following in _ENDS_A_THING
        if not word.islower():
            return False
    return False


_ENDS_A_THING = frozenset({"that", "which", "where", "for", "with", "by", "from", "and", "to", "in", "of"})


def _names_a_dish(alphabetic: list[str], before: list[str], gazetteer: Gazetteer) -> bool:
    """After or opening with a meat ("Beef Wellington", "Pulled Pork Benedict"), or ending in a
    dish's noun ("Hangtown Fry") after words that are not all a person's names ("Stephen Curry",
    "Anna Curry" are people); "Caesar salad" is a result noun after the name."""
    if (before and before[0].lower() in FOOD_BEFORE) or alphabetic[0].lower() in FOOD_BEFORE:
        return True
    return (
        len(alphabetic) > 1
        and alphabetic[-1].lower() in _DISHES
        and not all(gazetteer.is_name(word.lower()) for word in alphabetic[:-1])
    )


# A dish ending a capitalised name makes it the dish or the place that sells it: "Hangtown Fry",
# "Paradise Biryani", "Ichiran Ramen"; no one is called so.
_DISHES = frozenset(
    """
    salad soup sandwich burger pie cake tart pudding stew curry chowder fry biryani ramen sushi
    tacos noodles kebab kebabs dumplings burgers falafel shawarma dosa pizza pizzas
    """.split()
)
# The dishes a place's name qualifies past one lower-case word: "Mississippi mud pie", "Texas
# sheet cake", "Boston cream pie".
_FAR_DISHES = frozenset("pie pies cake cakes chili sandwich sandwiches pudding stew soup steak".split())


def _place_before_a_dish(alphabetic: list[str], after: list[str], gazetteer: Gazetteer) -> bool:
    """A place that no one is named after, one lower-case word and a dish: "Mississippi mud pie";
    "Send Priya apple pie" is still Priya's."""
    if len(alphabetic) != 1 or len(after) < 2 or after[1].lower() not in _FAR_DISHES:
        return False
    between, place = after[0], alphabetic[0].lower()
    return (
        between.isalpha()
        and between.islower()
        and between not in _NOT_A_QUALIFIER
        and gazetteer.is_place(place)
        and not gazetteer.is_name(place)
    )


def _names_a_result(words: list[str], after: list[str]) -> bool:
    """Followed by a noun that a discoverer's name qualifies, after an optional possessive."""
    if after[:1] and after[0] in _APOSTROPHES:
        # "Maria's test results" is hers: after a possessive only a result's own noun counts.
        following = after[2:] if after[1:2] == ["s"] else after[1:]
        if following[:1] and (following[0].lower() in _COUNT_WORDS or following[0].isdigit()):
            following = following[1:]  # "Newton's third law", "Kepler's 3 laws", "Maxwell's four equations"
        if len(words) == 1 and words[0].lower() in ILLNESS_EPONYMS and not (following and following[0].isalpha()):
            return True  # the illness alone: "early signs of Alzheimer's?"
        if len(words) == 1 and words[0].lower() in ILLNESS_ONLY_EPONYMS:
            return True  # "Alzheimer's warning signs": no one else goes by these names in a prompt
        if len(following) > 1 and following[0].islower() and following[1] in FAR_EPONYM_NOUNS:
            following = following[1:]  # "Hofstede's cultural dimensions"
        if len(following) > 1 and following[0].istitle() and following[1].lower() in _TITLED_POSSESSIVE_NOUNS:
            following = following[1:]  # "Kirchhoff's Voltage Law"
        if len(words) == 1 and following and (words[0].lower(), following[0].lower()) in EPONYM_PAIRS:
            return True
        return bool(following) and (
            following[0].lower() in POSSESSIVE_EPONYM_NOUNS
            or following[0].lower().endswith(_ILLNESS_ENDINGS)
            or (following[0].istitle() and following[0].lower() in _DISHES | _TITLED_POSSESSIVE_NOUNS)
        )
    last = words[-1] if words else ""
    if last.islower() and last in EPONYM_NOUNS and len(words) > 1:
        return True  # tagged with its noun: "the Turing test"
    if last.istitle() and last.lower() in TITLED_EPONYM_NOUNS and len(words) > 1:
        return True  # "the Krebs Cycle", "the Monroe Doctrine"
    if _reached_past_one_word(words, after):
        return True
    return bool(after) and (
        after[0] in EPONYM_NOUNS
        or (after[0].istitle() and after[0].lower() in TITLED_EPONYM_NOUNS)
        or (len(words) == 1 and (words[0].lower(), after[0].lower()) in EPONYM_PAIRS)
    )


# The result nouns that a discoverer's name still qualifies past one word: "the Kübler-Ross change
# curve", "the Phillips ROI model"; "Send Priya sales numbers" is Priya's.
FAR_EPONYM_NOUNS = frozenset(
    "curve curves model models equilibrium effect principle paradox theorem scale test matrix method dimensions".split()
)
# Words that start a new phrase after a name: "Ask Maria to test it", "Give Priya a test".
_NOT_A_QUALIFIER = frozenset("to for and or the a an with about on in at of by from is was as if".split())


def _reached_past_one_word(words: list[str], after: list[str]) -> bool:
    """A discoverer's surname (or two joined by a dash) and a result noun after one lower-case
    word or a short acronym: "the Ebbinghaus forgetting curve", "the Phillips ROI model"; a full
    name there is someone addressed ("Ask Maria Lopez sales model questions")."""
    if len(after) < 2 or after[1] not in FAR_EPONYM_NOUNS:
        return False
    if sum(word.isalpha() for word in words) > 1 and not any(word in DASHES for word in words):
        return False
    between = after[0]
    if between.isalpha() and between.isupper() and len(between) <= _ACRONYM_LENGTH:
        return True
    return between.isalpha() and between.islower() and between not in _NOT_A_QUALIFIER


# Capitalised nouns after a possessive that make a title, not someone's things: "Robert's Rules of
# Order", "Murphy's Law"; "Maria's rules" are hers.
_TITLED_POSSESSIVE_NOUNS = frozenset({"rules", "law", "laws"})


# A count or rank between a discoverer's possessive and the result's noun.
_COUNT_WORDS = frozenset("first second third fourth fifth sixth seventh two three four five six seven famous".split())


# Physicians whose name in the possessive names their illness alone ("signs of Parkinson's").
ILLNESS_EPONYMS = frozenset(
    "alzheimer parkinson crohn huntington tourette asperger hodgkin addison cushing raynaud hashimoto".split()
)
# Of those, the names that are an illness's and no likely surname of a colleague or client.
ILLNESS_ONLY_EPONYMS = frozenset("alzheimer crohn tourette asperger".split())
# Endings of illnesses named after a physician in the possessive ("Hashimoto's thyroiditis",
# "Bell's palsy", "Kaposi's sarcoma"); "Maria's" things end otherwise.
_ILLNESS_ENDINGS = ("itis", "osis", "oma", "emia", "aemia", "pathy", "plegia", "algia", "palsy", "trophy")


def _joined_eponym(before: list[str], after: list[str]) -> bool:
    """Joined to another capitalised name by a dash, the pair followed by a result noun."""
    if len(before) >= 2 and before[0] in DASHES and before[1][:1].isupper():
        return bool(after) and (
            after[0] in EPONYM_NOUNS or (after[0].istitle() and after[0].lower() in TITLED_EPONYM_NOUNS)
        )
    if len(after) >= 3 and after[0] in DASHES and after[1][:1].isupper():
        return after[2] in EPONYM_NOUNS
    return False


def _title_of_a_work(words: list[str], before: list[str], after: list[str], gazetteer: Gazetteer) -> bool:
    """The last words of a title that opens with "The" inside a sentence, or anywhere when a year
    in parentheses follows ("The Dark Knight (2008)"), and holds an everyday word ("watch The
    Dark Knight"); "The Hague" holds none and stays a place."""
    run = [word for word in words if word.isalpha()]
    index = 0
    while index < len(before) and before[index].isalpha() and before[index][:1].isupper():
        if before[index] == "The":
            everyday = [word for word in run if word[:1].isupper() and gazetteer.is_dictionary_word(word.lower())]
            if everyday and _dated(after):
                return True
            opens_the_line = index + 1 == len(before)
            return bool(everyday) and not opens_the_line and before[index + 1] not in _SENTENCE_ENDS
        run.append(before[index])
        index += 1
    return False


_SENTENCE_ENDS = frozenset({".", "!", "?", ":", ";", '"', "\u201c", "(", "*", "#", "-", "\u2022"})


def _dated(after: list[str]) -> bool:
    """Followed by a year in parentheses, as a film or book is listed: "(2008)"."""
    return (
        len(after) >= 3
        and after[0] == "("
        and after[2] == ")"
        and len(after[1]) == 4
        and after[1].isdigit()
        and after[1][:2] in ("18", "19", "20")
    )
