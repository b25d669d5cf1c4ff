"""Korean and Taiwanese given names written in Latin letters with a hyphen: "Ji-woo", "Seo-yeon
Lee", "Park Min-jun", "Mei-ling Chen".

South Korean passports, and many Korean and Taiwanese people writing in English, spell a
two-syllable given name as two romanised syllables joined by a hyphen. Neither part is a word the
name lists hold in that form, so the name model passed them by ("Congratulate Ji-woo Park" was
sent as written). A capitalised syllable, a hyphen and a lower-case syllable, both of the
syllables such given names are made of, is a given name; a family name of those languages written
right before or after it (one space) belongs to the same person. Reduplicated words ("Ha-ha")
are not names; English words made of two short parts ("Set-up", "Hip-hop", "Co-op", "Log-in")
fail because their parts are not such syllables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.guard.findings import Span, SpanRecognizer

NAME_ENTITY = "PERSON"
SCORE = 0.85

# Syllables of Korean given names in the Revised Romanization and the older spellings people
# still use, and of Taiwanese given names in Wade-Giles, from general knowledge.
GIVEN_NAME_SYLLABLES = frozenset(
    """
    ae ah bin bo bok beom bum byeol byeong byung chae chan chang cheol chul chun dae dam do dong
    eon eun gang geon geun gi gil gon gu guk gun gwang gyeong gyu ha hae hak han hee heon hun hoon ho
    hong hui hwa hwan hye hyeok hyeon hyo hyuk hyun hyung il in jae je jeong jeon ji jin jong joo joon
    ju jun jung ki kook kwang kyu kyung kyeong mi min mo moon mun myeong myung na nam ok pil ra rae ran
    ri rin ryeong ryung sae sang seo seok seol seon seong seop seul seung shik sik so sol song soo sook
    su suk sun sung tae taek un uk ung wan woo won wook woon woong ye yeo yeol yeon yeong yi yong yoo
    yoon young yu yul yun
    chen cheng chi chia chieh chien chih ching chiu chu chuan chung fang fen feng hao hsiang hsiao
    hsin hsu hsuan hua huan huang hung i jen jui kai kuan kuang kuo lan li lien lin ling mei ming pei
    ping shan sheng shih shu ting tsai tsung tzu wei wen ya yao yen yin ying yueh yung
    """.split()
)
# Family names of those languages in the spellings people write in English.
FAMILY_NAMES = frozenset(
    """
    Ahn An Bae Baek Ban Byun Cha Chae Cho Choi Chung Chun Do Gong Ha Han Heo Hong Hwang Im Jang Jeon Jeong
    Jin Jo Joo Jung Kang Ko Koo Kwak Kwon Kim Lee Lim Min Moon Na Nam Noh Oh Paik Park Ryu Seo Seong Shin
    Sim Son Song Suh Sung Woo Yang Yi Yoo Yoon Yu Yun
    Chang Chao Chen Cheng Chiang Chiu Chou Chu Fang Hsieh Hsu Hu Huang Hung Kao Ko Kuo Lai Liang Liao Lin
    Liu Lo Lu Pan Peng Su Sun Tsai Tseng Tu Wang Wei Wu Yeh
    """.split()
)

_GIVEN_NAME = re.compile(r"(?<![\w-])([A-Z][a-z]{0,5})[-\u2010\u2011]([a-z]{1,6})(?![\w-])")
_FAMILY_NAME_AFTER = re.compile(r" ([A-Z][a-z]{1,6})\b")
_FAMILY_NAME_BEFORE = re.compile(r"\b([A-Z][a-z]{1,6}) $")


def _is_given_name(first: str, second: str) -> bool:
    return first.lower() != second and first.lower() in GIVEN_NAME_SYLLABLES and second in GIVEN_NAME_SYLLABLES


def romanized_given_names(text: str) -> list[tuple[int, int]]:
    """The spans of such given names in ``text``, each with the family name written beside it."""
    spans = []
    for match in _GIVEN_NAME.finditer(text):
        if not _is_given_name(match.group(1), match.group(2)):
            continue
        start, end = match.span()
        after = _FAMILY_NAME_AFTER.match(text, end)
        if after and after.group(1) in FAMILY_NAMES:
            end = after.end()
        before = _FAMILY_NAME_BEFORE.search(text, max(0, start - 8), start)
        if before and before.group(1) in FAMILY_NAMES:
            start = before.start()
        spans.append((start, end))
    return spans


class RomanizedGivenNameRecognizer(SpanRecognizer):
    """Korean and Taiwanese given names written in Latin letters with a hyphen."""

    ENTITY = NAME_ENTITY
    SCORE = SCORE
    WHY = "Romanised syllables of a given name joined by a hyphen"

    def spans(self, text: str) -> Iterable[Span]:
        if "-" not in text and "\u2010" not in text and "\u2011" not in text:
            return []
        return romanized_given_names(text)
