"""The "Generate content" Workflow Builder step: Slack's ``function_executed`` in, one job through
the same guard, role, quota and approvals as ``/content``, and exactly one completion out."""

from bot.workflows.inputs import STEP_CALLBACK_ID, StepInputs, parse_step_inputs

__all__ = ["STEP_CALLBACK_ID", "StepInputs", "parse_step_inputs"]
