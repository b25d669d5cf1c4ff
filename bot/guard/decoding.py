"""Find encoded runs in a prompt and decode them, so hidden instructions meet the same rules.

A model reads Base64, Base32, hex, ROT13, Morse, reversed and letter-spaced text well enough to follow what they say, so a
filter that only reads the surface text can be walked around by encoding the payload. Each
decoder is strict about what it accepts: a run only counts when it decodes to readable text,
which keeps ordinary long words, ids and hashes from producing noise.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

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
# Six or more single letters in a row, one separator between letters and a wider gap between
# words: "i g n o r e   a l l" or "i-g-n-o-r-e".
_SPACED_RUN = re.compile(r"(?<!\S)\w(?:(?: {1,3}|[._*-])\w){5,}(?!\S)")
_WORD_GAP = re.compile(r" {2,}")
_LETTER_SEPARATOR = re.compile(r"[ ._*-]")


@dataclass(frozen=True)
class DecodedRun:
    encoding: str  # "base64", "base32", "hex", "rot13", "morse", "reversed", "spaced"
    text: str


def _readable(data: bytes) -> str | None:
    """The decoded bytes as text, or None when they are not mostly printable text."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
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
)


def _decode_layer(text: str) -> Iterator[DecodedRun]:
    for encoding, pattern, decoder in _RUN_DECODERS:
        for count, match in enumerate(pattern.finditer(text)):
            if count >= MAX_RUNS_PER_KIND:
                break
            decoded = decoder(match.group(0).strip())
            if decoded is not None:
                yield DecodedRun(encoding, decoded)
    for decoded in rot13_lines(text):
        yield DecodedRun("rot13", decoded)
    for decoded in reversed_lines(text):
        yield DecodedRun("reversed", decoded)


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
