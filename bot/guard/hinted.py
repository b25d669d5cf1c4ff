"""Presidio's pattern recognizers, skipped on text that cannot hold their entity.

Their regexes run through the ``regex`` package with a timeout, and the email and IP ones are
the slowest (about 1.5 ms and 0.7 ms on 2,000 characters), yet almost every prompt has neither
an "@" nor an address-like digit run, no SSN-like or IBAN-like run, no credential prefix. A
substring or tiny stdlib regex that every match must contain settles that first; where it finds
a hint, Presidio runs unchanged.
"""

from __future__ import annotations

import abc
import re
from typing import Any

from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import EmailRecognizer, IbanRecognizer, IpRecognizer, UsSsnRecognizer

from bot.guard.needles import Needles, required_substrings
from bot.guard.phones import labelled_an_identifier
from bot.guard.script_ranges import unspaced_letters_as_spaces

# Every IP pattern Presidio has needs a dotted digit pair (IPv4) or a colon joined to a hex
# digit or another colon (IPv6); "Note: ..." has neither.
_IP_HINT = re.compile(r"\d\.\d|[0-9A-Fa-f]:[0-9A-Fa-f:]|::")
_IPV4_PATTERN = "IPv4"
# Every SSN pattern Presidio has holds three digits and then two more, joined by a dash, a dot,
# a space or nothing (5-4, 3-6, 3-2-4, 9 and 3.2.4 digits); a year or a price has no such run.
_SSN_HINT = re.compile(r"\d{3}[- .]?\d{2}")
# Presidio's IBAN pattern opens with two letters, two digits and a group of four letters or
# digits, after an optional space or dash ("DE89 3704"); it ignores case, and every character
# its letter class can then match (the Kelvin sign, the long s) is a letter of ``[^\W\d_]``.
_IBAN_HINT = re.compile(r"[^\W\d_]{2}\d{2}[ -]?\w{4}")


class HintedRecognizer(PatternRecognizer):
    """Runs the recognizer's patterns only on text ``has_hint`` says could hold its entity."""

    @abc.abstractmethod
    def has_hint(self, text: str) -> bool: ...

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        if not self.has_hint(text):
            return []
        return self.analyze_hinted(text, entities, nlp_artifacts, regex_flags)

    def analyze_hinted(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None, regex_flags: int | None
    ) -> list[RecognizerResult]:
        """The analysis of text ``has_hint`` let through: the recognizer's own, unless narrowed."""
        return super().analyze(text, entities, nlp_artifacts, regex_flags)


# A word (a run between whitespace) with no "@" in it.
_WORD_WITHOUT_AT = re.compile(r"(?<!\S)[^\s@]+(?!\S)")


class HintedEmailRecognizer(HintedRecognizer, EmailRecognizer):
    """Presidio's email recognizer, its pattern run on the text with every word that holds no "@"
    blanked out, one space a character so offsets hold: a match holds an "@" and no whitespace,
    so it lies inside one word with an "@", and that word still has whitespace (or the text's
    end) on either side. The pattern tries every word character of the text as an email's start
    and was a third of a millisecond on a 2,000-character prompt with addresses in it."""

    def has_hint(self, text: str) -> bool:
        return "@" in text

    def analyze_hinted(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None, regex_flags: int | None
    ) -> list[RecognizerResult]:
        blanked = _WORD_WITHOUT_AT.sub(lambda word: " " * (word.end() - word.start()), text)
        # Chinese, Japanese and Korean put no space before an address ("邮箱zhang.wei@example.cn"),
        # and the pattern's word characters would take "邮箱" into it.
        blanked = unspaced_letters_as_spaces(blanked)
        return super().analyze_hinted(blanked, entities, nlp_artifacts, regex_flags)


class HintedIpRecognizer(HintedRecognizer, IpRecognizer):
    """Presidio's IP recognizer; on text with no colon, its IPv4 pattern alone: every other one
    (IPv6, IPv4 mapped into or embedded in IPv6, "::") needs a colon, and its long IPv6
    alternation cost four times the rest on a 2,000-character prompt that holds none."""

    # Set by Presidio's base classes, which declare neither.
    patterns: list[Pattern]
    name: str

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._ipv4_only = IpRecognizer(
            patterns=[pattern for pattern in self.patterns if pattern.name == _IPV4_PATTERN],
            context=self.context,
            supported_language=self.supported_language,
            supported_entity=self.supported_entities[0],
            name=self.name,
        )

    def has_hint(self, text: str) -> bool:
        return _IP_HINT.search(text) is not None

    def analyze_hinted(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None, regex_flags: int | None
    ) -> list[RecognizerResult]:
        if ":" in text:
            found = super().analyze_hinted(text, entities, nlp_artifacts, regex_flags)
        else:
            found = self._ipv4_only.analyze(text, entities, nlp_artifacts, regex_flags)
            for result in found:
                # Findings are this recognizer's: the context step looks its context words up by id.
                result.recognition_metadata[RecognizerResult.RECOGNIZER_IDENTIFIER_KEY] = self.id
        # "Build 10.4.221.7", "firmware 4.18.203.7": four dotted numbers the text calls a version or
        # a build are one, not an address.
        return [
            result
            for result in found
            if ":" in text[result.start : result.end] or not labelled_an_identifier(text, result.start)
        ]


class HintedSsnRecognizer(HintedRecognizer, UsSsnRecognizer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{"name": "UsSsnRecognizer", **kwargs})

    def has_hint(self, text: str) -> bool:
        return _SSN_HINT.search(text) is not None


class HintedIbanRecognizer(HintedRecognizer, IbanRecognizer):
    """Presidio's IBAN recognizer. Told to ignore case (an IBAN typed in lower case passes the same
    checksum), its pattern also takes a four-letter word after an IBAN as one more group ("paid to
    AT61 1904 3002 3457 3201 this week"), and the whole then fails the checksum; an IBAN typed in
    capitals is therefore also looked for with case kept, where no word can join it."""

    # Set by Presidio's base classes, which declare neither.
    global_regex_flags: int
    name: str

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{"name": "IbanRecognizer", **kwargs})
        self._in_capitals = (
            IbanRecognizer(regex_flags=self.global_regex_flags & ~re.IGNORECASE)
            if self.global_regex_flags & re.IGNORECASE
            else None
        )

    def has_hint(self, text: str) -> bool:
        return _IBAN_HINT.search(text) is not None

    def analyze_hinted(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None, regex_flags: int | None
    ) -> list[RecognizerResult]:
        found = super().analyze_hinted(text, entities, nlp_artifacts, regex_flags)
        if self._in_capitals is None:
            return found
        for result in self._in_capitals.analyze(text, entities):
            if not any(other.start < result.end and result.start < other.end for other in found):
                # Findings are this recognizer's: the context step looks its context words up by id.
                result.recognition_metadata[RecognizerResult.RECOGNIZER_IDENTIFIER_KEY] = self.id
                result.recognition_metadata[RecognizerResult.RECOGNIZER_NAME_KEY] = self.name
                found.append(result)
        return found


class LiteralHintedRecognizer(HintedRecognizer):
    """A pattern recognizer that runs only on text holding a literal every match of one of its
    patterns contains ("xox", "AIza", "-----BEGIN "), derived from the patterns themselves by
    needles.py. A pattern with no such literal (one that ignores case) makes it run always."""

    def __init__(self, *, patterns: list[Pattern], global_regex_flags: int, **kwargs: Any) -> None:
        super().__init__(patterns=patterns, global_regex_flags=global_regex_flags, **kwargs)
        derived = [required_substrings(re.compile(pattern.regex, global_regex_flags)) for pattern in patterns]
        self.hints: Needles | None = None
        if all(needles is not None for needles in derived):
            self.hints = frozenset(hint for needles in derived if needles is not None for hint in needles)

    def has_hint(self, text: str) -> bool:
        return self.hints is None or any(hint in text for hint in self.hints)
