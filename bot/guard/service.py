"""The guard every prompt passes before it is stored, enqueued or sent to a model.

Order matters: credentials first (a prompt holding one is refused outright), then the
injection layers (rules and the learned detector) on the raw text, then PII masking. Only the
masked text leaves this module; the raw text is never logged. Any failure inside the guard
refuses the prompt (fail closed), and so does a learned detector that did not load.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from presidio_analyzer import RecognizerResult

from bot.errors import PromptBlocked
from bot.guard.credentials import CREDENTIAL_ENTITIES
from bot.guard.injection import scan_injection
from bot.guard.learned.detector import DetectorUnavailable, LearnedDetector, shipped_detector
from bot.guard.pii import PiiAnalyzer
from bot.guard.placeholders import MaskedText, apply_placeholders
from bot.guard.refusals import credential_refusal, injection_refusal, unchecked_refusal
from bot.guard.rules import DEFAULT_THRESHOLD
from bot.process.settings import get_settings

logger = logging.getLogger(__name__)
T = TypeVar("T")

# The analyzer runs one prompt at a time (see PiiAnalyzer), so one worker thread is all the
# NER path can use; its job is to keep the 30-130 ms off the event loop, not parallelism.
_EXECUTOR_WORKERS = 1
_WARM_UP_TEXT = "Café crème at 9:30, ask jane.doe@example.com or call +1 415 555 0132 (ip 10.0.0.1)."


@dataclass(frozen=True)
class GuardedPrompt:
    masked_text: str
    mapping: dict[str, str]  # placeholder -> original value
    entities: tuple[str, ...]  # entity types found, e.g. ("EMAIL_ADDRESS",)
    injection_score: float

    @classmethod
    def passed(cls, text: str) -> GuardedPrompt:
        """``text`` as the guard passes a prompt with nothing to mask and no sign of injection: a
        prompt known to be clean, or one masked before whose values are not kept."""
        return cls(masked_text=text, mapping={}, entities=(), injection_score=0.0)


class Guard:
    def __init__(
        self,
        *,
        spacy_model: str | None = None,
        injection_threshold: float = DEFAULT_THRESHOLD,
        detector: LearnedDetector | None = None,
    ) -> None:
        self.analyzer = PiiAnalyzer(spacy_model or None)
        self.injection_threshold = injection_threshold
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()
        self.detector: LearnedDetector | None = detector
        self.detector_problem: str | None = None
        if detector is None:
            try:
                self.detector = shipped_detector()
            except DetectorUnavailable as error:
                self.detector_problem = str(error)
                logger.error("Learned injection detector did not load (%s): every prompt will be refused", error)
                return
        # Pay one-time costs (lazy tables, first regex compilations) now, not on a user's prompt.
        # The verdict is not the point: an organization's threshold can be strict enough to block it.
        with contextlib.suppress(PromptBlocked):
            self._check(_WARM_UP_TEXT, self.injection_threshold)

    @property
    def names_enabled(self) -> bool:
        """True when a NER model is loaded: analysis is then slow enough to need a thread."""
        return self.analyzer.names_enabled

    def analyze(self, text: str, entities: Collection[str] | None = None) -> list[RecognizerResult]:
        """Every credential and PII finding in ``text`` (Presidio results, with offsets), or only
        those of the ``entities`` types."""
        return self.analyzer.analyze(text, entities)

    def check_prompt(self, text: str, *, threshold: float | None = None) -> GuardedPrompt:
        """The masked prompt, or ``PromptBlocked`` (credential, injection, or the guard failed)."""
        try:
            return self._check(text, self.injection_threshold if threshold is None else threshold)
        except PromptBlocked:
            raise
        except Exception:
            logger.exception("Guard failed while checking a prompt; the prompt was refused unchecked")
            raise unchecked_refusal() from None

    async def check_prompt_async(self, text: str, *, threshold: float | None = None) -> GuardedPrompt:
        return await self.off_the_loop(partial(self.check_prompt, text, threshold=threshold))

    async def off_the_loop(self, work: Callable[[], T]) -> T:
        """Run analysis-bound ``work`` on the guard's thread when a NER model makes it slow."""
        if not self.names_enabled:
            # Pattern recognizers and rules take a few milliseconds: cheaper than a thread hop.
            return work()
        return await asyncio.get_running_loop().run_in_executor(self._thread_pool(), work)

    def mask(self, text: str) -> MaskedText:
        """PII (and any credential) replaced by placeholders, with no injection check: for audit logs."""
        return apply_placeholders(text, self.analyze(text))

    def close(self) -> None:
        with self._executor_lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None

    def _check(self, text: str, threshold: float) -> GuardedPrompt:
        if self.detector is None:
            logger.error(
                "Prompt refused unchecked: the learned injection detector is not loaded (%s)", self.detector_problem
            )
            raise unchecked_refusal()
        findings = self.analyze(text)
        credentials = [f for f in findings if f.entity_type in CREDENTIAL_ENTITIES]
        if credentials:
            raise credential_refusal(
                (f.entity_type for f in sorted(credentials, key=lambda f: f.start)),
                masked_text=apply_placeholders(text, findings).text,
            )
        verdict = scan_injection(text, threshold=threshold, detector=self.detector)
        masked = apply_placeholders(text, findings)
        if verdict.blocked:
            raise injection_refusal(verdict, masked_text=masked.text)
        return GuardedPrompt(
            masked_text=masked.text,
            mapping=masked.mapping,
            entities=masked.entities,
            injection_score=verdict.score,
        )

    def _thread_pool(self) -> ThreadPoolExecutor:
        with self._executor_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=_EXECUTOR_WORKERS, thread_name_prefix="guard")
            return self._executor


_guard: Guard | None = None
_guard_lock = threading.Lock()


def get_guard() -> Guard:
    """The process-wide guard, built on first use from ``PII_SPACY_MODEL``."""
    global _guard
    if _guard is None:
        with _guard_lock:
            if _guard is None:
                _guard = Guard(spacy_model=get_settings().pii_spacy_model)
    return _guard


def reset_guard() -> None:
    """Drop the process-wide guard so the next ``get_guard()`` reads the configuration again."""
    global _guard
    with _guard_lock:
        if _guard is not None:
            _guard.close()
        _guard = None
