"""Common Arabic and Hindi given names that are no everyday word, wherever they stand.

"الجرسون أحمد ما كان مهتم", "waiter रमेश ने order गलत दिया", "يوسف مريض اليوم": most names in a
message are a given name with nothing beside it, and the name model does not read these scripts.
English masks "Ahmed" or "Ramesh" wherever it stands; so does this module, for given names
common enough to matter and never used as an everyday word. Many given names are everyday words
too and are left to the cues of cued_native_names.py and titled_names.py: أمل "hope", نور "light",
جمال "beauty", عمر "age", فهد "cheetah", هند "India"; दीपक "lamp", विकास "growth", पूजा "worship",
आशा "hope", किरण "ray", कविता "poem", गौरव "pride", सपना "dream", आकाश "sky". A family name right
after the given name joins it ("سلمان الدوسري", "सिमरन कौर").

The lists were written for this project from general knowledge of each language's names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.guard.findings import Span, SpanRecognizer, longest_first_without_overlaps
from bot.guard.script_ranges import ARABIC_LETTERS, DEVANAGARI_LETTERS
from bot.guard.titled_names import (
    AR_FAMILY_NAMES,
    AR_FIRST_NAMES,
    AR_NOT_NAMES,
    HI_FAMILY_NAMES,
    NAME_ENTITY,
    SCORE,
)


def _words(listed: str) -> frozenset[str]:
    return frozenset(listed.split())


# The first names titled_names.py reads after a title, less those that are also everyday words
# standing alone: علي (a common spelling of "on"), عمر "age", فهد "cheetah", جمال "beauty", كمال
# "perfection", عادل "fair", حسام "sword", سلطان "sultan", ناصر "supporter", سعود "good fortunes",
# تركي "Turkish", عماد "pillar", مراد "wish", نادر "rare", ريم "gazelle", هبة "gift", منى "wishes",
# هالة "halo", هند "India", لمى, جنى "harvest", لينا ("to us" in speech), سلمى, دينا, رشا, نادية,
# سميرة, آمنة "safe".
AR_NAMES_ALSO_WORDS = _words(
    "علي عمر فهد جمال كمال عادل حسام سلطان ناصر سعود تركي عماد مراد نادر ريم هبة منى هالة هند لمى جنى لينا سلمى"
    " دينا رشا نادية سميرة آمنة"
)
AR_GIVEN_NAMES = (AR_FIRST_NAMES - AR_NAMES_ALSO_WORDS) | _words(
    "باسل سلمان نواف عبدالرحيم عبدالكريم مشعل تامر شادي وائل أسامة اسامة دانة لجين ياسمين رغد بشرى ريهام منار"
    " دعاء آلاء الاء"
)
HI_GIVEN_NAMES = _words(
    "राहुल रोहित अमित सुमित अंकुर अजय संजय राजेश मुकेश दिनेश नरेश योगेश सुरेश रमेश महेश अर्जुन"
    " आदित्य वरुण करण निखिल मोहन सोहन आरव विवान अनिल सुनील मनोज पंकज नितिन सचिन"
    " प्रिया नेहा स्नेहा मनीषा अनन्या सुनीता अनीता प्रियंका दिव्या श्वेता अंजलि मोनिका रीना टीना रितु"
    " सिमरन हरप्रीत गुरमीत मनप्रीत जसप्रीत बबलू पप्पू मोहम्मद इरफ़ान इरफान सलमा फ़ातिमा फातिमा आयशा इमरान"
    " आरिफ़ आरिफ रुबीना शबनम नसरीन"
)
# "and" and "for" glued to a name ("وأحمد", "لسارة"); a family name after it, joined by a space.
_AR_NAME = re.compile(
    rf"(?<![{ARABIC_LETTERS}])[ول]?(?P<name>(?:{'|'.join(sorted(AR_GIVEN_NAMES))})"
    rf"(?:[ ](?:ال[{ARABIC_LETTERS}]{{2,}}|{'|'.join(sorted(AR_FAMILY_NAMES))}))?)(?![{ARABIC_LETTERS}])"
)
_HI_NAME = re.compile(
    rf"(?<![{DEVANAGARI_LETTERS}])(?P<name>(?:{'|'.join(sorted(HI_GIVEN_NAMES))})"
    rf"(?:[ ](?:{'|'.join(sorted(HI_FAMILY_NAMES))}))?)(?![{DEVANAGARI_LETTERS}])"
)
_EITHER_SCRIPT = re.compile(f"[{ARABIC_LETTERS}{DEVANAGARI_LETTERS}]")


def common_native_names(text: str) -> Iterator[Span]:
    """(start, end) of each common Arabic or Hindi given name in ``text``, with its family name."""
    if _EITHER_SCRIPT.search(text) is None:
        return
    found = []
    for match in _AR_NAME.finditer(text):
        start, end = match.span("name")
        words = match.group("name").split()
        if len(words) > 1 and words[1] in AR_NOT_NAMES:
            end = start + len(words[0])  # "أحمد الجديد": the new Ahmed, not a family name
        found.append((start, end))
    found.extend(match.span("name") for match in _HI_NAME.finditer(text))
    yield from longest_first_without_overlaps(found)


class CommonNativeNameRecognizer(SpanRecognizer):
    """Common Arabic and Hindi given names that are no everyday word."""

    ENTITY = NAME_ENTITY
    SCORE = SCORE
    WHY = "A common Arabic or Hindi given name that is no everyday word"

    def spans(self, text: str) -> Iterable[Span]:
        return common_native_names(text)
