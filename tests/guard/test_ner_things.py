"""Brands, eponyms and titles of works are written like names but are not masked; names beside them are."""

from __future__ import annotations

import pytest

from bot.guard import Guard
from bot.guard.gazetteer import NOTHING, Gazetteer
from bot.guard.ner_gate import NER_WORD_LISTS
from bot.guard.ner_products import world_brands


@pytest.mark.parametrize(
    "text",
    [
        "How can I build a castle in Minecraft?",
        "Which is the better brand for sneakers: Prada or Adidas?",
        "Describe how to prove the Cauchy–Schwarz inequality.",
        "Explain the Michelson-Morley experiment to a child.",
        "Why does Alzheimer's disease affect memory?",
        "Summarise Bayes’ theorem in two lines.",
        "Write a review of the film we saw, The Dark Knight, in a paragraph.",
        "I had the Pulled Pork Benedict and the Hangtown Fry.",
        "Cook Beef Wellington and Chicken Kiev for the party.",
        "Write a blog post about Ripley's Aquarium.",
        "Convert the request body to a string in Golang.",
        # Acronyms no list knows.
        "Write a brief about limping in ASEAN countries.",
        "Write a poem about entropy in the style of POTUS.",
        # A film listed with its year, a work after "the movie", a thing said to be an app.
        "Classify the movie as suitable for children or not.\n\nThe Dark Knight (2008)",
        "I need to give a lecture about the movie La La Land.",
        "Meet your new match! Cohen is a free app that matches you with others.",
        # Languages code is written in or rewritten into.
        "How do I compare strings in Java?",
        "You are given a python command and are required to convert it into Ruby.",
        # A plan named after a statesman, and a football club.
        "Explain the Marshall Plan to a student.",
        # A release's number is no house number; a review is a publication.
        "email to customers: Django 3.2 support is ending, upgrade to Django 4.2 or later.",
        "Draft an email to investors summarizing the Harvard Business Review article.",
        "Who scored for Leeds United last night?",
        # Firms and drinks of the world's brand list.
        "Help me write a polite complaint to Ryanair about a cancelled flight.",
        "Explain a Negroni to someone who's never had Campari.",
        # A firm one works at, and a bank's card, though their names are a person's too.
        "My partner got a job at Ericsson, so we are moving.",
        "We have a car loan and a Chase credit card we pay off monthly.",
        # Breeds named after a place or a people, where the words around talk of pets.
        "Classify these dog breeds by size: Chihuahua, Border Collie, Great Dane, Pomeranian.",
        "Is a Great Dane a good dog for a small flat?",
        # Grape varieties, a cycle named after its discoverer, a law past a titled word.
        "Find the odd one out: Merlot, Cabernet Sauvignon, Chardonnay, Pinot Noir, Syrah.",
        "Summarise: the Krebs Cycle releases energy from acetyl-CoA.",
        "Explain Ohm's Law and Kirchhoff's Voltage Law with a worked example.",
        # Holidays in other languages, after an article too.
        "Devo scegliere un vino per la cena di Natale con i miei suoceri.",
        "Pidiendo dos días libres durante la Semana Santa.",
        # A job title naming its department, and the firm after it in a signature.
        "Saludos,\nJefe de Proyecto, Grupo Textil Mediterráneo",
        # Scattering named after its discoverer, whose name is also a town's.
        "Is Rayleigh scattering why sunsets are red?",
        # The system's error codes and signals quoted in a question.
        'Why does my Node.js app say "EADDRINUSE: address already in use :::3000"?',
        "What is ECONNREFUSED and how do I fix it?",
        "My script exits with ENOENT on Windows.",
        # Units named after people, beside a number, "degrees" or another unit.
        "What is the Kelvin scale and how do I convert Celsius to Kelvin?",
        "Water boils at 373 Kelvin, or 212 degrees Fahrenheit.",
        # A possessive eponym whose noun alone would be anyone's, and a language beside a CS word.
        "Explain Schrödinger's cat and Chekhov's gun to a high school student.",
        "Explain Big O notation with examples in Java.",
        "What is the Mandelbrot set, and what is Avogadro's number used for?",
        "Explain Huffman coding step by step, then compare the Geneva Bible with the Gutenberg Bible.",
    ],
)
def test_things_named_like_people_are_not_masked(guard: Guard, text: str) -> None:
    assert guard.check_prompt(text).masked_text == text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Explain the Doppler effect to Priya Sharma.", "Priya Sharma"),
        ("Maria Lopez's test results came back today.", "Maria Lopez"),
        ("Book a flight to Lisbon for Tomasz Nowak after the Minecraft event.", "Tomasz Nowak"),
        ("Make a Caesar salad for Anna Kowalski.", "Anna Kowalski"),
        ("Thank Maria Lopez's team for the launch.", "Maria Lopez"),
        # Right after "the company" or before "is a project manager", a person all the same.
        ("Ask the company Dan founded for a quote.", "Dan"),
        ("Maria Lopez is a project manager at our firm.", "Maria Lopez"),
        ("Have Priya Sharma plan the offsite.", "Priya Sharma"),
        ("Send the report to Ruby.", "Ruby"),
        # A town in capitals is no acronym.
        ("I live in KNIVSTA near the lake.", "KNIVSTA"),
        ("Ask Priya Sharma at Ryanair about the refund.", "Priya Sharma"),
        ("Maria Lopez's credit card was declined at the till.", "Maria Lopez"),
        ("We adopted a puppy from Labrador last summer.", "Labrador"),
        ("Please welcome our new Head of Sales, Maria Lopez.", "Maria Lopez"),
        ("I like my manager, Janet, and I don't want to leave.", "Janet"),
        ("Ask Blanc about the wine list.", "Blanc"),
        # A cue before a name that is also a brand's: the person, as the cue says.
        ("Write a birthday card for my daughter Zara, she turns 7.", "Zara"),
        ("Please welcome our Director of Operations, Rosa Delgado, to the team.", "Rosa Delgado"),
        ("Chihuahua is a state in northern Mexico; plan a trip there.", "Chihuahua"),
        # A place beside a physics word, and a surname in capitals that no error code spells.
        ("Rayleigh is a town in Essex, near the radiation lab.", "Rayleigh"),
        ("Please ask THIRUMURTHI about the force majeure clause.", "THIRUMURTHI"),
        # A unit's name alone, and a possessive before a noun of anyone's, are a person's.
        ("Kelvin asked for the quarterly numbers by Friday.", "Kelvin"),
        ("Forward the invoice to Tesla Morgan before noon.", "Tesla Morgan"),
        ("Feed Maria's cat while she is away.", "Maria"),
        ("Ask Julia to set the table before Graham arrives.", "Julia"),
    ],
)
def test_names_beside_things_are_still_masked(guard: Guard, text: str, name: str) -> None:
    prompt = guard.check_prompt(text)

    assert name not in prompt.masked_text
    assert name in prompt.mapping.values()


@pytest.mark.parametrize(
    ("text", "thing"),
    [
        ("Write a product description for the Chelsea boot in Tan.", "Chelsea"),
        ("write a reply: the Madison desk ships flat-packed", "Madison"),
        ("write a reminder that the Grace period ends on the 15th", "Grace"),
        ("draft copy for the Jasmine rice product page", "Jasmine"),
        # A name in quotes, then a few words describing the goods it names.
        ("Write a product listing for the 'Ada' ergonomic chair, seat height 42-53 cm.", "Ada"),
        ("Draft a blurb for the \u2018Gatsby\u2019 cocktail glass set, six glasses.", "Gatsby"),
        ('Launch post for our "Juno" scented candles, 220 g each.', "Juno"),
        ("Write a product page for our 'Julia' or 'Ruby' candles.", "Ruby"),
    ],
)
def test_goods_named_after_people_and_places_are_things(guard: Guard, text: str, thing: str) -> None:
    assert thing not in [text[f.start : f.end] for f in guard.analyze(text)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Please put Madison's desk near the window.", "Madison"),
        ("Write a thank-you note to Grace for the cake she baked.", "Grace"),
        ("Anna hat mir gestern geschrieben, bitte antworte ihr.", "Anna"),
        # Quoted, but as a nickname inside a full name, or with no goods after it.
        ("Write a welcome note for Robert 'Bob' Smith, our new chair of the board.", "Bob"),
        ("Thank 'Anna' for the lovely candles she sent.", "Anna"),
    ],
)
def test_a_name_beside_such_goods_in_other_phrases_stays_a_name(guard: Guard, text: str, name: str) -> None:
    assert name in [text[f.start : f.end] for f in guard.analyze(text)]


@pytest.mark.parametrize(
    "text",
    [
        # Festivals spelt like names, drinks named after people, teams by their nickname.
        "Plan our Mardi Gras party with king cake and wish everyone a happy Ganesh Chaturthi.",
        "Try our Shirley Temple mocktail and the Bloody Mary bar at brunch.",
        "We are proud sponsors of the Golden State Warriors fun run.",
        # A product's noun after the brand, past an acronym; a code name; a migration's source.
        "Write a note that the Herman Miller Aeron chairs arrive next week.",
        "Everyone must complete the Okta MFA setup before Friday.",
        "Announce that Team Phoenix won the hackathon.",
        "Why we migrated from Jenkins to GitHub Actions.",
        # Eponyms in the possessive, a breed before its young, a brand with its accent.
        "Explain Alzheimer's warning signs for caregivers.",
        "A blog post on Tuckman's stages of group development.",
        "An instagram post for our Labrador puppy training class.",
        "A newsletter on Pokémon Go community days at our stores.",
        # Storms, greetings, capitalised scales, breeds, awards, a tea.
        "Track Hurricane Milton and Typhoon Haiyan updates for the team.",
        "Ramadan Mubarak to all our customers, and Eid Mubarak!",
        "How does the Glasgow Coma Scale work?",
        "Is a Maine Coon good with kids?",
        "Explain what the Oscars and the Golden Globes are.",
        "Product copy for our Earl Grey cold brew.",
        # Eponyms past a word or an acronym, or after a possessive and an adjective.
        "Summarize the Kübler-Ross change curve for managers.",
        "Compare the Kirkpatrick model and the Phillips ROI model.",
        "Write about Hofstede's cultural dimensions and the Nash equilibrium.",
        "A cheat sheet on Robert's Rules of Order.",
        # Produce named after places, where food or drink is talked of; SaaS tools.
        "Name conference rooms after cheeses: we have Gouda, Brie and Manchego.",
        "Catering: Peking duck bao, Bombay mix and Kobe beef.",
        "Our Okta SSO keeps looping and Vanta collects the evidence.",
    ],
)
def test_festivals_drinks_teams_and_code_names_are_not_masked(guard: Guard, text: str) -> None:
    assert guard.check_prompt(text).masked_text == text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # A plural ending a name that is a surname, or no nickname.
        ("Write a post about Steve Jobs and his design taste.", "Steve Jobs"),
        ("Did Tom Hanks narrate that documentary?", "Tom Hanks"),
        ("Ask Steve Giants about the launch.", "Steve Giants"),
        ("Thank Anna Banks for the launch.", "Anna Banks"),
        # A place whose name ends in a plural noun stays a place.
        ("Book a trip to the Cayman Islands for the team.", "Cayman Islands"),
        # "from" and "to" between people, with no product after "to".
        ("Send the flowers from Maria to Jenkins.", "Jenkins"),
        # A greeting's word as a surname, a storm's as a surname.
        ("Ask Hosni Mubarak about it.", "Hosni Mubarak"),
        ("Ask Andrew Storm about it.", "Andrew Storm"),
        # A painter's possessive before a title that ends like a holiday.
        ("Why is Vincent van Gogh's The Starry Night a masterpiece?", "Vincent van Gogh"),
        # A full name before a word and a result noun is someone addressed.
        ("Ask Maria Lopez sales model questions.", "Maria Lopez"),
        # A wine region on a trip is the place.
        ("Plan a trip to Bordeaux for the wine tasting.", "Bordeaux"),
        # A possessive before a noun that is no eponym's.
        ("Maria Lopez's warning signs were ignored.", "Maria Lopez"),
    ],
)
def test_names_beside_the_new_things_stay_masked(guard: Guard, text: str, name: str) -> None:
    assert name not in guard.check_prompt(text).masked_text


def test_the_world_brand_list_holds_no_listed_name_or_place() -> None:
    # A brand listed here is never masked alone: one a person or a town bears would leak them.
    lists = Gazetteer.from_directory(NER_WORD_LISTS)
    brands = world_brands()
    assert len(brands) > 500
    assert sorted(brand for brand in brands if lists.kind(brand) != NOTHING) == []


@pytest.mark.parametrize(
    "text",
    ["We switched to Coca-Cola and Alka-Seltzer.", "I've been living on Irn-Bru and crisps all week."],
)
def test_brands_written_with_a_hyphen_or_an_apostrophe_are_not_masked(guard: Guard, text: str) -> None:
    assert guard.check_prompt(text).masked_text == text
