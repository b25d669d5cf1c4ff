"""Phone numbers, told apart from ticket and order numbers by how they are written.

Presidio's PhoneRecognizer runs libphonenumber over the whole text once per region and gives
every match the same score, so "ticket 2024-000123" (a valid Washington DC number) is masked
like "+1 (415) 555-0132", and a 300-character prompt costs about 10 ms. This recognizer asks
libphonenumber only about digit runs that could be a number, and scores by formatting: an
international prefix, an area code in parentheses, three or more digit groups or an extension
("x204") read as a phone on their own; a bare run of digits needs a context word ("phone",
"mobile", "call me on") nearby. A label or "call me on" right before a number, or a field of a
signature line beside an email address, makes a phone even of five or six digits (small islands'
numbers) or of seven grouped like a count.

A number libphonenumber does not know as valid in any of the regions (a new range, a region not
listed, a made-up number in a form) is still a phone when it is written like one: formatted as
above, of a length some region allows, or when a label or a signature field calls it one ("Phone:
00734293218", a generator's stray zero). Dates, dotted quads and decimal columns are never phones.
"""

from __future__ import annotations

import re
from functools import cache, partial

import phonenumbers
from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from bot.guard.digest_cache import DigestCache
from bot.guard.findings import TextRecognizer, finding
from bot.guard.gazetteer import KNOWN, Gazetteer
from bot.guard.numbering_plans import DigitGroups, NumberingPlan
from bot.guard.script_ranges import WORD_LETTER_OF_SPACED_SCRIPTS, as_ascii_digits
from bot.guard.table_headers import column_header

FORMATTED_SCORE = 0.6
# Laid out like a phone (see _phone_layout), but no region's numbering plan knows it: over the
# threshold, under a validated number where the two overlap.
UNVALIDATED_SCORE = 0.5
# Otherwise grouped ("880-1234-55" is an article number as often as a phone): only a context
# word lifts it over.
UNVALIDATED_GROUPED_SCORE = 0.35
# Under the analyzer threshold on purpose: only a context word lifts it over.
BARE_SCORE = 0.3
# A valid national number typed without spaces after its trunk prefix ("07700900461",
# "0430830401"): over the threshold on its own, since order and invoice numbers padded with
# zeros start "00" and counts never start with 0.
TRUNK_BARE_SCORE = 0.45
_TRUNK_BARE = re.compile(r"0[1-9]\d{8,9}")
UNVALIDATED_BARE_SCORE = 0.2
# Regions whose national numbers start with a trunk prefix or an area code a random digit run
# rarely matches; Spain and Italy take nearly any nine digits, so they would claim SKUs.
# Russia's numbers start with the trunk prefix 8 and an area or mobile code ("8 925 634 16 85").
DEFAULT_REGIONS = ("US", "GB", "DE", "FR", "IL", "IN", "CA", "BR", "AU", "NL", "RU")
# libphonenumber costs up to 0.7 ms for a run of digits that is no number in any region. Past
# this many candidates (a pasted table, or a prompt built to stall the guard) the rest are
# judged by formatting alone: a formatted one is masked unvalidated, a bare one is not.
MAX_VALIDATED_CANDIDATES = 50
# Candidates whose validation is remembered (a hash, offsets and a score each, see digest_cache.py):
# the same numbers come back in signatures and contact lines, and each costs libphonenumber a
# pass per region.
VALIDATED_CACHE_SIZE = 4096

# The words for an extension after a number: "x204", "ext. 12", French and Canadian "poste 45",
# Spanish and Portuguese "anexo" and "ramal", Italian "int." and "interno", Polish "wew.", Russian
# "доб.", Dutch "toestel", Filipino "loc.", Chinese "转" and "分机", Japanese "内線".
_EXTENSION_WORD = (
    r"(?:x|ext\.?|extension|poste|anexo|ramal|int\.|interno|wew\.?|toestel|loc\.|local|доб\.?|[转轉]|分[机機]|内線)"
)
_CANDIDATE = re.compile(
    rf"(?<!{WORD_LETTER_OF_SPACED_SCRIPTS})(?<![+.])(?:\+|(?<!\d)00)?\(?\d[\d ().\-/]{{5,20}}\d"
    rf"(?:\s?{_EXTENSION_WORD}\s?\d{{1,5}})?(?![\w.]\d|{WORD_LETTER_OF_SPACED_SCRIPTS})",
    re.IGNORECASE,
)
_GROUP_SEPARATOR = re.compile(r"\d[ .\-/)]+\(?(?=\d)")
_EXTENSION = re.compile(rf"\s?{_EXTENSION_WORD}\s?\d{{1,5}}$", re.IGNORECASE)
# 3-2-4 is the SSN layout; the SSN recognizer owns it.
_SSN_LAYOUT = re.compile(r"\d{3}-\d{2}-\d{4}")
# Never a phone: dates (2024-06-01, 01.06.2024, 6/1/24) and spans of years, dotted quads that
# could be an IP address or a version (each part 0-255, no leading zero) and columns of decimals
# ("1.1 .995 3.5"). A trunk prefix or a day past 31 tells a phone from both: "012.312.34.56",
# "34.10.1234".
_DAY_OR_MONTH = r"(?:[0-2]?\d|3[01])"
# Thai dates count years of the Buddhist era ("14-05-2513" is 1970).
_YEAR = r"(?:19|20|25)\d\d"
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_NOT_A_PHONE = re.compile(
    # A date, and the hour after it ("2024-05-18 14:00" reaches here as "2024-05-18 14").
    rf"(?:{_YEAR}[-/.]{_DAY_OR_MONTH}[-/.]{_DAY_OR_MONTH}|{_DAY_OR_MONTH}[-/.]{_DAY_OR_MONTH}[-/.](?:{_YEAR}|\d\d))"
    r"(?:[ T][0-2]?\d)?"
    rf"|{_OCTET}(?:\.{_OCTET}){{3}}|.*(?:\s\.|\.\s).*"
    # A version with a zero part ("124.0.6367.91", "10.0.19045"): no dotted phone has one.
    r"|[1-9]\d{0,3}\.0(?:\.\d+){1,3}"
    # Nor one whose group after the first is a single digit ("10.2.1.445", "6.0.2 (33403)"): a
    # dotted phone's first group may be one digit ("1.800.555.0199"), the others never are.
    r"|.*?(?<![\d.])\d+(?:\.\d+)*\.\d(?![\d])(?:\.\d+)*(?![\d.]).*"
    # A span of years ("the 2023-2024 season", "2019/2020"), however near a "call" or "text".
    rf"|{_YEAR}[-/]{_YEAR}"
    # Dates with spaces (2024 06 01, 01 06 2024), which a trunk zero would otherwise make a phone.
    r"|(?:19|20)\d\d [01]?\d [0-3]?\d|[0-3]?\d [01]?\d (?:19|20)\d\d"
    # Opening hours: a time, a dash or an en dash, a time ("8.30-13.00 / 15.00", "9:00-17:00").
    r"|.*[0-2]?\d[.:][0-5]\d\s*[-\u2013\u2014]\s*[0-2]?\d[.:][0-5]\d.*"
)
# Two numbers of as many digits joined by an en or em dash, the second the larger, are a range
# ("desks 400\u2013460", "pages 1200\u20131350"), though word processors also put an en dash
# between a phone's groups ("555\u2013123\u20134567"): read on the text as written, before
# ``as_ascii_digits`` makes every dash a hyphen.
_DASHED_PAIR = re.compile(r"(\d+) ?[\u2013\u2014] ?(\d+)")


def _a_range(written: str) -> bool:
    pair = _DASHED_PAIR.fullmatch(written)
    return pair is not None and len(pair[1]) == len(pair[2]) and int(pair[1]) < int(pair[2])


_MIN_DIGITS, _MAX_DIGITS = 7, 15
# Six-digit local numbers (Luxembourg, Andorra, the Faroes, Greenland, towns of many plans),
# written in pairs or halves: "23 30 82", "645-791", "(99) 645-791" for the area code before it,
# or with their own area code in parentheses: "(20) 12 34", "(712) 345".
_LOCAL_DIGITS = 6
_LOCAL_LAYOUT = re.compile(r"\d\d([ .\-])\d\d\1\d\d|\d{3}[ \-]\d{3}|\(\d{2,3}\) ?(?:\d\d[ .\-]?\d\d|\d{3})")
_LOCAL = "A six-digit local number beside a context word"
# National numbers written in thousands-like groups ("78 651 450", "699 956 915").
_THOUSANDS_PHONE_DIGITS = (8, 9)


# Spain's mobile layout, 3-2-2-2 after a prefix 6-9 ("612 34 56 78"), and Russia's 3-3-2-2 after
# its trunk prefix 8 ("8 925 634 16 85"). Without the 8, 3-3-2-2 (Colombia, "326 161 24 90") is
# four numbers of a table as often: a context word decides. India's 5-5 ("98765 43210") is left to
# a context word too: two ZIP codes in a row look the same.
_MOBILE_LAYOUT = re.compile(r"[6-9]\d{2} \d{2} \d{2} \d{2}|8 \d{3} \d{3} \d{2} \d{2}")
# A national number: trunk prefix 0, then a grouped number ("030 1234 5678", "0412-345678").
_TRUNK_GROUPED = re.compile(r"0[1-9]\d*[ .\-/]\d")


def _formatted(candidate: str) -> bool:
    return (
        candidate.startswith(("+", "(", "00"))
        or _TRUNK_GROUPED.match(candidate) is not None
        or _trunk_first(candidate)
        or len(_GROUP_SEPARATOR.findall(candidate)) >= 2
        or _EXTENSION.search(candidate) is not None
        or _MOBILE_LAYOUT.fullmatch(candidate) is not None
    )


_GROUPS = re.compile(r"\d+")


def _phone_layout(candidate: str) -> bool:
    """A country code, an area code in parentheses, an extension, or three or more groups
    ending in one of three or more digits (555-014-7788, 0161 496 0000). An article number
    such as 880-1234-55 ends in a pair; the regions that group phones in pairs (France) are
    validated by libphonenumber before this is asked. Also the national layouts no article
    number or amount takes (see ``_national_layout``)."""
    if candidate.startswith(("+", "(", "00")) or _EXTENSION.search(candidate) is not None:
        return True
    groups = _GROUPS.findall(candidate)
    return (len(groups) >= 3 and len(groups[-1]) >= 3) or _national_layout(candidate, groups)


# An area code in parentheses after a trunk prefix: "8 (495) 123-45-67" (Russia), "0 (212) 555 12 34" (Turkey).
_AREA_CODE_INSIDE = re.compile(r"^\d{1,2} ?\(\d{2,5}\) ?\d")
_DASHED_LOCAL = re.compile(r"\d{3}-\d{2}-\d{2}")


def _national_layout(candidate: str, groups: list[str]) -> bool:
    """How national numbering plans are written and nothing else is:

    - an area code in parentheses after a trunk prefix (``_AREA_CODE_INSIDE``);
    - a trunk prefix 0 and three or more groups, however the last is split ("0319 487 57 49"
      in Turkey, "011-47 10 49" in Sweden): no count or amount is written with a leading zero;
    - a local number of seven digits split 3-2-2 by dashes ("913-90-99": Russia, Ukraine);
    - the mobile layouts of ``_MOBILE_LAYOUT``.

    Pairs and 3-2-2 split by spaces ("50 75 29 17", "283 01 66") are how Denmark, Norway or
    Liechtenstein write a phone and how a list of scores is written: a context word decides.
    """
    if _AREA_CODE_INSIDE.match(candidate) or _MOBILE_LAYOUT.fullmatch(candidate):
        return True
    if candidate.startswith("0") and len(groups) >= 3 and len(groups[0]) >= 2:
        return True
    return _DASHED_LOCAL.fullmatch(candidate) is not None


def _thousands(candidate: str) -> bool:
    """ "1 234 567 890": laid out like a large number written with thousands separators."""
    if not re.fullmatch(r"[\d ]+", candidate):
        return False  # dashes, dots and parentheses do not separate thousands here
    groups = _GROUPS.findall(candidate)
    return len(groups) >= 3 and len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])


def _trunk_first(candidate: str) -> bool:
    """ "0 346 907 366": a trunk prefix 0 on its own, then the number in groups (Georgia, parts of
    Eastern Europe); no count or amount is written with a leading zero."""
    return candidate.startswith("0 ") and len(_GROUPS.findall(candidate)) >= 3


def _score(candidate: str) -> float:
    return FORMATTED_SCORE if _formatted(candidate) else BARE_SCORE


# The word before a number: letters, digits, hyphens and slashes, so that a number, a full-width
# comma and "手機" (mobile) are not read as one code.
_PREVIOUS_WORD = re.compile(r"([\w\-/]+)\s$")


def _glued_preposition(text: str, start: int) -> bool:
    """Hebrew and Arabic write "to" and "at" as one letter glued to a number with a hyphen
    ("התקשרו ל-052-187-9411"): a preposition, not an id's letters."""
    return "\u0590" <= text[start - 2] <= "\u06ff" and (start < 3 or not text[start - 3].isalpha())


def _continues_a_code(text: str, start: int) -> bool:
    """True after a word mixing letters and digits: "1Z 999 AA1 01 2345 6784" is one tracking code;
    or right after letters and a hyphen or slash: "INV-0422-80485", "SKU-415-555-0132" and
    "FV/2024/03/117" are one id."""
    if start >= 2 and text[start - 1] in "-/" and text[start - 2].isalpha() and not _glued_preposition(text, start):
        return True
    # After a hyphen or slash glued to digits the number run did not take: the rest of a code whose
    # digits follow letters ("10.1038/s41586-020-2649-2").
    if start >= 2 and text[start - 1] in "-/" and text[start - 2].isdigit():
        return True
    previous = _PREVIOUS_WORD.search(text, max(0, start - 20), start)
    if previous is None:
        return False
    word = previous.group(1)
    return any(c.isdigit() for c in word) and any(c.isalpha() for c in word)


# "order 123-45-67", "SKU 415-555-0132", "Order ID: 07700900461": a number the text itself calls an
# identifier is one, however it is grouped. The label is the word right before it, with an optional
# "id", "no.", "number" or "#"; words that also start everyday phrases ("in case", "a lot") or name
# where a phone is ("my account", "WhatsApp ID") count only with that suffix ("case no. 1234567").
# Only an international prefix outweighs the label ("ref +44 20 7946 0958").
# The suffix may be followed by "is" ("confirmation number is 4123.567.890"), and is also written
# "n°", "nº", "№", "numéro", "Nummer" or "номер", before or after the word.
_ID_SUFFIX = r"(?:id|no\.?|nr\.?|n\.|numbers?|num|code|n[°º]|№|num[ée]ro|n[úu]mero|nummer|numer|номер)"
_ID_WORDS = (
    r"(?:order|invoice|article|item|sku|part|ticket|ref|reference|tracking|serial|product|booking|parcel|shipment"
    r"|reservation|confirmation|transaction|receipt|po|batch|build|version|firmware|revision|barcode|ean"
    r"|gtin|upc|isbn|postcode|zip"
    r"|postal\s+code|waybill|voucher|coupon|r[ée]f|sn|s/n|contract|membership|file"
    # German and Dutch compounds of "number" ("Auftragsnummer", "Kundennr.", "klantnummer"); not a
    # phone's ("Telefonnummer", "Rufnummer", "Durchwahl").
    r"|(?:auftrags|artikel|serien|vorgangs|kunden|bestell|rechnungs|mitglieds|vertrags|referenz|sendungs|liefer"
    r"|lieferschein|akten|fall|ticket|buchungs|reservierungs|transaktions|beleg|antrags|projekt|versicherungs"
    r"|schadens?|order|klant|bestel|factuur|dossier|lid|polis|zaak)(?:nummer|nr\.?)"
    # Orders, invoices, files and cases in the other languages prompts are written in.
    r"|commande|dossier|facture|pedido|factura|expediente|encomenda|fatura|bestellung|auftrag|rechnung|vorgang"
    r"|ordine|fattura|pratica|bestelling|factuur|zam[óo]wieni[ae]|faktur[ay]|sipari[şs]|takip|protocolo"
    r"|заказ|заказа|заказе|заказу|сч[её]т|сч[её]та|сч[её]те|сч[её]ту|накладн\w*|заявка|заявки|заявку)"
)
_ID_WORDS_WITH_SUFFIX = (
    r"(?:case|lot|account|customer|member|policy|claim|employee|student|patient|meeting|webinar|conference)"
)
# "n° de commande 2024-118", "№ заказа 5517-0284", "ID de réunion 845 2231 9076".
_NUMBER_OF_AN_ID = (
    r"(?:n[°º]|№|num[ée]ro|n[úu]mero|номер|id)\s*(?:de\s+(?:la\s+)?|du\s+|del\s+|della\s+)?"
    r"(?:commande|dossier|facture|pedido|factura|expediente|encomenda|fatura|заказа|сч[её]та|накладной|заявки"
    r"|r[ée]union|reuni[óo]n|riunione)"
)
_ID_LABEL = re.compile(
    rf"\b(?:{_ID_WORDS}\.?(?:\s*{_ID_SUFFIX}(?=[\s:#]|$))?|{_NUMBER_OF_AN_ID}"
    rf"|{_ID_WORDS_WITH_SUFFIX}\s*{_ID_SUFFIX}(?=[\s:#]|$))"
    # "the confirmation number is", "su número de pedido es", "votre numéro de dossier est le".
    r"(?:\s+(?:is|was|es|est|ist|è|é)(?:\s+(?:le|la|el|il|der|die|das))?)?\s*[:#]?\s*$",
    re.IGNORECASE,
)
# Turkish names what a number is after it: "0532 123 45 numarali siparisiniz" (with its dotless i
# and cedillas), "12345 nolu fatura".
_ID_LABEL_AFTER = re.compile(
    r"\s*(?:numaral[\u0131i]|nolu|no'lu|no\.?lu)\s+(?:sipari[şs]|fatura|dosya|kargo|ba[şs]vuru|talep|kay[\u0131i]t|takip"
    r"|poli[çc]e"
    r"|s[öo]zle[şs]me|bilet|rezervasyon|i[şs]lem|[üu]r[üu]n|m[üu][şs]teri)",
    re.IGNORECASE,
)
# The same in the scripts that write "number" as the end of a compound: order, tracking, waybill,
# invoice, member, booking, registration and approval numbers, postcodes ("订单号", "追跡番号",
# "운송장번호", "사업자등록번호"). Not "number" alone: "代表番号" and "대표번호" are a firm's main
# phone line, and account and card numbers are left to be masked where they look like phones.
_COMPOUND_ID_LABEL = re.compile(
    r"(?:(?:注文|追跡|伝票|請求書|会員|予約|受付|管理|製品|登録|郵便|社員|訂單|订单|运单|運單|快递|快遞|单|單|发票|發票|会员|會員|编|編"
    r"|주문|운송장|송장|사업자등록|등록|승인|회원|예약|접수|우편)(?:番号|号码|號碼|号|號|번호)|品番|邮编|郵編)\s*[:\uff1a]?\s*$"
)
# How far before a number its lead-in ("order no.", "my number is") is read.
_LEAD_IN_REACH = 40


# Quotes a number may be given in ('his number was "0612 345 678"'), between it and its lead-in.
_OPENING_QUOTES = "\"'\u201c\u201e\u2018\u00ab"


def _led_in_by(lead_in: re.Pattern[str], text: str, start: int) -> bool:
    """Whether the text right before ``start``, less an opening quote, ends in what ``lead_in`` matches."""
    if start > 0 and text[start - 1] in _OPENING_QUOTES:
        start -= 1
    return lead_in.search(text, max(0, start - _LEAD_IN_REACH), start) is not None


def labelled_an_identifier(text: str, start: int) -> bool:
    """Whether a word right before ``start`` calls the number there an order, ticket, account or
    other such identifier ("order", "SKU", "Order ID:", "customer no.")."""
    return _led_in_by(_ID_LABEL, text, start)


# "+54 9 3131 7066": a country code and the number in groups is a phone even where the number
# is shorter or longer than that country's plan says today (plans change; forms take both).
_MIN_INTERNATIONAL_DIGITS = 9
_INTERNATIONAL_GROUPINGS = frozenset({1, *range(3, 8)})


def _international(candidate: str) -> bool:
    return candidate.startswith(("+", "00"))


def _known_country_code(digits: str) -> bool:
    return any(int(digits[:size]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE for size in (1, 2, 3))


def _codes_belong_to_it(candidate: str) -> bool:
    """Are the digits before a valid fragment a country, or trunk and area, code of the same number?
    An area code in parentheses that opens the number is, whatever its digits ("(0040) 356950")."""
    return (candidate.startswith(("+", "00", "(")) and _possible(candidate)) or _AREA_CODE_INSIDE.match(
        candidate
    ) is not None


# A validated candidate: the match's start and end within it, and its score.
_Validated = tuple[int, int, float]


def _whole_beats_fragment(candidate: str, fragment: _Validated) -> bool:
    """Whether a candidate some region validates only a stretch of is a phone whole: its codes
    belong to the number, or it is laid out like a phone and the valid stretch holds less than
    half of its digits (a short local number found inside a longer one)."""
    if _codes_belong_to_it(candidate) or _trunk_and_area_code_before(candidate, fragment[0]):
        return True
    start, end, _ = fragment
    inside = sum(c.isdigit() for c in candidate[start:end])
    return 2 * inside < sum(c.isdigit() for c in candidate) and _phone_layout(candidate) and _possible(candidate)


_TRUNK_AND_AREA_CODE = re.compile(r"0\d{1,4}[ \-/]")


def _trunk_and_area_code_before(candidate: str, start: int) -> bool:
    """ "011 15-5523-8890": a trunk prefix and an area code right before the valid stretch."""
    code = _TRUNK_AND_AREA_CODE.match(candidate)
    return code is not None and code.end() == start


def _possible(candidate: str) -> bool:
    """A length some region's numbering plan allows (libphonenumber's cheap check, no validation)."""
    # "+44 (0)20 ...": the bracketed trunk prefix is not dialled from abroad.
    digits = re.sub(r"\D", "", _EXTENSION.sub("", candidate).replace("(0)", ""))
    # "(0040) 356950", "(000) 965-2843": zeros inside parentheses open an area code, not an
    # international prefix.
    if candidate.startswith(("+", "00")):
        international = digits.removeprefix("00")
        return phonenumbers.is_possible_number_string("+" + international, phonenumbers.UNKNOWN_REGION) or (
            _MIN_INTERNATIONAL_DIGITS <= len(international) <= _MAX_DIGITS
            # Grouped, or written as E.164 is, in one run ("+3892948219935").
            and len(_GROUPS.findall(candidate)) in _INTERNATIONAL_GROUPINGS
            and _known_country_code(international)
        )
    return any(phonenumbers.is_possible_number_string(digits, region) for region in ("US", "GB", "DE", "FR"))


def _zero_padded_id(candidate: str) -> bool:
    """ "0012345678": digits in one run after "00", which ids padded with zeros look like, and
    which is a phone only as a valid international number ("0041446681800")."""
    if not (candidate.isdigit() and candidate.startswith("00")):
        return False
    try:
        return not phonenumbers.is_valid_number(phonenumbers.parse("+" + candidate[2:], None))
    except phonenumbers.NumberParseException:
        return True


def _national_after_double_zero(candidate: str) -> bool:
    """ "00 2685 9952", "0093-786 57": grouped digits after "00" that no country code starts, a
    national number typed with a stray zero or an area code "00" in a made-up form. Only a
    context word makes it a phone: order numbers are padded with zeros too ("00012345")."""
    if not candidate.startswith("00") or len(_GROUPS.findall(candidate)) < 2:
        return False
    digits = re.sub(r"\D", "", candidate)
    return any(phonenumbers.is_possible_number_string(digits, region) for region in ("US", "GB", "DE", "FR"))


# "my number is ...", "her work number: ...", "the plumber's number is ...": a person's number is a
# phone; "the number of" or
# "order number" is not, and Presidio's context words are single words, so "number" is none.
_WHOSE = r"(?:my|your|his|her|their|our|(?!(?:it|let|that|what|here|there|who)['\u2019]s\b)[^\W\d_]+['\u2019]s)"
_WHICH_LINE = r"(?:mobile|cell|home|work|office|direct|private|personal|contact|new)"
_PHONE_NOUN = r"(?:(?:phone|telephone|cell|mobile)(?:\s+number)?|number)"
_SOMEONES_NUMBER = re.compile(
    rf"\b{_WHOSE}\s+(?:{_WHICH_LINE}\s+)?"
    # "his phone is", "Anna's cell:", "my telephone number was".
    # "my number's ..." as it is said.
    rf"{_PHONE_NOUN}(?:\s+is|\s+was|['\u2019]s|\s*:)?\s*$",
    re.IGNORECASE,
)
# The same said after the number: "9840091714 is his number", "... is my new cell", "(her mobile)",
# "... es mi número", "..., c'est mon numéro", "... ist meine Handynummer". Not "is my number one
# pick", "is our number of seats" or "is my order number": an id's word is no line's.
_SOMEONES_NUMBER_AFTER = re.compile(
    rf"\s*(?:(?:is|was|['\u2019]s)(?:\s+(?:still|now|also|just))?\s+|\(\s*){_WHOSE}\s+"
    rf"(?:(?:{_WHICH_LINE}|main|old|usual)\s+)?{_PHONE_NOUN}(?!\s*(?:of|one|two|1)\b|-)"
    r"|,?\s*(?:(?:es|est|c['\u2019]est|ist|è|é|is|to|jest)\s+)"
    r"(?:mi|tu|su|mon|ton|son|meine?|deine?|seine?|ihre?|unsere?|mijn|jouw|zijn|haar"
    r"|(?:il\s+)?(?:mio|tuo|suo)|(?:o\s+)?(?:meu|seu|teu)|(?:a\s+)?(?:minha|sua)|m[oó]j|tw[oó]j|jej|jego)\s+"
    r"(?:n[úu]mero|num[ée]ro|(?:handy|telefon)?nummer|numer|m[oó]vil|portable|handy|celular|cellulare|telem[oó]vel)\b",
    re.IGNORECASE,
)
# The same in other languages: "mi número es", "mon numéro c'est", "meine Handynummer"... written
# as "meine Nummer ist", "il mio numero è", "o meu número é", "mój numer to", "numer do niej to";
# "mi número de pedido es" goes on to an id's word and is none.
_SOMEONES_NUMBER_ABROAD = re.compile(
    r"\b(?:(?:mi|tu|su|mon|ton|son|meine?|deine?|seine?|ihre?|unsere?|mijn|jouw|zijn|haar"
    r"|(?:il\s+)?(?:mio|tuo|suo)|(?:o\s+)?(?:meu|seu|teu)|(?:a\s+)?(?:minha|sua)|m[oó]j|tw[oó]j|jej|jego)\s+"
    r"(?:n[úu]mero|num[ée]ro|nummer|numer|m[oó]vil|portable|handy|celular|cellulare|telem[oó]vel)"
    r"|numer\s+do\s+[^\W\d_]+"
    # "at the number": "chiamate al numero ...", "écrivez au numéro ...", "unter der Nummer ...",
    # "pod numerem ...", "ligue para o número ...". Said of an address's house number too, which is
    # never five digits or more, the least a phone candidate holds.
    r"|(?:al|au|unter\s+der|pod|pelo|para\s+o|ao)\s+(?:n[úu]mero|num[ée]ro|nummer|numer(?:em)?))"
    r"(?:\s+(?:es|est|c['\u2019]est|ist|is|è|é|to|jest))?\s*:?\s*$",
    re.IGNORECASE,
)
SOMEONES_NUMBER_SCORE = 0.55

# The words right before a number that say it is one: a label ("Phone:", "Tel.", "Mon portable :",
# "Telefone para contato:", "my cell") or "call me" and a preposition ("Call me on", "reach the
# front desk at", "Bel me op", "Ruf mich unter", "Zadzwoń do mnie:"). Closer than a context word
# (which may be anywhere among the words around, "our hotline took 40123 calls"), so it also
# makes a phone of what is too short or too much like a count to be one otherwise: the five- and
# six-digit numbers of small islands ("Phone: 22158") and "Telefon: 2 345 678". Dutch "bel" counts
# only before a pronoun: it ends "label" and "kabel".
_PHONE_LABEL = (
    r"(?:phone|telephone|tel|ph|mobile|mob|cell|cellphone|whatsapp|fax|landline|hotline|helpline|pager|gsm"
    r"|tel[eé]fono|telefon|telefone|t[eé]l[eé]phone|t[eé]l|tlf|portable|handy|celular|m[oó]vil|cellulaire"
    # Italy's toll-free numbers are "numero verde".
    r"|numero\s+verde|num[ée]ro\s+vert|puhelin|telemóvel"
    # Brazil's "Fone:", Italy's "recapito (telefonico)" of forms, Germany's extension "Durchwahl".
    r"|fone|recapito(?:\s+telefonico)?|durchwahl"
    # A desk's own number, past the switchboard: "my direct line is", "Direct dial:"; a service's
    # ("the new support line is", "Sales line:"), never a bare "line" ("line 40", "the product line").
    r"|direct\s+(?:line|dial)"
    r"|(?:support|service|customer|sales|help|info|information|main|emergency|phone|booking|reservations?)\s+line"
    # "Customer care 0800 ...", "Customer service:".
    r"|customer\s+(?:care|service))"
)
_CALL_VERB = (
    r"(?:call|ring|phone|text|dial|reach|contact|whatsapp|appel\w*|rappel\w*|ll[aá]m\w*|chiam\w*|ruf\w*"
    r"|bel(?=\s+(?:me|mij|ons)\b)|zadzwo\w*|ligue\w*|message|sms"
    # "buzz me at ...", "give us a buzz on ...", "RSVP to Anna at ..."; not the noun ("the buzz at").
    r"|buzz(?=\s+(?:me|us|him|her|them)\b)|(?<=\ba\s)buzz|rsvp"
    # "hit me up on ...", not a hit at a number.
    r"|hit(?=\s+(?:me|us)\s+up\b))"
)
_PHONE_LEAD_IN = re.compile(
    # "Phone (work):", "Phone #:", "phone number is", "direct line is" (and so "hotline is").
    rf"(?:\b{_PHONE_LABEL}\.?(?:\s*\([^\W\d]{{1,12}}\))?(?:\s*(?:no|nr|number|\#|para\s+contato|de\s+contacto))?"
    r"(?:(?:(?<=number)|(?<=line)|(?<=dial))\s+(?:is|was))?\.?\s*:?"
    # "Contact:", "Emergency contact:"; and the one-letter labels of signatures ("T: ...", "M: ...",
    # "t. 020 ...", "m. 07700 ...").
    r"|\bcontact\s*:|(?-i:\b[TMFP])\s*:|(?-i:(?<![\w.])[tm])\."
    rf"|\b{_CALL_VERB}(?:[\s\-]+[^\W\d]+\.?){{0,3}}?\s(?:on|at|op|al|au|unter|via)"
    # A colon after "call me", not after the verb alone ("Reach: 40000" is an audience).
    rf"|\b{_CALL_VERB}(?:[\s\-]+[^\W\d]+\.?){{1,3}}?\s*:"
    # "Dial 22123", "ring 51234": verbs that take nothing but a number.
    r"|\b(?:dial|ring))\s*$",
    re.IGNORECASE,
)
# Five and six digits, grouped or not ("22158", "21 234", "(20) 123", "3 81234", "10.6609"), not
# part of a longer number: a phone only right after a lead-in.
_SHORT_NUMBER = re.compile(r"(?<![\w+.,/\-])(?<!\d[ .\-])(?:\(\d{1,3}\) ?)?\d(?:[ .\-]?\d){2,5}(?![\w]|[ .,\-/]\d)")
_SHORT_DIGITS = (5, 6)
_SHORT = 'A five- or six-digit number right after a phone\'s label or "call me on"'
# Israel's star numbers of firms and services ("*6543"): four digits after a star, a phone only
# right after a lead-in or given together with another phone.
_STAR_NUMBER = re.compile(r"(?<![\w*#])\*\d{4}(?![\w*#]|[ .\-]\d)")
_STAR = "A star number of a service beside a phone or its label"
# Findings that are phones on their own, whatever their context: a number given together with one
# of them is given for the same purpose.
_OWN_PHONE_SCORE = UNVALIDATED_SCORE
_TOGETHER = "A number given together with a phone"
# Between two numbers given together: "or" in the languages prompts are written in, a slash, a
# comma or an ideographic comma ("+86 10 6123 4567 或 18612345678", "*6543 או 1-800-345-678",
# "0171 2345678 / 030 1234567").
_GIVEN_TOGETHER = re.compile(
    r"\s*(?:[/,\u3001]|(?:or|ou|oder|of|lub|o|или|або|atau|veya|hoặc)(?!\w)|או|أو|او|या|또는|または|或者?)\s*",  # noqa: RUF001
    re.IGNORECASE,
)


# Lead-ins in scripts and idioms the Latin labels above miss: Arabic "the hotline" and "the
# unified number" of firms ("الخط الساخن 16789", "الرقم الموحد:"), "phone" and "mobile" labels
# ("هاتف:", "جوال:"), Hebrew "phone", "mobile" and a service centre's label ("טלפון:", "מוקד שירות
# לקוחות:"), and Spanish "for any question, at" ("cualquier duda al", "consultas al").
_PHONE_LEAD_IN_ABROAD = re.compile(
    r"(?:(?:ب?ال)?خط\s+(?:ال)?ساخن|(?:ال)?رقم\s+(?:ال)?موحد|هاتف|جوال|טלפון|נייד|מוקד(?:\s+[\u05d0-\u05ea]+){0,3})\s*:?\s*$"
    r"|\b(?:dudas?|consultas?|informes|preguntas)\s+al\s*$",
    re.IGNORECASE,
)
# Singapore's and Malaysia's "handphone" label, in capitals and with its colon ("HP: 9123 4567"); a
# number of a phone's length only, since "HP: 2500" is a character's hit points.
_HANDPHONE_LABEL = re.compile(r"(?-i:\bHP)\s*(?:no\.?\s*)?:\s*$")


def _led_in_as_a_phone(text: str, start: int) -> bool:
    return (
        _led_in_by(_PHONE_LEAD_IN, text, start)
        or _led_in_by(_PHONE_LEAD_IN_ABROAD, text, start)
        or _led_in_by(_SOMEONES_NUMBER, text, start)
        or _led_in_by(_SOMEONES_NUMBER_ABROAD, text, start)
    )


# A field of a signature or contact line, between separators, on a line with an email address:
# "Anna Berg, Sales | 2015550123 | anna@example.com".
_FIELD_SEPARATORS = "|\u2022\u00b7"
_EMAIL_ON_LINE = re.compile(r"[\w.+\-]+@[\w\-]+\.[\w.\-]+")


def _contact_field(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    before = text[line_start:start].rstrip()
    after = text[end:line_end].lstrip()
    if text.startswith("|", line_start):
        return False  # a row of a Markdown table, not a signature
    bounded = (not before or before[-1] in _FIELD_SEPARATORS) and (not after or after[0] in _FIELD_SEPARATORS)
    return (
        bounded
        and any(sep in before + after for sep in _FIELD_SEPARATORS)
        and _EMAIL_ON_LINE.search(text, line_start, line_end) is not None
    )


# A table column's header that says its cells are phones ("Phone", "Mobile no.", "Telefon",
# "Durchwahl", "contact number", "Phone (work)").
_PHONE_HEADER = re.compile(
    rf"(?:(?:contact|emergency|home|work|office|business|direct|private)\s+)?{_PHONE_LABEL}"
    r"(?:\s*(?:no|nr|number|\#))?\.?(?:\s*\([^\W\d]{1,12}\))?\s*:?"
    r"|(?:contact|emergency|home|work|office|mobile)\s+(?:number|no\.?|nr\.?)",
    re.IGNORECASE,
)


def _under_a_phone_header(text: str, start: int) -> bool:
    header = column_header(text, start)
    return header is not None and _PHONE_HEADER.fullmatch(header.strip("\"'*_ ")) is not None


# The labels of a contact card or signature that say where a number rings ("Home: ...", "Work:
# ...", "(m) ...", "(w) ..."): a phone when it has a phone's length; "Home: 22158" may be a house's
# postcode and "Work: 40000 words" a count, so not for five or six digits.
_WHERE_IT_RINGS = re.compile(
    r"(?:\b(?:home|work|office|private|personal|business)\s*:|\((?:m|h|w|o|mob|cell|home|work|office)\))\s*$",
    re.IGNORECASE,
)


def _called_a_phone(text: str, start: int, end: int) -> bool:
    """Called a phone by a label or "call me on" right before it, someone's number right after it,
    by its place in a signature line beside an email address, or by its table column's header.
    Asked only where it decides."""
    return (
        _led_in_as_a_phone(text, start)
        or _SOMEONES_NUMBER_AFTER.match(text, end) is not None
        or _led_in_by(_HANDPHONE_LABEL, text, start)
        or _contact_field(text, start, end)
        or _under_a_phone_header(text, start)
    )


# A number set off right after a person's name, as a contact list or an aside gives one: "Forward
# it to Jana, 731 848 806, before Friday", "Jana Nowak: 6021175449", "ask Fiona Walsh (5806694635)".
# The name's last word before a comma, a colon, a dash or an opening bracket, and after the number
# the end of the clause.
_NAME_BEFORE = re.compile(
    r"(?<![\w@.])([A-Z\u00c0-\u00de][a-z\u00e0-\u017f]+)(?:\s*(?:,|:|\s[\-\u2013\u2014])\s*|\s+\()$"
)
_CLAUSE_END_AFTER = re.compile(r"\s*(?:[,;:)]|\.(?!\d)|$)", re.MULTILINE)
_NAME_REACH = 40


def set_off_after_a_name(names: Gazetteer, text: str, start: int, end: int) -> bool:
    """Set off right after a word the lists know as a person's name and as nothing else: not an
    everyday word ("May", "Bill"), not a place ("Lisbon, 12345678, up 4 %" is a figure)."""
    before = _NAME_BEFORE.search(text, max(0, start - _NAME_REACH), start)
    if before is None or _CLAUSE_END_AFTER.match(text, end) is None:
        return False
    word = before.group(1).lower()
    return names.kind(word) == KNOWN and names.is_name(word) and not names.is_place(word)


class FormattedPhoneRecognizer(TextRecognizer):
    # libphonenumber's metadata ships inside its package: nothing to load either.
    CONTEXT = [
        "phone",
        "telephone",
        "tel",
        "cell",
        "cellphone",
        "mobile",
        "call",
        "whatsapp",
        "sms",
        "fax",
        "ring",
        "contact",
        "reach",
        "dial",
        # Labels beside a number in signatures and contact cards ("Desk: ...", "... (office)").
        "office",
        "desk",
        "landline",
        "pager",
        "hotline",
        "helpline",
        # A firm's main line and the messages left on one ("the switchboard is now ...", "the
        # voicemail says to call ...").
        "switchboard",
        "voicemail",
        # "text me on ...", and the abbreviations and other languages' words of forms and
        # signatures ("Ph:", "Mob.", "Tlf", "Handy", "Celular").
        "text",
        "ph",
        "mob",
        "tlf",
        "telefon",
        "durchwahl",
        "telefono",
        "teléfono",
        "téléphone",
        "tél",
        "handy",
        "celular",
        "móvil",
        "movil",
        "portable",
        "cellulaire",
        # "Call me" in other languages. Context words match as substrings, so a stem covers a
        # verb's forms ("appelez", "rappeler", "chiamami", "anrufen", "Rufnummer", "zadzwoń");
        # not stems that start everyday words of other topics: "llam" (Llama, the model),
        # "ligue" (Ligue 1), Dutch "bel" ("label").
        "appel",
        "llám",
        "llamar",
        "llame",
        "chiam",
        "ruf",
        "zadzwo",
        "bellen",
        "contato",
        # Czech and Slovak "call" ("volejte", "zavolat"), Estonian ("helistage", "helistab"),
        # Finnish ("soita", "puhelin"), Hungarian ("hívjon", "hívja": not "hív", which ends
        # "archív"), Romanian ("sunați"), Portuguese "telemóvel", Greek "τηλ.", Vietnamese "điện
        # thoại" and "SĐT", Indonesian "telp", Hebrew "טלפון", and the messaging apps phones are
        # given for.
        "volej",
        "volaj",
        "zavolat",
        "helista",
        "soita",
        "puhelin",
        "hívj",
        "hívja",
        "sunaț",
        "sunati",
        "telemóvel",
        "telemovel",
        "τηλ",
        "thoại",
        "sđt",
        "telp",
        "טלפון",
        "viber",
        "zalo",
        # A shop's or firm's line in Chinese, Japanese and Korean ("订位专线", "代表番号", "대표번호").
        "专线",
        "專線",
        "热线",
        "熱線",
        "代表番号",
        "대표번호",
        # Portuguese "liguem", "ligar" (not "ligue": Ligue 1), and toll-free lines.
        "liguem",
        "ligar",
        "toll",
        "freephone",
        # Phone, mobile and "call" in the other languages people write prompts in. In Chinese and
        # Japanese a word and the number after it are one token ("我的电话是13812345678"), which
        # still holds the word: context words match inside tokens.
        # Polish "the mobile" in any case ("na komórkę", "komórka:").
        "komórk",
        "komork",
        "телефон",
        "звон",
        "дзвон",
        "мобильн",
        "мобільн",
        "هاتف",
        "جوال",
        "موبايل",
        "اتصل",
        # The noun, "the calling" ("للاتصال", "يرجى الاتصال على الرقم").
        "اتصال",
        "فون",
        "फोन",
        "फ़ोन",
        "मोबाइल",
        "कॉल",
        "ফোন",
        "মোবাইল",
        "電話",
        "电话",
        # "Please call ..." of notices ("如有疑问请致电").
        "致电",
        "致電",
        # "Number" said of one's phone ("我换号码了", "新号码是"); an order's or a parcel's number
        # is an id by its own word first (``_COMPOUND_ID_LABEL``).
        "号码",
        "號碼",
        "携帯",
        "手机",
        "手機",
        "連絡",
        "联系",
        "聯絡",
        "전화",
        "휴대폰",
        "핸드폰",
        "연락",
        "aray\u0131n",  # Turkish "call", with its dotless i
        "arayin",
        "hubungi",
        "โทร",
        "gọi",
        # "Dial" in Chinese ("请拨打"), a customer centre's and a hotline's line in Korean and
        # Arabic ("고객센터", "الرقم الموحد", "الخط الساخن"), Singapore's and Malaysia's
        # "handphone", Icelandic "phone" ("Sími"), Latvian "phone" ("Tālr.", "tālrunis"), Polish
        # "helpline" ("Infolinia"), and toll-free lines ("línea gratuita", "linha grátis", "zelená
        # linka", "gratis nummer", "gjaldfrjálst númer", "bezmaksas").
        "拨打",
        "撥打",
        "고객센터",
        "الموحد",
        "الساخن",
        "handphone",
        "sími",
        "tālr",
        "infolinia",
        "línea",
        "gratuit",
        "gjaldfrj",
        "bezmaksas",
        "gratis",
        "grátis",
        "linha",
        "linka",
    ]

    def __init__(
        self,
        *,
        regions: tuple[str, ...] = DEFAULT_REGIONS,
        supported_language: str = "en",
        names: Gazetteer | None = None,
    ) -> None:
        self._names = names
        self._plans = [NumberingPlan(region) for region in regions]
        # libphonenumber compiles its metadata's patterns through re.compile, whose cache holds
        # 512: eleven regions' patterns and the rest of the guard's overflow it, and a prompt
        # with a dozen numbers compiled hundreds of patterns again (a third of the matcher's
        # time). Kept for good instead: the metadata is fixed, so they are bounded.
        phonenumbers.enable_pattern_cache()
        # Each candidate's match, or (None,) where no region has one.
        self._validations: DigestCache[tuple[_Validated | None]] = DigestCache(VALIDATED_CACHE_SIZE)
        super().__init__(
            supported_entities=["PHONE_NUMBER"],
            supported_language=supported_language,
            context=self.CONTEXT,
            name="FormattedPhoneRecognizer",
        )

    def _validated(self, candidate: str) -> _Validated | None:
        """``_first_valid``'s match as (start, end, score by its formatting), remembered."""
        key = DigestCache.key(candidate)
        found = self._validations.get(key)
        if found is None:
            match = self._first_valid(candidate)
            found = (None if match is None else (match.start, match.end, _score(match.raw_string)),)
            self._validations.put(key, found)
        return found[0]

    def _first_valid(self, candidate: str) -> phonenumbers.PhoneNumberMatch | None:
        """The first region's match that covers the whole candidate, else the longest match: a
        fragment valid in one region ("1685" in Germany) must not hide the whole number valid in
        another ("8 925 634 1685" in Russia)."""
        best: phonenumbers.PhoneNumberMatch | None = None
        groups = DigitGroups.of(candidate)
        for plan in self._plans:
            if not plan.could_hold(groups):
                continue
            region = plan.region
            for match in phonenumbers.PhoneNumberMatcher(candidate, region, leniency=phonenumbers.Leniency.VALID):
                if match.end - match.start == len(candidate):
                    return match
                if best is None or match.end - match.start > best.end - best.start:
                    best = match
                break
        return best

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        results = []
        validated = 0
        # One character for one, so offsets hold.
        written, text = text, as_ascii_digits(text)
        for candidate in _CANDIDATE.finditer(text):
            begin, finish, raw = candidate.start(), candidate.end(), candidate.group(0)
            if raw.startswith("(") and ")" not in raw:
                # "(03-5555-0101)", "(192.168.0.1)": parentheses around the whole, not an area code.
                begin, raw = begin + 1, raw[1:]
            if _continues_a_code(text, begin):
                continue
            if (
                labelled_an_identifier(text, begin)
                or _led_in_by(_COMPOUND_ID_LABEL, text, begin)
                or _ID_LABEL_AFTER.match(text, finish)
            ) and not raw.startswith("+"):
                continue
            number = _EXTENSION.sub("", raw)
            digits = sum(c.isdigit() for c in number)
            if _SSN_LAYOUT.fullmatch(raw) or _NOT_A_PHONE.fullmatch(number) or _a_range(written[begin:finish]):
                continue
            padded = _zero_padded_id(number)
            # Asked only where it decides, and then once: several branches below may ask.
            called_a_phone = cache(partial(self._called_or_named_a_phone, text, begin, finish, digits))
            if padded and not _possible(number) and not called_a_phone():
                continue
            if digits == _LOCAL_DIGITS and _LOCAL_LAYOUT.fullmatch(number):
                # Below any other score: only a context word or a lead-in ("Phone: 23 30 82") makes it a phone.
                score = SOMEONES_NUMBER_SCORE if called_a_phone() else UNVALIDATED_BARE_SCORE
                results.append(finding(self, "PHONE_NUMBER", begin, finish, score, _LOCAL))
                continue
            if not _MIN_DIGITS <= digits <= _MAX_DIGITS:
                continue
            if not raw.startswith(("+", "(", "0")) and _thousands(number):
                # "699 956 915" is how Spain or Norway write a phone and how French or Nordic
                # text writes a large number: a phone only where a context word says so, and
                # never when it opens with a single digit ("1 234 567" is a count). No count is
                # written with a leading zero: "047 877 893" is a national number, validated below.
                if (
                    not (_THOUSANDS_PHONE_DIGITS[0] <= digits <= _THOUSANDS_PHONE_DIGITS[1]) or number[1] == " "
                ) and not called_a_phone():
                    continue
                if not _possible(raw):
                    continue
                start, end, score = 0, len(raw), UNVALIDATED_BARE_SCORE
            elif validated < MAX_VALIDATED_CANDIDATES:
                validated += 1
                match = self._validated(raw)
                if match is not None and match[1] - match[0] < len(raw) and _whole_beats_fragment(raw, match):
                    # "+358 11 0843646", "8 (246) 281-9482": a fragment valid in some region must
                    # not leave the country or trunk code and the area code behind; nor may
                    # "1642", a German number, stand for "138 1642 7730", a Chinese mobile.
                    start, end, score = 0, len(raw), max(match[2], UNVALIDATED_SCORE)
                elif match is not None:
                    start, end, score = match
                    if score == BARE_SCORE and _TRUNK_BARE.fullmatch(raw):
                        score = TRUNK_BARE_SCORE
                    # libphonenumber leaves an extension out of its match; it is part of the number.
                    if _EXTENSION.search(raw) and end < len(raw):
                        end = len(raw)
                elif _possible(raw):
                    start, end = 0, len(raw)
                    if _phone_layout(raw):
                        score = UNVALIDATED_SCORE
                    else:
                        score = UNVALIDATED_GROUPED_SCORE if _formatted(raw) else UNVALIDATED_BARE_SCORE
                elif _national_after_double_zero(raw):
                    start, end, score = 0, len(raw), UNVALIDATED_GROUPED_SCORE
                elif _AREA_CODE_INSIDE.match(raw):
                    # "8 (246) 281-9482", "1 (372) 492-0868": a trunk or country digit and an area
                    # code in parentheses is how a phone is written, whether or not the number
                    # is in service (libphonenumber only knows those that could be).
                    start, end, score = 0, len(raw), UNVALIDATED_SCORE
                elif called_a_phone():
                    # "Phone: 00734293218", "ring 004-04 94 21": a form's or a generator's number
                    # with a stray zero or an area code no plan has is still the one it labels.
                    start, end, score = 0, len(raw), SOMEONES_NUMBER_SCORE
                else:
                    continue
            elif _score(raw) == FORMATTED_SCORE:
                start, end, score = 0, len(raw), FORMATTED_SCORE
            else:
                continue
            if called_a_phone():
                score = max(score, SOMEONES_NUMBER_SCORE)
            elif padded:
                # "0097131549909" is dialled from abroad as often as it is an id padded with
                # zeros: a context word decides.
                score = UNVALIDATED_BARE_SCORE
            results.append(
                finding(
                    self,
                    "PHONE_NUMBER",
                    begin + start,
                    begin + end,
                    score,
                    "Valid phone number (libphonenumber), scored by formatting",
                )
            )
        results = [
            finding(self, "PHONE_NUMBER", result.start, result.end, SOMEONES_NUMBER_SCORE, _TOGETHER)
            if result.score < _OWN_PHONE_SCORE and _given_together(text, result.start, result.end, results)
            else result
            for result in results
        ]
        return results + self._short_numbers(text, results)

    def _called_or_named_a_phone(self, text: str, start: int, end: int, digits: int) -> bool:
        """Called a phone (``_called_a_phone``), or of a phone's length and labelled by where it
        rings or set off after a person's name: the module function stays free of the name lists,
        which only this recognizer holds."""
        if _called_a_phone(text, start, end):
            return True
        if digits < _MIN_DIGITS:
            return False
        return _led_in_by(_WHERE_IT_RINGS, text, start) or (
            self._names is not None and set_off_after_a_name(self._names, text, start, end)
        )

    def _short_numbers(self, text: str, found: list[RecognizerResult]) -> list[RecognizerResult]:
        """Five- and six-digit numbers right after a lead-in (see ``_PHONE_LEAD_IN``) that no
        other finding covers."""
        results = []
        for short in _SHORT_NUMBER.finditer(text):
            start, end = short.span()
            if any(f.start < end and start < f.end for f in found):
                continue
            number = short.group(0)
            if sum(c.isdigit() for c in number) not in _SHORT_DIGITS or _NOT_A_PHONE.fullmatch(number):
                continue
            if _named_a_phone_nearby(text, start, end, found):
                results.append(finding(self, "PHONE_NUMBER", start, end, SOMEONES_NUMBER_SCORE, _SHORT))
        results.extend(
            finding(self, "PHONE_NUMBER", star.start(), star.end(), SOMEONES_NUMBER_SCORE, _STAR)
            for star in _STAR_NUMBER.finditer(text)
            if _named_a_phone_nearby(text, star.start(), star.end(), found)
        )
        return results


def _named_a_phone_nearby(text: str, start: int, end: int, found: list[RecognizerResult]) -> bool:
    """What makes a phone of a number too short to be one alone: a lead-in, or a phone beside it."""
    return (
        _led_in_as_a_phone(text, start)
        or _SOMEONES_NUMBER_AFTER.match(text, end) is not None
        or _given_together(text, start, end, found)
    )


def _given_together(text: str, start: int, end: int, found: list[RecognizerResult]) -> bool:
    """Whether the number at ``start:end`` is given together with a finding that is a phone on its
    own: only "or", a slash or a comma between them."""
    return any(
        other.score >= _OWN_PHONE_SCORE
        and (
            (other.end <= start and _GIVEN_TOGETHER.fullmatch(text, other.end, start) is not None)
            or (end <= other.start and _GIVEN_TOGETHER.fullmatch(text, end, other.start) is not None)
        )
        for other in found
    )
