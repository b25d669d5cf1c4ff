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
# The letters and marks of the Arabic and Devanagari blocks without their punctuation (the Arabic
# comma, semicolon, question mark and full stop; the danda), so a name or a place before one ends.
ARABIC_LETTERS = "\u0610-\u061a\u0620-\u065f\u066e-\u06d3\u06d5-\u06ff"
DEVANAGARI_LETTERS = "\u0900-\u0963\u0966-\u097f"
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


# A letter that makes a number part of a word: one of a script that puts a space between a word
# and a number, not Han, kana or Hangul ("我的电话是13812345678", "010-9876-5432로").
WORD_LETTER_OF_SPACED_SCRIPTS = f"[^\\W{UNSPACED_LETTERS}]"

# The zero of each script whose ten digits follow it in Unicode: Arabic-Indic, Persian, N'Ko,
# Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada, Malayalam, Sinhala,
# Thai, Lao, Tibetan, Myanmar, Khmer, Mongolian and the full-width digits.
NATIVE_ZEROS = (
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66,
    0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x17E0, 0x1810, 0xFF10,
)  # fmt: skip
# Digits of other scripts ("٠٥٠١٢٣٤٥٦٧", "९८७६५४३२१०"), the full-width digits, dashes and parentheses
# CJK input methods type (with a long-vowel mark for a dash), and the dashes and spaces word
# processors and contact cards put between digit groups ("555\u2013123\u20134567", a no-break
# space): one ASCII character for each, so offsets hold.
_AS_ASCII_DIGITS: dict[str, str] = (
    {dash: "-" for dash in "\u2010\u2011\u2012\u2013\u2014\u2212\uff0d\u30fc"}
    | {space: " " for space in "\u00a0\u202f\u2007\u3000"}
    | {"\uff0b": "+", "\uff08": "(", "\uff09": ")", "\uff0e": ".", "\uff0f": "/"}
    | {chr(zero + value): str(value) for zero in NATIVE_ZEROS for value in range(10)}
)
# One of the characters above. Replacing the few a text holds is what ``str.translate`` would
# do, without its dictionary look-up for every character (0.15 ms on 2,000 characters, and
# the phone, card and identity number recognizers each ask).
_NOT_ASCII_YET = re.compile("[" + "".join(re.escape(character) for character in _AS_ASCII_DIGITS) + "]")


def as_ascii_digits(text: str) -> str:
    """``text`` with its digits and digit-group separators written in ASCII, one for one."""
    if text.isascii():
        return text  # every character the table rewrites is outside ASCII
    return _NOT_ASCII_YET.sub(_in_ascii, text)


def _in_ascii(match: re.Match[str]) -> str:
    return _AS_ASCII_DIGITS[match.group()]


# A Han, kana or Hangul letter, but not the long-vowel mark between two digits: Japanese input
# types it as a dash there ("090ー1234ー5678"), and ``as_ascii_digits`` reads it as one.
_UNSPACED_LETTER = re.compile(f"(?!(?<=\\d)\u30fc(?=\\d))[{UNSPACED_LETTERS}]")


def unspaced_letters_as_spaces(text: str) -> str:
    """``text`` with each Han, kana and Hangul letter a space, so that a pattern's word boundary
    falls between such a word and the number or address written against it ("邮箱zhang.wei@example.cn",
    "マイナンバー123456789018")."""
    return _UNSPACED_LETTER.sub(" ", text) if not text.isascii() else text
