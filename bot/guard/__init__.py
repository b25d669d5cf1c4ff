"""The guard between Slack and the models: prompt-injection filter, PII masking, output check."""

# First, before any module touches Presidio: see offline.py.
from bot.guard import offline  # noqa: F401  isort: skip
from bot.guard.injection import InjectionVerdict, RuleHit, scan_injection
from bot.guard.output import (
    OutputProblem,
    OutputRejected,
    OutputVerdict,
    check_output,
    check_output_async,
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
    "check_output_async",
    "get_guard",
    "inspect_output",
    "new_canary",
    "reset_guard",
    "restore_placeholders",
    "scan_injection",
    "system_instruction_with_canary",
]
