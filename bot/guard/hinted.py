"""Presidio's email and IP recognizers, skipped on text that cannot hold their entity.

Their regexes are the slowest of the pattern recognizers (about 1.5 ms and 0.7 ms on 2,000
characters), and almost every prompt has neither an "@" nor an address-like digit run. A
substring or tiny regex settles that first; where it finds a hint, Presidio runs unchanged.
"""

from __future__ import annotations

import abc
import re

from presidio_analyzer import PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import EmailRecognizer, IpRecognizer

# Every IP pattern Presidio has needs a dotted digit pair (IPv4) or a colon joined to a hex
# digit or another colon (IPv6); "Note: ..." has neither.
_IP_HINT = re.compile(r"\d\.\d|[0-9A-Fa-f]:[0-9A-Fa-f:]|::")


class _Hinted(PatternRecognizer):
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
        return super().analyze(text, entities, nlp_artifacts, regex_flags)


class HintedEmailRecognizer(_Hinted, EmailRecognizer):
    def has_hint(self, text: str) -> bool:
        return "@" in text


class HintedIpRecognizer(_Hinted, IpRecognizer):
    def has_hint(self, text: str) -> bool:
        return _IP_HINT.search(text) is not None
