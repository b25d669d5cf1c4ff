"""Street addresses recognised by their structure, across the formats of many countries.

The NER model reads one sentence or line at a time, so an address written over several lines
("12 Crown Street / Suite 3 / Leeds / United Kingdom LS1 4AB") comes back in fragments, some
of them tagged as a name. An address has a shape a pattern can follow instead:

- a street line: a house number and a street name with a street type, in English order
  ("221B Baker Street", "18 McPherson Rd"), Romance and Slavic order ("Rue de Virton 38",
  "Paseo del Prado 81", "ul. Narewska 94") or as one compound word ("Asselsestraat 7",
  "Magrethevej 298", "Kiannonkatu 98"), or a post-office box, or a US military address
  ("PSC 3294, Box 9168 / APO AA 61487");
- then, on the same line after a comma or on the lines that follow, any of: a unit ("Suite 5",
  "Apt. 12"), a town or country written with capitals, a state code or postcode.

The whole block becomes one finding, so it is one placeholder and wins over the fragments the
model tagged inside it. A street name with no house number ("lunch near Baker Street") is not
an address here; the NER model still decides on it.
"""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from bot.guard.findings import TextRecognizer, finding

ADDRESS_ENTITY = "ADDRESS"
# Over the NER model's scores, so the block wins over fragments tagged inside it.
SCORE = 0.9

# Street types that follow the street's name (English and Germanic usage; USPS abbreviations).
_TYPE_AFTER = (
    r"street|st|road|rd|avenue|ave|av|boulevard|blvd|lane|ln|drive|dr|court|ct|place|pl|square|sq"
    r"|squares|terrace|terr|way|close|crescent|cres|parade|highway|hwy|parkway|pkwy|circle|cir"
    r"|alley|row|walk|mews|grove|gardens|gdns|hill|hills|heights|park|parks|point|pointe|ridge"
    r"|rapids|forge|forges|field|fields|green|junction|jct|landing|loop|mall|manor|meadow|meadows"
    r"|mill|mills|passage|path|pike|plaza|port|ranch|route|rte|run|shore|shores|springs|station"
    r"|summit|trail|trl|turnpike|valley|view|views|village|vista|wharf|wynd|quay|embankment"
    r"|strasse|straße|str|weg|gasse|platz|allee|ring|damm|ufer|straat|laan|plein|gracht|kade"
    r"|vej|gade|vägen|gatan|veien|gata|katu|tie|utca|u(?=\.)|tér|út|körút"
)
# Street types that come before the name (Romance, Slavic and other usage).
_TYPE_BEFORE = (
    r"(?:Rue|Avenue|Boulevard|Chemin|Allée|Impasse|Place|Quai|Cours|Calle|Avenida|Avda\.?|Paseo"
    r"|Plaza|Camino|Carrera|Carretera|Ronda|Travesía|Rua|Travessa|Largo|Praça|Estrada|Alameda|Via"
    r"|Viale|Piazza|Corso|Vicolo|Strada|Ulica|Aleja|Osiedle|Trg|Ulitsa|Jalan|Quadra|Odos|Leoforos"
    r"|Λεωφόρος|Οδός|Πλατεία|Carrer|Passeig|Avinguda|Plaça|Rambla|Bv\.|Bd\.|Av\.|Pça\.|C/"
    r"|rue|calle|rua|viale|piazza|trg)"
)
# Types written as a word after the street's name and before the number, in Germanic, Nordic,
# Turkish and Hungarian usage.
_TYPE_WORD_AFTER_NAME = (
    r"allee|straße|strasse|str\.|weg|gasse|platz|ring|damm|ufer|laan|straat|kade|gracht|gate|gata|gatan|vej|gade"
    r"|katu|tie|utca|út|körút|tér|cad\.|caddesi|sok\.|sokak|bulvar\u0131"
)
# Types French and Catalan write in lower case inside a line ("8 quai Saint-Antoine", "3 allée des
# Tilleuls"), also English words: they count before a capitalised name or its particles only.
_LOWER_TYPE_BEFORE = r"(?:quai|allée|avenue|boulevard|chemin|impasse|cours|carrer|passeig|avinguda)"
# Compound street names end in their type ("Asselsestraat", "Nybyvägen", "Kiannonkatu").
_COMPOUND_SUFFIX = (
    r"straße|strasse|str\.|weg|gasse|platz|allee|damm|straat|laan|plein|gracht|kade|steeg"
    r"|vej|gade|vænget|vägen|gatan|gränd|veien|vegen|gata|katu|kuja|polku|vegur"
)
# A house number: "221B", "27 bis", "5/12", "318-II", or a Japanese block, lot and building "3-12-7".
_NUMBER = r"\d{1,5}(?:\s?[A-Za-z](?!\w)|\s(?:bis|ter)\b)?(?:[/-](?:\d{1,4}|[IVX]{1,4}\b)){0,2}"
# The first letter of a capitalised word, in the Latin, Greek and Cyrillic scripts.
_CAP = r"[A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŐŒŔŘŚŞŠŢŤŪŮŰŲŸŹŻŽΑ-ΩΆΈΉΊΌΎΏА-Я]"
_PARTICLE = r"(?:de|del|da|do|dos|das|di|du|la|le|les|el|van|von|der|den|des|na|nad|upon|on|am|im|sur|en|of|the)"
# A word of a street or place name: capitalised, or one of the particles between such words.
_NAME = rf"(?:{_CAP}(?:[^\W\d_]|['\u2019.-])*|{_PARTICLE})"
_WORD = r"[^\W\d_][\w'\u2019.-]*"
# A numbered street's name: "W 39th St", "5th Avenue".
_ORDINAL = r"\d{1,3}(?:st|nd|rd|th)"
_SPACE = r"[ \t]+"

_STREET = (
    rf"(?:"
    # English order, after the house number: 221B Name Name Type [number] [West|N]
    rf"(?:{_NUMBER}{_SPACE}){{1,2}}(?:{_NAME}{_SPACE}){{0,2}}(?:{_CAP}[\w'\u2019.-]*|{_ORDINAL}){_SPACE}(?i:{_TYPE_AFTER})\b\.?(?:{_SPACE}{_NUMBER})?"
    rf"(?:{_SPACE}(?:West|East|North|South|[NSEW])\b)?"
    # Type first, capitalised or abbreviated: [number] Rue de la Name [number]
    rf"|(?:(?:{_NUMBER}),?{_SPACE}){{0,2}}(?:{_TYPE_BEFORE}|(?i:ul|al|os|pl|trg|c|jl)\.){_SPACE}(?:{_WORD}{_SPACE}){{0,3}}{_WORD}(?:{_SPACE}{_NUMBER}|[ \t]*,{_SPACE}{_NUMBER}(?=[ \t]*(?:[,\n;]|$)|[ \t]+[-\u2013][ \t]))?"
    rf"|(?:(?:{_NUMBER}),?{_SPACE}){{1,2}}{_LOWER_TYPE_BEFORE}{_SPACE}(?:{_PARTICLE}{_SPACE}){{0,3}}{_CAP}[\w'\u2019.-]*"
    rf"(?:{_SPACE}{_NAME}){{0,2}}"
    # Name, then the type as a word of its own, then the number: "Schönhauser Allee 112", "Karl
    # Johans gate 23B", "Atatürk Cad. 45".
    rf"|{_CAP}[\w'\u2019-]*(?:{_SPACE}{_NAME}){{0,2}}{_SPACE}(?i:{_TYPE_WORD_AFTER_NAME}){_SPACE}(?:(?i:no)[:.]?[ \t]*)?{_NUMBER}"
    # Compound word: [number] Asselsestraat 7
    rf"|(?:(?:{_NUMBER}){_SPACE}){{0,2}}{_CAP}[\w'\u2019-]{{2,}}?(?i:{_COMPOUND_SUFFIX})(?:{_SPACE}{_NUMBER})?"
    rf")"
)
_PO_BOX = r"(?i:p\.?\s?o\.?\s?box|post\s?box|post\s+office\s+box|postbox|box)\s+\d{1,6}"
_MILITARY = (
    r"(?i:(?:psc|unit|cmr)\s+\d{3,5},?\s+box\s+\d{3,5}|(?:usns|usnv|uss|usc?gc)\s+[^\W\d_][\w'-]*)"
    r"[ \t]*(?:,[ \t]*|\n[ \t]*)(?i:apo|fpo|dpo)\s+(?i:aa|ae|ap)\s+\d{5}"
)
_UNIT = (
    r"(?:(?i:suite|ste\.?|apt\.?|apto\.?|apartment|unit|flat|floor|fl\.|room|rm\.?|bldg\.?|building|piso|planta"
    r"|puerta|pta\.?|andar|sala|bloco|lok\.?|lokal|m\.|etage|whg\.?|stiege|top|bus|bte|bureau|lgh|int\.?|interior"
    r"|scala|esc\.?|escalera|level|lvl|kat|daire|bât\.?|bâtiment|bloc|blk)\s*#?\s*(?:\d{1,5}(?:\.\d{1,3})?[A-Za-z]?|[A-Z]\b)"
    # "#B", "#08-1234"; a Danish floor and side ("3. th.").
    r"|#\s?[A-Za-z0-9]{1,4}(?:-\d{1,4})?|\d{1,2}\.\s?(?i:th|tv|mf|sal)\b\.?"
    # A Spanish or Portuguese floor and door ("3º B", "2.º izq.", "1ª dcha"), an English floor.
    r"|\d{1,2}\.?\s?[ºª°](?:\s?(?i:izq(?:uierda|da)?\.?|dcha\.?|der(?:echa)?\.?|esq\.?|dto\.?|[A-Z]{1,2}\b))?"
    r"|\d{1,2}(?:st|nd|rd|th)\s(?i:floor))"
)
# A town, region or country: words written with a capital, in any script, optional state code or
# postcode ("Toronto", "SOTO DEL BARCO", "Cyprus (Greek) 25572", "Caxias do Sul, RS 24893").
_PLACE_WORD = _NAME
_BRITISH_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}"
_POSTCODE = (
    rf"(?:{_BRITISH_POSTCODE}"
    r"|\d{5}-\d{3}|\d{4}-\d{3}|\d{3}-\d{4}|\d{2}-\d{3}"  # Brazil, Portugal, Japan, Poland
    r"|\d{4}\s?[A-Z]{2}(?![\w])"  # the Netherlands
    r"|[AC-FHKNPRTV-Y]\d{2}\s?[AC-FHKNPRTV-Y0-9]{4}(?![\w])"  # an Irish Eircode
    r"|\d{3}\s?\d{2}|\d{4,6}(?:-\d{4})?|[A-Z]\d[A-Z]\s?\d[A-Z]\d)"
)
_PLACE_NAME = (
    rf"(?:{_PLACE_WORD}[ \t]+){{0,3}}{_CAP}(?:[^\W\d_]|['\u2019.-])*(?!\w)(?:[ \t]*\([^\W\d_][\w ]{{0,20}}\))?"
)
_PLACE = (
    rf"(?:(?:{_POSTCODE}[ \t]+)?{_PLACE_NAME}(?:(?:,|[ \t]+-)?[ \t]*[A-Z]{{2}}\b)?(?:[ \t]+{_POSTCODE})?"
    rf"|{_POSTCODE}|,?[ \t]*[A-Z]{{2}}[ \t]+\d{{5}})"
    # "To:", "Parking:" open the next field of a form, not a town.
    r"(?![\w'\u2019.-]*:)"
)
# Between the parts: a comma on the same line, or a line break with the indentation or quote
# marks ("> ") that pasted mail leaves.
_BREAK = r"(?:[ \t]*,[ \t]*|[ \t]*\n[ \t>]*(?:,[ \t]*)?)"
# A day and its month ("1 May, the Hybrid Working Policy 2025", "12 March 2024, London") reads
# like a house number and a street with no type: a month is never such a street's name.
_MONTH = (
    r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?"
    r"|nov(?:ember)?|dec(?:ember)?|januar|februar|märz|mai|juni|juli|oktober|dezember|enero|febrero|marzo|abril"
    r"|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|gennaio|febbraio|aprile|maggio|giugno"
    r"|luglio|settembre|ottobre|dicembre|janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro"
    r"|dezembro|januari|februari|maart|mei|augustus|janvier|février|mars|avril|juin|juillet|août|septembre"
    r"|octobre|novembre|décembre)(?![\w'\u2019-])"
)
# A street name with no street type between numbers ("30102 Kaevu 94") counts only when a unit
# or a town follows it.
_BARE_STREET = (
    rf"(?:(?:{_NUMBER}{_SPACE}){{1,2}}(?!{_MONTH})(?:{_NAME}[ \t-]+){{0,2}}{_CAP}[\w'\u2019.-]*{_SPACE}{_NUMBER}"
    rf"(?=(?:{_SPACE}|{_BREAK}){_UNIT}|{_BREAK}{_PLACE})"
    # Or a house number and a name with no street type ("17 Summerhill", "3-12-7 Shibuya") when a
    # town with its postcode follows, after at most two other places.
    rf"|{_NUMBER}{_SPACE}(?!{_MONTH})(?:{_NAME}[ \t-]+){{0,2}}{_CAP}[\w'\u2019.-]*"
    rf"(?=(?:{_BREAK}{_PLACE_NAME}){{0,2}}{_BREAK}(?:{_PLACE_NAME}[ \t]+{_POSTCODE}|{_POSTCODE}[ \t]+{_PLACE_NAME})(?!\w)))"
)
# A unit written before the street ("Suite 5.02, 1 Lochrin Square", "Level 3, 100 Edward Street").
_UNIT_FIRST = rf"(?:{_UNIT}{_BREAK})?"
# A street name and a number with no type, continental order, when a postcode and a town follow:
# "Bryggen 15, 5003 Bergen", "Masarykova 427/31, 602 00 Brno", "Meir 24 bus 3, 2000 Antwerpen".
_CONTINENTAL_STREET = (
    rf"{_CAP}[\w'\u2019-]{{2,}}(?:{_SPACE}{_NAME}){{0,2}}{_SPACE}{_NUMBER}"
    rf"(?=(?:(?:{_SPACE}|{_BREAK}){_UNIT})*{_BREAK}{_POSTCODE}[ \t]+{_CAP})"
)
# Street types that are also everyday nouns ("10 Best Way", "Bullet Point 2"): such a street line
# is an address only when a unit, a town or a postcode follows it.
_EVERYDAY_TYPES = (
    r"way|place|square|squares|point|pointe|park|parks|hill|hills|view|views|green|row|walk|run|loop"
    r"|field|fields|station|route|mall|summit|landing|passage|path|ring|port|village|valley"
)
# A house with a name instead of a number, as British addresses have them: the house's name ("The
# Old Rectory", "Ashdown House"), then a street named with its type and no number ("Church Lane").
# It counts when a flat or unit opens it and a town follows ("Flat 3, Ashdown House, Park Road,
# Bristol"), or when a British postcode ends its town ("The Old Rectory, Church Lane, Ashford, Kent
# TN25 4AB"); without either, "Church Lane" is a place for the NER model to decide.
_NAME_BEFORE_A_TYPE = rf"{_CAP}[\w'\u2019.-]*(?:{_SPACE}{_NAME}){{0,2}}{_SPACE}"
_UNNUMBERED_STREET = rf"{_NAME_BEFORE_A_TYPE}(?i:{_TYPE_AFTER})\b\.?"
# After a unit, without a postcode to vouch for it, the type must be no everyday noun: "Level 3,
# Dragon Hill, Boss Fight" is a game.
_UNNUMBERED_STREET_OF_A_STREET_TYPE = rf"{_NAME_BEFORE_A_TYPE}(?!(?i:{_EVERYDAY_TYPES})\b)(?i:{_TYPE_AFTER})\b\.?"
_HOUSE_NAME = rf"(?:{_CAP}[\w'\u2019-]*{_SPACE}){{0,3}}{_CAP}[\w'\u2019-]*"
_NAMED_HOUSE_BEFORE_A_POSTCODE = (
    rf"(?:{_HOUSE_NAME}{_BREAK})?{_UNNUMBERED_STREET}"
    rf"(?:{_BREAK}{_PLACE_NAME}){{0,3}}(?:{_BREAK}|[ \t]+){_BRITISH_POSTCODE}(?!\w)"
)
_NAMED_HOUSE = (
    rf"{_UNIT}{_BREAK}(?:{_HOUSE_NAME}{_BREAK})?{_UNNUMBERED_STREET_OF_A_STREET_TYPE}(?={_BREAK}{_PLACE})"
    rf"|{_NAMED_HOUSE_BEFORE_A_POSTCODE}"
)
_ADDRESS = re.compile(
    rf"(?<![\w-])(?:{_MILITARY}|(?:\d{{1,5}}{_SPACE})?{_PO_BOX}|{_UNIT_FIRST}(?:{_STREET}|{_BARE_STREET}|(?P<continental>{_CONTINENTAL_STREET}))"
    rf"|(?P<named>{_NAMED_HOUSE}))"
    rf"(?:(?:{_SPACE}|{_BREAK}|[ \t]+[-\u2013][ \t]+){_UNIT})*"
    rf"(?:{_BREAK}(?:{_UNIT}|{_PLACE})){{0,4}}",
)
# Where an address can start: a number, a street type written first, a compound street name, a
# post-office box or a military unit. The full pattern is tried only there; run from every
# position of a 2,000-character prompt it would cost several milliseconds. A number starts one
# only when a word follows it or the number after it (every street line's house number does):
# the digit groups of phone, card and account numbers were a third of the attempts' cost. The
# minutes of a time or the decimals of a figure are no house number: "9:00-11:00 AM CT" is a time
# in a zone, not number 00 of AM Court.
_START = re.compile(
    # A type ending in its stop or slash ("Av.", "C/") has no word boundary after it.
    rf"(?<![\w-])(?:(?<!\d[:.])(?={_NUMBER}{_SPACE}(?:{_NUMBER}{_SPACE})?[^\W\d_])\d|{_TYPE_BEFORE}(?:\b|(?<=[./]))|(?i:ul|al|os|pl|trg|c|jl)\.|{_CAP}[\w'\u2019-]{{2,}}?(?i:{_COMPOUND_SUFFIX})"
    r"|(?i:p\.?\s?o\.?\s?box|post|box|psc|unit|cmr|usns|usnv|uss|uscgc|uscg)\b)"
)
# Where the rarer layouts start: a unit written first where a street line follows it (looked for
# only in a text holding a unit's word); a name and a number before a postcode and a town; a name,
# a type word and a number. Their lookaheads are read apart from the starts above, and the first
# only where it can succeed: it is the costliest.
_RARER_STARTS: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = (
    (
        (
            "suite",
            "unit",
            "level",
            "lvl",
            "apt",
            "apartment",
            "flat",
            "floor",
            "room",
            "bldg",
            "building",
            "bât",
            "blk",
        ),
        re.compile(rf"(?<![\w-])(?={_UNIT}{_BREAK}(?:\d|{_TYPE_BEFORE}|{_CAP}))"),
    ),
    (("",), re.compile(rf"(?<![\w-])(?={_CONTINENTAL_STREET})")),
    (
        ("",),
        re.compile(
            rf"(?<![\w-])(?={_CAP}[\w'\u2019-]*(?:{_SPACE}{_NAME}){{0,2}}{_SPACE}(?i:{_TYPE_WORD_AFTER_NAME}){_SPACE}"
            # "Bağdat Caddesi No: 245", as the street line itself allows.
            r"(?:(?i:no)[:.]?[ \t]*)?\d)"
        ),
    ),
)


_HOLDS_A_BRITISH_POSTCODE = re.compile(rf"(?<![\w-]){_BRITISH_POSTCODE}(?!\w)")
# A named house's address starts at its name or its street, in a text that holds a British postcode.
_NAMED_HOUSE_START = re.compile(rf"(?<![\w-])(?={_NAMED_HOUSE_BEFORE_A_POSTCODE})")


def _starts(text: str) -> list[int]:
    """Where an address may start in ``text``, in order."""
    starts = [match.start() for match in _START.finditer(text)]
    lower = text.lower()
    rarer = [
        match.start()
        for words, pattern in _RARER_STARTS
        if any(word in lower for word in words)
        for match in pattern.finditer(text)
    ]
    if _HOLDS_A_BRITISH_POSTCODE.search(text):
        rarer.extend(match.start() for match in _NAMED_HOUSE_START.finditer(text))
    return sorted(set(starts + rarer)) if rarer else starts


# The street line needs a number: without one, "Main Street" or "Via Appia" is a place, and the
# NER model decides.
_HAS_NUMBER = re.compile(r"\d")
_MILITARY_START = re.compile(_MILITARY)
_ENDS_IN_EVERYDAY_TYPE = re.compile(rf"\b(?i:{_EVERYDAY_TYPES})\.?(?:\s+{_NUMBER})?(?:\s+\w)?$")
# The street line: up to the first comma or line break, with the house number a comma may set
# after the street's name ("Rua das Flores, 120").
_STREET_LINE = re.compile(rf"[^,\n]*(?:,[ \t]*{_NUMBER}(?=[ \t,\n]|$))?")
_CONTINUED = re.compile(rf"[,\n]|{_UNIT}")
_TRAILING = re.compile(r"[\s,.>]+$")
# A block must hold more than a number and a common word: "3 ways" or "2 St" is not an address.
_MIN_LENGTH = 8


def _names_a_thing(street: str) -> bool:
    """Whether a street line with no street type opens with an everyday English word: "Chapter 12,
    1998 Edition" or "Table 3, 2024 Results" is no "Bryggen 15, 5003 Bergen"."""
    from bot.guard.ner_gate import packaged_gazetteer  # the word lists load with the name model

    first_word = re.match(r"[^\W\d_]+", street)
    return first_word is not None and packaged_gazetteer().is_dictionary_word(first_word.group(0).lower())


class AddressRecognizer(TextRecognizer):
    """Finds street addresses, post-office boxes and military addresses by their layout."""

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(
            supported_entities=[ADDRESS_ENTITY], supported_language=supported_language, name="AddressRecognizer"
        )

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if not _HAS_NUMBER.search(text):
            return []
        results = []
        covered = 0
        for start in _starts(text):
            if start < covered:
                continue
            match = _ADDRESS.match(text, start)
            if match is None:
                continue
            covered = match.end()
            value = match.group(0)
            end = match.start() + len(_TRAILING.sub("", value))
            value = text[match.start() : end]
            street_line = _STREET_LINE.match(value)  # matches every text, if only its empty start
            first_line = street_line.group(0) if street_line else value
            if match.group("continental") and _names_a_thing(match.group("continental")):
                continue
            if _ENDS_IN_EVERYDAY_TYPE.search(first_line) and not _CONTINUED.search(value):
                continue
            if end - match.start() < _MIN_LENGTH or not (
                _HAS_NUMBER.search(first_line) or _MILITARY_START.match(value) or match.group("named")
            ):
                continue
            results.append(
                finding(
                    self, ADDRESS_ENTITY, match.start(), end, SCORE, "Street, unit and town laid out like an address"
                )
            )
        return results
