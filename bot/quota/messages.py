"""What Slack shows about quotas: the one place their wording lives (plain mrkdwn strings)."""

from __future__ import annotations

import math
from datetime import date

from bot.quota.models import Denial, QuotaStatus
from bot.routing.pricing import format_money

UNAVAILABLE = (
    "The quota service is unreachable right now, so nothing was generated (budgets are never skipped). "
    "Please try again in a minute."
)
LEDGER_UNAVAILABLE = "The usage ledger is unreachable right now, so nothing was changed. Please try again in a minute."
LIVE_DATA_UNAVAILABLE = "_Live rate data is unavailable right now; these numbers come from the usage ledger._"


def _tokens(amount: int) -> str:
    return f"{amount:,}"


def _refill_day(day: date) -> str:
    return f"{day.isoformat()} (UTC)"


def _duration(seconds: float) -> str:
    seconds = max(0, math.ceil(seconds))
    if seconds < 120:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 120:
        return f"{minutes} min" if not rest else f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def denial_message(denial: Denial) -> str:
    """Why a request was refused, what is left and when it comes back."""
    if denial.reason == "budget":
        return (
            f"Monthly budget reached: {_tokens(max(0, denial.budget_left))} of {_tokens(denial.budget)} tokens left, "
            f"this request needs {_tokens(denial.requested)}; it refills on {_refill_day(denial.refills_on)}."
        )
    if denial.reason == "money":
        currency = denial.currency or "USD"
        return (
            f"Monthly money budget reached: {format_money(denial.money_left or 0, currency)} of "
            f"{format_money(denial.money_budget or 0, currency)} left, this request may cost up to "
            f"{format_money(denial.cost_micros, currency)}; it refills on {_refill_day(denial.refills_on)}. "
            "Nothing was generated."
        )
    if denial.reason == "burst":
        return (
            f"This request needs {_tokens(denial.requested)} tokens, more than the rate limit allows at once "
            f"({_tokens(denial.burst)}). Shorten the prompt or ask an admin to raise the limit."
        )
    return (
        f"Rate limit: {_tokens(denial.available_now)} tokens available now, this request needs "
        f"{_tokens(denial.requested)} (enough in {_duration(denial.enough_in_seconds)}); "
        f"full again in {_duration(denial.full_in_seconds)}."
    )


def render_status(status: QuotaStatus) -> str:
    """The answer to `/content quota`."""
    month = date.fromisoformat(status.month + "-01").strftime("%B %Y")
    lines = [
        f"*Token budget for {month}*",
        f"Used {_tokens(status.used)} of {_tokens(status.budget)} tokens"
        + (f" ({_tokens(status.reserved)} reserved for jobs in progress)" if status.reserved else "")
        + f"; {_tokens(status.left)} left. It refills on {_refill_day(status.refills_on)}.",
    ]
    if status.overrun:
        lines.append(f"Jobs used {_tokens(status.overrun)} tokens more than they reserved this month.")
    rate = f"Rate limit: {_tokens(status.rate_per_minute)} tokens per minute, bursts up to {_tokens(status.burst)}"
    if status.live and status.available_now is not None:
        rate += f"; {_tokens(status.available_now)} available now"
        if status.full_in_seconds:
            rate += f", full again in {_duration(status.full_in_seconds)}"
    lines.append(rate + ".")
    lines += money_lines(status)
    if not status.live:
        lines.append(LIVE_DATA_UNAVAILABLE)
    return "\n".join(lines)


def money_lines(status: QuotaStatus) -> list[str]:
    """The month's spend, the money budget and the spend by model; nothing while nothing is priced."""
    currency = status.currency or "USD"
    # Unpriced models (GEMINI_MODELS without a catalogue) and no money budget: nothing to say.
    if status.money_budget is None and not status.spent_micros:
        return []
    lines = ["*Spend*"]
    if status.money_budget is not None:
        held = status.cost_reserved_micros
        lines.append(
            f"Spent {format_money(status.spent_micros, currency)} of {format_money(status.money_budget, currency)}"
            + (f" ({format_money(held, currency)} held for jobs in progress)" if held else "")
            + f"; {format_money(status.money_left or 0, currency)} left."
        )
    else:
        lines.append(f"Spent {format_money(status.spent_micros, currency)} this month (no money budget set).")
    for line in status.by_model:
        cached = f", {_tokens(line.cached_input_tokens)} of them cached" if line.cached_input_tokens else ""
        lines.append(
            f"• `{line.model}`: {format_money(line.cost_micros, currency)} for {line.jobs:,} "
            f"job{'s' if line.jobs != 1 else ''} ({_tokens(line.input_tokens)} in{cached}, "
            f"{_tokens(line.output_tokens)} out)"
        )
    return lines
