"""Products, apps and firms that no word list knows, told apart from people by the words around them.

A made-up brand ("Corvana", "Tidewell") or a product's name ("Zenbook", "Gradle") is a
capitalised word no list holds and no dictionary lists: shaped like an unknown surname, which
the gate must keep masking. What tells them apart is the shape of the phrase, not the word:

- a software or product noun right after it ("the Corvana dashboard", "a Tidewell plugin");
- its possessive before what a firm has and a person does not ("Corvana's pricing", "Tidewell's
  new payroll feature");
- a product beside it in a list or a comparison ("Bitbucket to GitLab", "Lumo or OneNote");
- a question that asks what it is ("What is Ikigai?"), where a person is asked about with "who".

A capital inside the word ("GitLab", "AirPods") makes a product too: names have none but after
"Mc", "Le"... And a short list holds brands written like names or towns ("Garmin", "Sonos").

Only words no list knows as a name or place count for the phrases above: "the Okafor report",
"Priya's app" keep their names. A short capitalised part of a compound ("Lo-fi", "Hi-res") is no
name, whichever lists hold it.
"""

from __future__ import annotations

from pathlib import Path

from bot.guard.gazetteer import NOTHING, Gazetteer

WORLD_BRANDS_FILE = Path(__file__).resolve().parent / "world_brands.txt"


def world_brands() -> frozenset[str]:
    """The brands of ``world_brands.txt``."""
    with WORLD_BRANDS_FILE.open(encoding="utf-8") as lines:
        return frozenset(word for line in lines if (word := line.strip()) and not word.startswith("#"))


# Brands, products and services spelt like a name or a town and rarely a person's name; brands
# that are also common surnames ("Ford", "Dell", "Armani") are left out, since a person may bear them.
BRANDS = (
    frozenset(
        """
    minecraft fortnite roblox pokemon pokémon zelda nintendo playstation xbox netflix hulu disney pixar
    marvel spotify youtube tiktok instagram facebook twitter linkedin whatsapp telegram reddit
    pinterest snapchat amazon google microsoft samsung huawei xiaomi sony toyota honda nissan
    hyundai volkswagen bmw audi porsche ferrari lamborghini maserati bugatti peugeot renault fiat
    volvo skoda subaru mazda mitsubishi lexus prada gucci chanel adidas nike reebok zara ikea lego
    rolex cartier versace starbucks walmart costco uber lyft airbnb paypal heineken budweiser
    nutella oreo doritos pringles nestle danone pepsi colgate kleenex forbes bloomberg reuters
    golang javascript typescript midjourney chatgpt openai github gitlab ubuntu debian wordpress
    shopify salesforce figma canva photoshop kotlin clojure matlab arduino raspberry
    boeing airbus nokia deloitte accenture mckinsey marriott verizon comcast vodafone siemens
    intel nvidia cisco oracle adobe ibm lenovo asus acer panasonic nikon sennheiser qualcomm jira
    trello asana dropbox expedia tripadvisor yelp doordash grubhub instacart chipotle walgreens
    kroger safeway tesco aldi lidl carrefour pfizer moderna astrazeneca novartis chevrolet chevy
    cadillac kia jeep atlassian ethereum bitcoin dogecoin solana
    kindle birkenstock hbo dyson fitbit peloton sweetgreen roomba nespresso keurig vitamix
    lululemon uniqlo zendesk hubspot mailchimp squarespace wix etsy ebay alibaba temu shein
    apache airflow heroku vercel netlify pytorch tensorflow keras numpy scipy matplotlib seaborn
    plotly streamlit gradio langchain huggingface selenium playwright cypress webpack redux nextjs
    okta vanta rippling opsgenie pagerduty datadog splunk intercom workday airtable calendly docusign
    slido mentimeter lessonly mixpanel snowflake databricks fivetran tableau zapier twilio coupa
    netsuite quickbooks freshdesk clickup gatorade lacroix seedlip
    nuxt fastapi pydantic sqlalchemy prisma postgres postgresql mysql mongodb redis sqlite
    elasticsearch kibana grafana celery rabbitmq nginx supabase firebase oura evernote zustand
    jotai mobx panera dunkin popeyes
    gmail outlook hotmail firefox vimeo twitch discord skype webex onedrive icloud bitbucket gradle
    npm duolingo strava garmin sonos roku chromebook macbook thinkpad airtable zapier calendly
    todoist bitwarden lastpass grammarly databricks postman freshdesk klarna venmo zelle revolut
    monzo quickbooks
    """.split()
    )
    | world_brands()
)
# Firms, brands and institutions of the world named after two people or a person's whole name,
# read whole (their words joined, "&" and dashes left out): "Morgan Stanley" is a bank though
# Morgan and Stanley are names each, and a colleague may be called either.
FIRMS_NAMED_AFTER_PEOPLE = frozenset(
    firm.strip()
    for firm in """
    goldman sachs|morgan stanley|jp morgan|charles schwab|edward jones|raymond james|merrill lynch
    lehman brothers|grant thornton|ernst young|roland berger|oliver wyman|booz allen hamilton
    baker mckenzie|clifford chance|allen overy|herbert smith freehills|slaughter may|skadden arps
    johnson johnson|johnson matthey|procter gamble|colgate palmolive|marks spencer|dr oetker
    ben jerry|hewlett packard|harley davidson|rolls royce|aston martin|mercedes benz|alfa romeo
    tommy hilfiger|hugo boss|ralph lauren|calvin klein|michael kors|kate spade|tory burch
    estée lauder|estee lauder|louis vuitton|yves saint laurent|saint laurent|dolce gabbana
    giorgio armani|salvatore ferragamo|ermenegildo zegna|christian dior|christian louboutin
    jimmy choo|vivienne westwood|stella mccartney|paul smith|ted baker|karl lagerfeld
    marie claire|moët hennessy|moet hennessy|pernod ricard|jack daniels|johnnie walker|jim beam
    ferrero rocher|mars wrigley|john lewis|fortnum mason|harvey nichols|kraft heinz
    warner bros|walt disney|wells fargo|smith wesson|black decker|stanley black decker
    bausch lomb|abbott laboratories|eli lilly|bristol myers squibb|boehringer ingelheim
    johns hopkins|carnegie mellon|karolinska institutet|mayo clinic|cleveland clinic|max planck
    robert bosch|tata consultancy|tata motors|tata steel|mahindra mahindra|larsen toubro
    bajaj auto|godrej consumer|aditya birla|grupo bimbo
    """.replace("\n", "|").split("|")
    if firm.strip()
)
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
# Goods and dishes named after people and places, the name right before the noun with no
# possessive: "the Chelsea boot", "a Madison desk", "Earl Grey tea", "Jasmine rice", "the Georgia
# font", "Shepherd's pie" (the possessive there is the dish's own), "a Berlin stout", "the Paris
# collection", "the Grace period". Whoever the name was, the prompt is about the thing: "Madison's
# desk" or "for Madison" keep the name. No word that is a function word of a language the
# prompts are written in ("hat" is German for "has": "Anna hat geschrieben").
NAMESAKE_GOODS = frozenset(
    """
    boot boots shoe shoes sneaker sneakers loafer loafers sandal sandals jacket jackets coat coats
    blazer dress dresses skirt shirt shirts hoodie sweater jeans trousers scarf cap bag bags
    tote backpack wallet watch collection line range edition model series style fit cut
    desk desks chair chairs sofa sofas couch table tables lamp lamps bed beds shelf shelves rug
    font fonts typeface theme
    tea teas coffee blend roast rice pie pies cake cakes salad salads sauce sandwich sandwiches
    sausage steak chicken soup bread bun buns roll rolls cookie cookies biscuit biscuits tart
    pudding cocktail stout ale lager beer beers wine wines gin cheese pizza pasta burger noodles
    duck mix wings beef mustard lime ham cheesesteak
    period project
    """.split()
)
# The longest name such a noun turns into a thing: "Earl Grey tea", not a sentence of names.
_NAMESAKE_WORDS = 2
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
# Longest part of a compound on either side of its hyphen: "Lo-fi", "Hi-res", "Pop-up". Longer
# words after a dash may be a sentence going on after a name ("Tom - please send it"), which the
# tokens, read without their spaces, do not tell apart from a hyphen.
_COMPOUND_PART = 3
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
    if after and after[0].lower() in NAMESAKE_GOODS and len(alphabetic) <= _NAMESAKE_WORDS:
        return True
    if len(alphabetic) <= _NAMESAKE_WORDS and _quoted_before_goods(before, after):
        return True
    if not all(_unknown(word, gazetteer) for word in alphabetic):
        return False
    return (
        (bool(after) and after[0].lower() in PRODUCT_FOLLOWERS)
        or _owns_a_firms_belonging(after)
        or _beside_a_product(before, after)
        or _asked_what_it_is(before, after)
    )


# Quotes a product's name is given in: "the 'Ada' ergonomic chair", "our “Juno” range".
_OPENING_QUOTES = frozenset({"'", '"', "\u2018", "\u201c"})
_CLOSING_QUOTES = frozenset({"'", '"', "\u2019", "\u201d"})
# Lower-case words between a quoted name and its goods: "the 'Ada' ergonomic office chair".
_DESCRIPTION_REACH = 3
# Goods a name in quotes names: NAMESAKE_GOODS, PRODUCT_FOLLOWERS and a few more.
_QUOTED_GOODS = (
    NAMESAKE_GOODS
    | PRODUCT_FOLLOWERS
    | frozenset({"candle", "glass", "set", "machine", "model", "edition", "line", "blend", "flavour"})
)


def _quoted_before_goods(before: list[str], after: list[str]) -> bool:
    """A name in quotes and then, within a few lower-case words, goods it names: "the 'Ada'
    ergonomic chair", "our 'Julia' and 'Ruby' scented candles" (the next quoted name joined by
    "and", "or" or a comma is passed over). A person's name is quoted as a nickname inside a
    full name ("Robert 'Bob' Smith"), where a capitalised name follows, not goods."""
    if not (before and before[0] in _OPENING_QUOTES and after and after[0] in _CLOSING_QUOTES):
        return False
    rest = after[1:]
    while len(rest) >= 4 and rest[0] in {"and", "or", ","} and rest[1] in _OPENING_QUOTES:
        closing = next((i for i, token in enumerate(rest[2:], 2) if token in _CLOSING_QUOTES), None)
        if closing is None or closing > 2 + _NAMESAKE_WORDS:
            return False
        rest = rest[closing + 1 :]
    for word in rest[:_DESCRIPTION_REACH]:
        if not (word.isalpha() and word.islower()):
            return False
        if word in _QUOTED_GOODS or word.removesuffix("s") in _QUOTED_GOODS:
            return True
    return False


def _unknown(word: str, gazetteer: Gazetteer) -> bool:
    """A capitalised word no name or place list holds and no dictionary lists ("Corvana")."""
    lower = word.lower()
    return word[:1].isupper() and gazetteer.kind(lower) == NOTHING and not gazetteer.is_dictionary_word(lower)


def _part_of_a_compound(alphabetic: list[str], before: list[str], after: list[str]) -> bool:
    """A short capitalised word joined by a hyphen to a short lower-case one: "Lo-fi beats",
    "Hi-res audio", "a Pop-up stand"."""
    return (
        len(alphabetic) == 1
        and len(alphabetic[0]) <= _COMPOUND_PART
        and len(after) >= 2
        and after[0] == "-"
        and after[1].isalpha()
        and after[1].islower()
        and len(after[1]) <= _COMPOUND_PART
        and before[:1] != ["-"]
    )


# "What is Ikigai?", "what are Zorbles?", "define Hygge", "the meaning of Ubuntu": a person is
# asked about with "who".
_ASKING_WHAT = (
    ("is", "what"),
    ("are", "what"),
    ("s", "'", "what"),
    ("s", "\u2019", "what"),
    ("define",),
    ("of", "meaning"),
)
_QUESTION_ENDS = frozenset({"?", ".", "!", ":"})


def _asked_what_it_is(before: list[str], after: list[str]) -> bool:
    """The whole of a question or a request for a meaning: "What is Ikigai?", "Define Hygge.";
    "What is Okafor's address?" goes on past the name."""
    if after and after[0] not in _QUESTION_ENDS:
        return False
    lowered = [token.lower() for token in before]
    return any(lowered[: len(words)] == list(words) for words in _ASKING_WHAT)


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
    """Joined to a brand or a word with a capital inside by "to", "and", "or", "vs", a comma...:
    "from Bitbucket to GitLab", "Lumo or OneNote", "Todoist and Sunsama"."""
    return (len(before) >= 2 and before[0].lower() in _JOINERS and a_product(before[1])) or (
        len(after) >= 2 and after[0].lower() in _JOINERS and a_product(after[1])
    )


def a_product(word: str) -> bool:
    """A word with a capital inside ("GitLab") or a brand ("Figma")."""
    return is_product_shaped(word) or (word[:1].isupper() and word.lower() in BRANDS)
