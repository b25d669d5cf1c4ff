"""What the user is told when the guard refuses a prompt, and what the caller may audit.

Every refusal is a ``PromptBlocked`` (shown to the user as is) carrying its declared fields
for the audit trail. Messages name the kind of problem in plain words: never the
rule's pattern, never the secret, never the prompt text.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.errors import PromptBlocked
from bot.guard.credentials import credential_label
from bot.guard.injection import InjectionVerdict

SECRET_CATEGORY = "secret"
UNCHECKED_CATEGORY = "guard_error"
JUDGED_CATEGORY = "judged_injection"
JUDGE_RULE_ID = "judge.model"


def _human_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def credential_refusal(entity_types: Iterable[str], *, masked_text: str) -> PromptBlocked:
    kinds = list(dict.fromkeys(entity_types))
    labels = _human_list([f"a {credential_label(kind)}" for kind in kinds])
    message = (
        f"Your prompt contains what looks like {labels}, so it was not sent to the model. "
        "It has been posted in Slack, so treat it as exposed: rotate it now (revoke it and issue "
        "a new one), then send your prompt again without it."
    )
    return PromptBlocked(message, category=SECRET_CATEGORY, masked_text=masked_text, credential_types=tuple(kinds))


def injection_refusal(verdict: InjectionVerdict, *, masked_text: str) -> PromptBlocked:
    category = verdict.category
    # No hits can only block under a threshold of zero or less; say something true anyway.
    description = category.description if category else "a prompt-injection attempt"
    tip = category.rephrase_tip if category else "Rephrase it as a plain content request."
    message = (
        f"Your prompt was blocked because it looks like {description}. Nothing was sent to "
        f"the model. {tip} Rephrase it as a plain content request; if you think this is a mistake, ask an "
        "admin of your workspace."
    )
    return PromptBlocked(
        message,
        category=category.value if category else "injection",
        masked_text=masked_text,
        rule_ids=verdict.rule_ids,
        verdict=verdict,
    )


def judged_refusal(*, masked_text: str) -> PromptBlocked:
    """The layered verdict was just under the threshold and the injection judge called it an attack."""
    message = (
        "Your prompt was blocked because it looks like an attempt to change or reveal the bot's "
        "instructions. Nothing was sent to the model. Ask for the content you want in plain words; "
        "if you think this is a mistake, ask an admin of your workspace."
    )
    return PromptBlocked(message, category=JUDGED_CATEGORY, masked_text=masked_text, rule_ids=(JUDGE_RULE_ID,))


def unchecked_refusal() -> PromptBlocked:
    message = "Your prompt could not be checked, so it was not sent to the model. Please try again in a moment."
    return PromptBlocked(message, category=UNCHECKED_CATEGORY, masked_text=None)
