"""The guard between Slack and the models: prompt-injection filter, PII masking, output check."""

import os

# Before anything imports Presidio: its email recognizer pulls in tldextract, which would
# fetch the public suffix list over the network unless this is empty (bundled copy instead).
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

from bot.guard.injection import InjectionVerdict, RuleHit, scan_injection
from bot.guard.output import (
    OutputProblem,
    OutputRejected,
    OutputVerdict,
    check_output,
    inspect_output,
    new_canary,
    system_instruction_with_canary,
)
from bot.guard.placeholders import MaskedText, apply_restore_policy, restore_placeholders
from bot.guard.rules import DEFAULT_THRESHOLD, Category
from bot.guard.service import Guard, GuardedPrompt, get_guard, reset_guard

__all__ = [
    "DEFAULT_THRESHOLD",
    "Category",
    "Guard",
    "GuardedPrompt",
    "InjectionVerdict",
    "MaskedText",
    "OutputProblem",
    "OutputRejected",
    "OutputVerdict",
    "RuleHit",
    "apply_restore_policy",
    "check_output",
    "get_guard",
    "inspect_output",
    "new_canary",
    "reset_guard",
    "restore_placeholders",
    "scan_injection",
    "system_instruction_with_canary",
]
