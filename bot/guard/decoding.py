"""Find encoded runs in a prompt and decode them, so hidden instructions meet the same rules.

A model reads Base64, Base32, hex, ROT13 and the other Caesar shifts, Atbash, Morse, reversed,
upside-down and letter-spaced text, HTML entities and \\u escapes, and ASCII written in Unicode
tag characters well enough to follow what they say, so a filter that only reads the surface text
can be walked around by encoding the payload. Each
decoder is strict about what it accepts: a run only counts when it decodes to readable text,
which keeps ordinary long words, ids and hashes from producing noise.
"""

# The turned letters of upside-down text look like Latin ones: that is what they are for.
# ruff: noqa: RUF001, RUF003

from __future__ import annotations

import base64
import binascii
import codecs
import html
import re
import string
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote

MIN_DECODED_CHARS = 8
# Nested encodings (Base64 of hex, say) are followed this many layers deep.
MAX_DEPTH = 2
# Enough runs to catch a real payload; a wall of ids should not multiply the work.
MAX_RUNS_PER_KIND = 8

_BASE64_RUN = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,}={0,2}")
_BASE32_RUN = re.compile(r"(?<![A-Za-z0-9])[A-Z2-7]{16,}={0,6}")
# Hex of text starts every byte with 2-7 (printable ASCII); anchoring the first pair there
# spares the engine a try at every "a" to "f" in ordinary prose.
_HEX_RUN = re.compile(r"(?:\\x|0x)?[2-7][0-9a-fA-F](?:[\s:,]?(?:\\x|0x)?[0-9a-fA-F]{2}){7,}")
_MORSE_RUN = re.compile(r"(?:[.\-\u2022\u2212]{1,8}[ \t]*(?:/[ \t]*)?[ \t]+){3,}[.\-\u2022\u2212]{1,8}")
_LETTERS = re.compile(r"[A-Za-z]+")

_MORSE_CODES = (
    ".- -... -.-. -.. . ..-. --. .... .. .--- -.- .-.. -- -. --- .--. --.- .-. ... - ..- ...- .-- -..- -.-- --.. "
    "----- .---- ..--- ...-- ....- ..... -.... --... ---.. ----. "
    ".-.-.- --..-- ..--.. .----. -.-.-- -..-. ---... -.-.-. -...- .-.-. -....- .-..-. .--.-. -.--. -.--.-"
)
_MORSE = dict(zip(_MORSE_CODES.split(), "abcdefghijklmnopqrstuvwxyz0123456789.,?'!/:;=+-\"@()", strict=True))

# Function words that make up a large share of any English sentence. A line whose ROT13
# holds clearly more of them than the line itself is taken to be ROT13-encoded English.
_COMMON_WORDS = frozenset(
    "the and to of a in is you that it for on with as are be this your or any all what not "
    "from was were have has at by if then just only now please print say repeat instructions "
    "previous following ignore above text system prompt given".split()
)
# The same words as they look in ROT13, three letters or more: shorter ones collide with
# English ("be" is "or"). A text with fewer than two of them holds no ROT13 worth decoding.
_ROT13_MARKERS = re.compile(
    r"\b(?:" + "|".join(sorted(codecs.encode(w, "rot13") for w in _COMMON_WORDS if len(w) >= 3)) + r")\b"
)
# The same words spelt backwards, four letters or more ("erongi", "tpmorp"): two of them in a
# text are what reversed English looks like; real words rarely read as one ("reed", "live").
_REVERSED_MARKERS = re.compile(r"\b(?:" + "|".join(sorted(w[::-1] for w in _COMMON_WORDS if len(w) >= 4)) + r")\b")
# The same words in the other Caesar shifts and in Atbash (the alphabet reversed), each with the
# cipher that writes it: one look-up per word of the prompt finds every cipher at once. ROT13 is
# read on its own (above).
_LOWER = string.ascii_lowercase
_SHIFTS = tuple(
    str.maketrans(_LOWER + _LOWER.upper(), _LOWER[k:] + _LOWER[:k] + (_LOWER[k:] + _LOWER[:k]).upper())
    for k in range(26)
)
_ATBASH = str.maketrans(_LOWER + _LOWER.upper(), _LOWER[::-1] + _LOWER[::-1].upper())
ATBASH = "atbash"
_CIPHER_WORDS = sorted(word for word in _COMMON_WORDS if len(word) >= 4)


def _ciphered_words() -> dict[str, int | str]:
    ciphered: dict[str, int | str] = {word.translate(_ATBASH): ATBASH for word in _CIPHER_WORDS}
    for shift in (*range(1, 13), *range(14, 26)):
        for word in _CIPHER_WORDS:
            ciphered.setdefault(word.translate(_SHIFTS[shift]), shift)
    return ciphered


_CIPHERED = _ciphered_words()
_CIPHER_CANDIDATE = re.compile(r"\b[a-z]{4,12}\b")
# Text turned upside down ("ɯǝʇsʎs"): three or more of the turned letters that otherwise only
# phonetic transcription uses, mapped back and read right to left; a transcription stays unread,
# since it does not decode to English.
_UPSIDE_DOWN_LETTERS = "ɐǝɹʇɯʎʍɔɟƃɥʞʌ"
_UPSIDE_DOWN_SIGNS = re.compile(f"[{_UPSIDE_DOWN_LETTERS}]")
_UPRIGHT = str.maketrans(
    _UPSIDE_DOWN_LETTERS + "ıɾqpbdunן˙¿¡∀Ǝ⊥Ԁ⅄",
    "aertmywcfghkv" + "ijbdqpnul.?!AETPY",
)
# Letters written with other symbols that NFKC leaves alone: small capitals ("ɪɢɴᴏʀᴇ"), the
# regional indicators that pair into flags ("🇮🇬🇳"), and Braille's letters ("⠊⠛⠝⠕⠗⠑"). Six of
# them at least, and then only where they read as English or are many, so a row of flags stays unread.
_SMALL_CAPITALS = "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡʏᴢ"
_BRAILLE_LETTERS = "⠁⠃⠉⠙⠑⠋⠛⠓⠊⠚⠅⠇⠍⠝⠕⠏⠟⠗⠎⠞⠥⠧⠺⠭⠽⠵"
_REGIONAL_INDICATORS = "".join(chr(0x1F1E6 + index) for index in range(26))
_LOOKALIKE_LETTERS = {
    **dict(zip(map(ord, _SMALL_CAPITALS), "abcdefghijklmnopqrstuvwyz", strict=True)),
    **dict(zip(map(ord, _BRAILLE_LETTERS), "abcdefghijklmnopqrstuvwxyz", strict=True)),
    **dict(zip(map(ord, _REGIONAL_INDICATORS), "abcdefghijklmnopqrstuvwxyz", strict=True)),
    ord("\u2800"): " ",  # Braille's blank cell
}
_LOOKALIKE = re.compile(f"[{_SMALL_CAPITALS}{_BRAILLE_LETTERS}{_REGIONAL_INDICATORS}]")
_MIN_LOOKALIKES = 6
_MIN_LOOKALIKES_IN_ANY_LANGUAGE = 24
# The NATO spelling alphabet, one code word a letter ("India Golf November ..."), six words at
# least; a slash, a bar, a full stop, "stop" or "space" between words.
_NATO_WORDS = (
    "alfa alpha bravo charlie delta echo foxtrot golf hotel india juliett juliet kilo lima mike november oscar papa"
    " quebec romeo sierra tango uniform victor whiskey whisky x-ray xray yankee zulu"
).split()
_NATO_LETTER = {word: word[0] for word in _NATO_WORDS}
_NATO_WORD = "(?:" + "|".join(re.escape(word) for word in sorted(_NATO_WORDS, key=len, reverse=True)) + ")"
_NATO_RUN = re.compile(rf"(?i)\b{_NATO_WORD}(?:(?:[\s,;]+|\s*[/.|]\s*|\s+(?:stop|space)\s+){_NATO_WORD}){{5,}}\b")
_NATO_GAP = re.compile(r"(?i)\s*[/.|]\s*|\s+(?:stop|space)\s+")
# Code words no English prose strings together: four of them present before the run is looked for.
_NATO_HINTS = (
    "bravo",
    "charlie",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "kilo",
    "lima",
    "november",
    "oscar",
    "papa",
    "quebec",
    "romeo",
    "sierra",
    "tango",
    "uniform",
    "victor",
    "whiskey",
    "yankee",
    "zulu",
)
_MIN_NATO_HINTS = 4
# HTML character references, \u and \x escapes and percent-encoding: eight in a row at least (a
# space between them allowed), so a page's "&amp;" or a path's "%20" is left alone.
_ESCAPE_RUN = re.compile(
    r"(?:(?:&#\d{2,7};|&#[xX][0-9a-fA-F]{2,6};|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|%[0-9a-fA-F]{2}) ?){8,}"
)
_BACKSLASH_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})")
# ASCII written in the Unicode tag block (U+E0020-U+E007E): invisible on screen, read by models.
_TAG_RUN = re.compile("[\U000e0020-\U000e007e]{8,}")

# Six or more single letters in a row, one separator between letters and a wider gap between
# words: "i g n o r e   a l l" or "i-g-n-o-r-e".
_SPACED_RUN = re.compile(r"(?<!\S)\w(?:(?: {1,3}|[._*-])\w){5,}(?!\S)")
_WORD_GAP = re.compile(r" {2,}")
_LETTER_SEPARATOR = re.compile(r"[ ._*-]")


@dataclass(frozen=True)
class DecodedRun:
    encoding: str  # a name of _RUN_DECODERS or _LINE_DECODERS: "base64", "rot13", "cipher"...
    text: str


def _readable(data: bytes) -> str | None:
    """The decoded bytes as text, or None when they are not mostly printable text."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return _readable_text(text)


def _readable_text(text: str) -> str | None:
    """``text``, or None when it is not mostly printable text."""
    if len(text.strip()) < MIN_DECODED_CHARS:
        return None
    printable = sum(c.isprintable() or c in "\n\r\t" for c in text)
    # Letters or digits: hex inside Base64 (a nested encoding) is digits mostly.
    alphanumeric = sum(c.isalnum() for c in text)
    if printable < 0.95 * len(text) or alphanumeric < 0.5 * len(text.replace(" ", "")):
        return None
    return text


def _decode_base64(run: str) -> str | None:
    padded = run.rstrip("=")
    padded += "=" * (-len(padded) % 4)
    altchars = b"-_" if ("-" in run or "_" in run) else None
    try:
        return _readable(base64.b64decode(padded, altchars=altchars, validate=altchars is None))
    except (binascii.Error, ValueError):
        return None


def _decode_base32(run: str) -> str | None:
    padded = run.rstrip("=")
    padded += "=" * (-len(padded) % 8)
    try:
        return _readable(base64.b32decode(padded))
    except (binascii.Error, ValueError):
        return None


def _decode_hex(run: str) -> str | None:
    digits = re.sub(r"\\x|0x|[\s:,]", "", run)
    if len(digits) % 2:
        digits = digits[:-1]
    try:
        return _readable(bytes.fromhex(digits))
    except ValueError:
        return None


def _decode_morse(run: str) -> str | None:
    normalized = run.replace("\u2022", ".").replace("\u2212", "-")
    words = re.split(r"\s*/\s*|\s{3,}", normalized.strip())
    decoded = []
    for word in words:
        codes = word.split()
        letters = [_MORSE[code] for code in codes if code in _MORSE]
        if not codes or len(letters) != len(codes):
            return None
        decoded.append("".join(letters))
    text = " ".join(decoded)
    return text if len(text) >= MIN_DECODED_CHARS else None


def _common_word_count(text: str) -> int:
    return sum(word.lower() in _COMMON_WORDS for word in _LETTERS.findall(text))


def rot13_lines(text: str) -> Iterator[str]:
    """Lines whose ROT13 reads as English: more common words decoded than as written."""
    if len(_ROT13_MARKERS.findall(text.lower())) < 2:
        return
    for line in text.splitlines():
        if len(line) < MIN_DECODED_CHARS or len(_ROT13_MARKERS.findall(line.lower())) < 2:
            continue
        decoded = codecs.decode(line, "rot13")
        hits = _common_word_count(decoded)
        if hits >= 2 and hits > 2 * _common_word_count(line):
            yield decoded


def reversed_lines(text: str) -> Iterator[str]:
    """Lines that read as English when spelt backwards."""
    if len(_REVERSED_MARKERS.findall(text.lower())) < 2:
        return
    for line in text.splitlines():
        if len(line) >= MIN_DECODED_CHARS and len(_REVERSED_MARKERS.findall(line.lower())) >= 2:
            yield line[::-1]


def _cipher_of(text: str) -> int | str | None:
    """The Caesar shift or ``ATBASH`` that at least two common words of ``text`` are written in."""
    votes = Counter(cipher for word in _CIPHER_CANDIDATE.findall(text.lower()) if (cipher := _CIPHERED.get(word)))
    if not votes:
        return None
    cipher, count = votes.most_common(1)[0]
    return cipher if count >= 2 else None


def _lines_read_as_english(text: str, decode: Callable[[str], str]) -> Iterator[str]:
    """Each line of ``text`` whose decoding holds two common words at least, twice as many as
    the line as written."""
    for line in text.splitlines():
        if len(line) < MIN_DECODED_CHARS:
            continue
        decoded = decode(line)
        hits = _common_word_count(decoded)
        if hits >= 2 and hits > 2 * _common_word_count(line):
            yield decoded


def cipher_lines(text: str) -> Iterator[str]:
    """Lines that read as English once deciphered: shifted back by the prompt's Caesar shift, or
    with the alphabet reversed (Atbash)."""
    cipher = _cipher_of(text)
    if cipher == ATBASH:
        yield from _lines_read_as_english(text, lambda line: line.translate(_ATBASH))
    elif isinstance(cipher, int):
        yield from _lines_read_as_english(text, lambda line: line.translate(_SHIFTS[26 - cipher]))


def upside_down_lines(text: str) -> Iterator[str]:
    """Lines written upside down, turned back."""
    if not text.isascii() and len(set(_UPSIDE_DOWN_SIGNS.findall(text))) >= 3:
        yield from _lines_read_as_english(text, lambda line: line.translate(_UPRIGHT)[::-1])


def lookalike_letters(text: str) -> Iterator[str]:
    """The prompt with its small capitals, regional indicators and Braille read as letters."""
    if text.isascii():
        return
    count = len(_LOOKALIKE.findall(text))
    if count < _MIN_LOOKALIKES:
        return
    read = text.translate(_LOOKALIKE_LETTERS)
    # A row of flags spells country codes: read only when that reads as English or is long.
    if count >= _MIN_LOOKALIKES_IN_ANY_LANGUAGE or _common_word_count(read) >= 2 + _common_word_count(text):
        yield read


def nato_runs(text: str) -> Iterator[str]:
    """Runs of the NATO spelling alphabet, spelt out."""
    lowered = text.lower()
    if sum(hint in lowered for hint in _NATO_HINTS) < _MIN_NATO_HINTS:
        return
    for count, match in enumerate(_NATO_RUN.finditer(text)):
        if count >= MAX_RUNS_PER_KIND:
            break
        decoded = _decode_nato(match.group(0))
        if decoded is not None:
            yield decoded


def _decode_nato(run: str) -> str | None:
    words = (re.findall(r"[a-z-]+", word.lower()) for word in _NATO_GAP.split(run))
    text = " ".join("".join(_NATO_LETTER.get(code, "") for code in word) for word in words)
    return text if len(text) >= MIN_DECODED_CHARS else None


def _unescape_one(match: re.Match[str]) -> str:
    return chr(int(match.group(1) or match.group(2), 16))


def _decode_escapes(run: str) -> str | None:
    return _readable_text(unquote(html.unescape(_BACKSLASH_ESCAPE.sub(_unescape_one, run.replace(" ", "")))))


def _decode_tags(run: str) -> str | None:
    return _readable_text("".join(chr(ord(char) - 0xE0000) for char in run))


def _decode_spaced(run: str) -> str | None:
    words = (_LETTER_SEPARATOR.sub("", word) for word in _WORD_GAP.split(run))
    text = " ".join(word for word in words if word)
    return text if len(text) >= MIN_DECODED_CHARS else None


_RUN_DECODERS: tuple[tuple[str, re.Pattern[str], Callable[[str], str | None]], ...] = (
    ("base64", _BASE64_RUN, _decode_base64),
    ("base32", _BASE32_RUN, _decode_base32),
    ("hex", _HEX_RUN, _decode_hex),
    ("morse", _MORSE_RUN, _decode_morse),
    ("spaced", _SPACED_RUN, _decode_spaced),
    ("escapes", _ESCAPE_RUN, _decode_escapes),
    ("tags", _TAG_RUN, _decode_tags),
)
_LINE_DECODERS: tuple[tuple[str, Callable[[str], Iterator[str]]], ...] = (
    ("rot13", rot13_lines),
    ("reversed", reversed_lines),
    ("cipher", cipher_lines),
    ("upside_down", upside_down_lines),
    ("lookalikes", lookalike_letters),
    ("nato", nato_runs),
)


def _may_hold(encoding: str, text: str) -> bool:
    """False where ``encoding`` cannot occur in ``text``, known without scanning it."""
    if encoding == "tags":
        return not text.isascii()
    if encoding == "escapes":
        return "&#" in text or "\\" in text or "%" in text
    return True


def _decode_layer(text: str) -> Iterator[DecodedRun]:
    for encoding, pattern, decoder in _RUN_DECODERS:
        if not _may_hold(encoding, text):
            continue
        for count, match in enumerate(pattern.finditer(text)):
            if count >= MAX_RUNS_PER_KIND:
                break
            decoded = decoder(match.group(0).strip())
            if decoded is not None:
                yield DecodedRun(encoding, decoded)
    for encoding, lines in _LINE_DECODERS:
        for decoded in lines(text):
            yield DecodedRun(encoding, decoded)


def decoded_runs(text: str) -> list[DecodedRun]:
    """Every readable decoded run in ``text``, following nested encodings up to MAX_DEPTH."""
    found: list[DecodedRun] = []
    layer = [text]
    for _ in range(MAX_DEPTH):
        next_layer = []
        for source in layer:
            for run in _decode_layer(source):
                found.append(run)
                next_layer.append(run.text)
        if not next_layer:
            break
        layer = next_layer
    return found
