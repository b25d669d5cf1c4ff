"""Character ranges of scripts that regular expressions' ``\\w`` reads wrongly for the guard.

``\\w`` leaves out the vowel signs of Indic scripts, so "मोबाइल" reads as three fragments, and it
counts Han, kana and Hangul as letters of the word next to a number, though those scripts put no
space between a word and the number after it ("我的电话是13812345678").
"""

from __future__ import annotations

import re

# Devanagari to Sinhala, letters and their vowel signs, without the danda and double danda
# (U+0964, U+0965) that end a sentence.
INDIC_WORD_CHARACTERS = "\u0900-\u0963\u0966-\u0dff"
# A word: ``\w`` or an Indic letter or vowel sign.
WORD_WITH_INDIC_SIGNS = rf"(?:\w|[{INDIC_WORD_CHARACTERS}])+"
# Hangul jamo and syllables, kana, and the CJK ideographs with their compatibility forms.
UNSPACED_LETTERS = "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
# Scripts the packaged name model never saw in training (its sentences are Latin, Greek and,
# through the gazetteer, Cyrillic): Hebrew, Arabic, the Indic scripts, Thai and the unspaced ones.
_UNREAD_BY_THE_NAME_MODEL = re.compile(f"[\u0590-\u08ff{INDIC_WORD_CHARACTERS}\u0e00-\u0eff{UNSPACED_LETTERS}]")


def unread_by_the_name_model(word: str) -> bool:
    """Whether ``word`` holds a letter of a script the packaged name model cannot read."""
    return _UNREAD_BY_THE_NAME_MODEL.search(word) is not None
