"""Names written in Arabic or Devanagari that the phrase around them gives away.

The name model reads Latin, Greek and Cyrillic letters; titled_names.py finds Arabic and Hindi
names after a title or an honorific and full names of listed parts. A given name standing alone
("مرحباً رنا،", "हाय स्नेहा,", "Regards, मनीषा") is most of what people write, and many given
names are everyday words (نور "light", أمل "hope", विकास "growth", दीपक "lamp"), so a word is
taken for a name only where the phrase settles it:

- after a greeting, before a comma, a stop or the end of the line ("مرحباً رنا،", "नमस्ते अमित!");
- after a sign-off, up to the end of its line ("مع التحية، ليلى حداد", "धन्यवाद, नेहा सिंह");
- after a byline ("بقلم: عبير النجار،", "लेखक: अनीता जोशी,") or the label of a role one person
  holds ("المنسق: فهد", "प्राप्तकर्ता: गुरमीत");
- as an item of a list of people ("الحضور: يوسف، مريم الزهراني، عمر", "Attendees: विकास, अमित").

A name is one to three words of the script; one that runs on into a sentence is none. Greeting a
group ("مرحباً بالجميع", "नमस्ते दोस्तों") names no one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.guard.findings import Span, SpanRecognizer, longest_first_without_overlaps
from bot.guard.script_ranges import DEVANAGARI_LETTERS
from bot.guard.titled_names import AR_TITLES, HI_TITLES, NAME_ENTITY, SCORE

_ARABIC_LETTERS = "\u0621-\u063a\u0641-\u064a\u064b-\u065f\u0670-\u06d3"
_EITHER_SCRIPT = re.compile(rf"[{_ARABIC_LETTERS}{DEVANAGARI_LETTERS}]")
# One to three words of one script, with spaces between.
_NAME = rf"(?P<name>(?:[{_ARABIC_LETTERS}]+(?:[ \t]+[{_ARABIC_LETTERS}]+){{0,2}})|(?:[{DEVANAGARI_LETTERS}]+(?:[ \t]+[{DEVANAGARI_LETTERS}]+){{0,2}}))"
# What ends a name given away by a greeting, a sign-off or a byline.
_END = r"(?=[ \t]*(?:[,\u060c.!?\u061f:;'\"\u2019\u201d)\u0964]|$))"

# Greetings; thanks are left out ("शुक्रिया कहना", "شكراً مقدماً": a verb or an adverb follows).
GREETINGS = (
    "مرحبا مرحباً أهلا أهلاً أهلين اهلين هلا اهلا عزيزي عزيزتي नमस्ते नमस्कार हाय हैलो हेलो हलो प्रिय Hi Hello Hey Dear"
).split()
SIGN_OFFS = (
    "مع التحية|مع التحيات|مع خالص التحية|مع خالص التحيات|تحياتي|مع تحياتي|وشكراً|وشكرا|مع الشكر"
    "|धन्यवाद|सादर|शुभकामनाओं सहित|शुभकामनाएं"
    "|Regards|Best regards|Kind regards|Thanks|Thank you|Best|Cheers"
)
# "إعداد" ("prepared by") is left out: it is also a setting ("أي إعداد آخر").
BYLINES = "بقلم|الكاتب|الكاتبة|लेखक|लेखिका|रिपोर्टर|By"
PEOPLE_LISTS = (
    "الحضور|الحاضرون|المشاركون|الحاضرين|المشاركين|उपस्थित|उपस्थिति|प्रतिभागी|मौजूद|Attendees|Participants|Present"
)
# Labels of the one person who holds a role, before a colon: "المنسق: فهد", "المستلم: طارق",
# "प्राप्तकर्ता: गुरमीत", "Coordinator: सलमा".
ROLE_LABELS = (
    "المنسق|المنسقة|المستلم|المستلمة|المسؤول|المسؤولة|المرسل|المرسلة|المندوب|المندوبة|السائق|المتحدث|المتحدثة"
    "|المحاضر|المحاضرة|المدرب|المدربة|المشرف|المشرفة|مقدم الطلب|صاحب الطلب|اسم العميل|اسم الموظف"
    "|प्राप्तकर्ता|प्रेषक|समन्वयक|संयोजक|प्रभारी|जिम्मेदार|ज़िम्मेदार|वक्ता|संपर्क व्यक्ति|ड्राइवर|कोऑर्डिनेटर"
    "|Coordinator|Recipient|Contact|Contact person|Owner|Assignee|Driver|Speaker|Host|Organizer|Organiser"
)
# Addressing a group, not a person, and words that follow a greeting in its set phrases.
NOT_NAMES = frozenset(
    """
    بكم بك بالجميع الجميع جميعا جميعاً فريق الفريق يا صباح مساء لكم لك جزيلا جزيلاً كثيرا كثيراً
    दोस्तों सभी सबको सब टीम आप आपका आपको आपकी जी सर मैडम दोस्तो साथियों साथियो
    ग्राहक ग्राहकों अभिभावक अभिभावकों सहायक सहकर्मी सहकर्मियों निवासी निवासियों निवासीगण यार दोनों सदस्य
    सदस्यों मित्र मित्रों साथी ग्राहकगण विभाग कंपनी प्रबंधन कार्यालय सेवा असिस्टेंट कंटेंट बॉट
    والله مقدما مقدماً إدارة قسم شركة مكتب خدمة مؤسسة جمعية مجلس
    """.split()
)

_GREETED = re.compile(rf"(?<![\w])(?:{'|'.join(GREETINGS)})(?![\w])[ \t]+{_NAME}{_END}", re.MULTILINE)
# A signature ends its line, its quote or the text.
_SIGNATURE_END = r"(?=[ \t]*(?:[,\u060c]?[ \t]*['\"\u2019\u201d)]|$))"
_SIGNED = re.compile(
    rf"(?<![\w])(?:{SIGN_OFFS})(?![\w])[ \t]*[,\u060c]?[ \t]*\n?[ \t]*{_NAME}{_SIGNATURE_END}", re.MULTILINE
)
_BYLINE = re.compile(rf"(?<![\w])(?:{BYLINES})(?![\w])[ \t]*:?[ \t]*{_NAME}{_END}", re.MULTILINE)
_LABELLED = re.compile(rf"(?<![\w])(?:{ROLE_LABELS})[ \t]*:[ \t]*{_NAME}{_END}", re.MULTILINE)
_LISTED = re.compile(rf"(?<![\w])(?:{PEOPLE_LISTS})(?![\w])[ \t]*:[ \t]*(?P<items>[^\n]+)")
_ITEM = re.compile(rf"[ \t]*{_NAME}[ \t]*(?:\([^)\n]*\))?[ \t]*(?:[,\u060c]|$)")


# The article and the prepositions glued to it: a given name takes none ("عزيزي العميل" greets
# a customer, "الفريق" is the team), though a family name does after one ("مريم الزهراني").
_ARTICLES = ("ال", "بال", "لل", "وال", "فال", "كال")


def _is_a_name(name: str) -> bool:
    words = name.split()
    # A title or its one-letter abbreviation ("वक्ता: डॉ. हर्ष पाठक", "المسؤول: م. خالد") is left to
    # titled_names.py, which masks the name after it.
    if len(name) < 2 or words[0] in HI_TITLES or words[0] in AR_TITLES:
        return False
    return not (words[0].startswith(_ARTICLES) or any(word in NOT_NAMES for word in words))


def _listed_people(items: str, offset: int) -> Iterator[Span]:
    position = 0
    while position < len(items):
        item = _ITEM.match(items, position)
        if item is None:
            return  # the list ended, or ran into a sentence
        if _is_a_name(item.group("name")):
            yield offset + item.start("name"), offset + item.end("name")
        position = item.end()


def cued_native_names(text: str) -> list[Span]:
    """Spans of the Arabic and Devanagari names a greeting, a sign-off, a byline or a list of
    people gives away in ``text``."""
    if _EITHER_SCRIPT.search(text) is None:
        return []
    spans = [
        match.span("name")
        for pattern in (_GREETED, _SIGNED, _BYLINE, _LABELLED)
        for match in pattern.finditer(text)
        if _is_a_name(match.group("name"))
    ]
    for listed in _LISTED.finditer(text):
        spans.extend(_listed_people(listed.group("items"), listed.start("items")))
    return longest_first_without_overlaps(spans)


class CuedNativeNameRecognizer(SpanRecognizer):
    """Arabic and Devanagari names after a greeting, a sign-off or a byline, or in a list of people."""

    ENTITY = NAME_ENTITY
    SCORE = SCORE
    WHY = "A name the greeting, sign-off, byline or list around it gives away"

    def spans(self, text: str) -> Iterable[Span]:
        return cued_native_names(text)
