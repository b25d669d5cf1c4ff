"""What a "Generate content" step was given, checked the way ``/content`` checks a command.

Workflow Builder fills the inputs from a form, a variable or an earlier step, so nothing here is
trusted: every input is typed and bounded before a job is asked for. The names and types are the
ones ``manifest.yml`` declares for the function."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.errors import BadInput
from bot.jobs.service import MAX_PROMPT_CHARS
from db.models import JobKind

# The function's callback id in manifest.yml (``functions.generate_content``).
STEP_CALLBACK_ID = "generate_content"

# slack#/types/channel_id: a public (C) or private (G) channel, or a direct message (D).
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,31}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")


@dataclass(frozen=True)
class StepInputs:
    prompt: str
    kind: JobKind
    channel_id: str
    runner_id: str  # the person who ran the workflow (slack#/types/user_context); their role applies


def parse_step_inputs(inputs: dict[str, Any] | None) -> StepInputs:
    """The step's inputs, or ``BadInput`` saying which one is wrong and how to fix it."""
    inputs = inputs or {}
    return StepInputs(
        prompt=_prompt(inputs.get("prompt")),
        kind=_kind(inputs.get("kind")),
        channel_id=_channel(inputs.get("channel")),
        runner_id=_runner(inputs.get("user")),
    )


def _prompt(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadInput("The step's prompt is empty. Give the step a prompt (text, or a variable that holds text).")
    prompt = value.strip()
    if len(prompt) > MAX_PROMPT_CHARS:
        raise BadInput(
            f"The step's prompt has {len(prompt):,} characters; the most is {MAX_PROMPT_CHARS:,}. Shorten it."
        )
    return prompt


def _kind(value: Any) -> JobKind:
    name = value.strip().lower() if isinstance(value, str) else ""
    try:
        return JobKind(name or JobKind.TEXT)
    except ValueError:
        shown = str(value)[:40]
        raise BadInput(f"The step's kind `{shown}` is unknown: choose `text` or `image`.") from None


def _channel(value: Any) -> str:
    if not isinstance(value, str) or not _CHANNEL_ID.match(value.strip()):
        raise BadInput("The step needs a channel to post in. Pick one in the step's Channel field.")
    return value.strip()


def _runner(value: Any) -> str:
    # user_context arrives as {"id": "U…", "secret": "…"}; Slack signs it, so a workflow cannot
    # claim to be run by someone else.
    user_id = value.get("id") if isinstance(value, dict) else None
    if not isinstance(user_id, str) or not _USER_ID.match(user_id):
        raise BadInput(
            'The step does not know who ran the workflow. Set its User field to "Person who used this workflow".'
        )
    return user_id
