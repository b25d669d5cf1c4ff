"""What Slack shows about models: the catalogue as an organization may use it, and policy changes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.routing.catalogue import Catalogue, ModelSpec
from bot.routing.policy import RoutingPolicy, Strategy
from bot.routing.pricing import format_money

STRATEGY_WORDS = {
    Strategy.ORDERED: "in catalogue order, the next one when a model fails",
    Strategy.CHEAPEST: "the cheapest for each job's estimated tokens",
    Strategy.FASTEST: "the fastest lately (median answer time, as workers measure it)",
}


def _per_million(price: Decimal, currency: str) -> str:
    return f"{price.normalize():f} {currency}"


def model_line(spec: ModelSpec, currency: str, allowed: bool) -> str:
    mark = "✓" if allowed else "✗"
    if spec.kind == "image":
        price = f"{format_money(int(spec.image_price * 1_000_000), currency)} an image"
    elif spec.priced:
        price = (
            f"{_per_million(spec.input_price, currency)} in / {_per_million(spec.output_price, currency)} out "
            "per million tokens"
        )
    else:
        price = "unpriced"
    where = f", {spec.region}" if spec.region else ""
    return f"{mark} `{spec.name}` ({spec.provider}{where}): {price}"


def policy_summary(policy: RoutingPolicy) -> str:
    allowed = "every model" if policy.allowed is None else ", ".join(f"`{name}`" for name in policy.allowed)
    return f"Allowed: {allowed}. Chosen: {STRATEGY_WORDS[policy.strategy]} (`{policy.strategy}`)."


def models_text(catalogue: Catalogue, policy: RoutingPolicy) -> str:
    lines = ["*Models*", policy_summary(policy)]
    lines += [model_line(spec, catalogue.currency, policy.permits(spec.name)) for spec in catalogue.models]
    return "\n".join(lines)


def models_message(catalogue: Catalogue, policy: RoutingPolicy) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": models_text(catalogue, policy)}


def policy_changed(policy: RoutingPolicy) -> dict[str, Any]:
    return {
        "response_type": "ephemeral",
        "text": "Model policy changed; the next job follows it. " + policy_summary(policy),
    }


def money_budget_set(micros: int | None, currency: str) -> dict[str, Any]:
    if micros is None:
        text = "The money budget is *off*: jobs are limited by tokens only."
    else:
        text = f"The monthly money budget is now *{format_money(micros, currency)}*."
    return {"response_type": "ephemeral", "text": text}
