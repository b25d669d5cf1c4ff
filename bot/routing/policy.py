"""Which models may answer an organization's job, and in which order they are tried.

An organization allows some of the catalogue's models (or all of them) and picks a strategy:

- ``ordered``: the catalogue's order, a failover list (what ``GEMINI_MODELS`` always meant);
- ``cheapest``: by what the job's estimated tokens would cost on each model;
- ``fastest``: by each model's moving median latency, as the workers measured it.

Healthy models (circuit closed, not paused by a Retry-After) come first in that order; the
unhealthy ones follow, so that when every model is in trouble the job still gets its chance.
This runs on every job, so it is plain arithmetic over a handful of models.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.routing.catalogue import ModelSpec
from bot.routing.pricing import exact_cost, image_cost_micros


class Strategy(StrEnum):
    ORDERED = "ordered"
    CHEAPEST = "cheapest"
    FASTEST = "fastest"


@dataclass(frozen=True)
class RoutingPolicy:
    """An organization's choice: ``allowed`` None means every model of the catalogue."""

    allowed: tuple[str, ...] | None = None
    strategy: Strategy = Strategy.ORDERED

    def permits(self, name: str) -> bool:
        return self.allowed is None or name in self.allowed


DEFAULT_POLICY = RoutingPolicy()


def allowed_models(models: Sequence[ModelSpec], policy: RoutingPolicy, *, kind: str) -> list[ModelSpec]:
    """The models of ``kind`` the policy permits; with REGIONS, a model outside the process's
    region only when the policy names it (never through "all")."""
    return [
        spec
        for spec in models
        if spec.kind == kind and policy.permits(spec.name) and (spec.in_region or policy.allowed is not None)
    ]


def candidate_order(
    models: Sequence[ModelSpec],
    policy: RoutingPolicy,
    *,
    kind: str = "text",
    input_tokens: int = 0,
    output_tokens: int = 0,
    healthy: Callable[[str], bool] = lambda _name: True,
    latencies: Mapping[str, float | None] | None = None,
) -> list[str]:
    """The names to try, best first. A model with no latency measured yet counts as fastest, so
    that it gets measured; ties keep the catalogue's order. A model whose context limit the job's
    tokens would exceed is left out: it would only refuse."""
    needed = input_tokens + output_tokens
    allowed = [
        spec
        for spec in allowed_models(models, policy, kind=kind)
        if spec.context_tokens is None or needed <= spec.context_tokens
    ]
    if policy.strategy is Strategy.CHEAPEST:
        if kind == "image":
            allowed.sort(key=image_cost_micros)
        else:
            allowed.sort(key=lambda spec: exact_cost(spec, input_tokens, output_tokens))
    elif policy.strategy is Strategy.FASTEST:
        measured = latencies or {}
        allowed.sort(key=lambda spec: measured.get(spec.name) or 0.0)
    names = [spec.name for spec in allowed]
    fine = [name for name in names if healthy(name)]
    return fine + [name for name in names if name not in fine]


def routing_policy_of(allowed: list[str] | None, strategy: str | None) -> RoutingPolicy:
    """The policy as an organization's row stores it; an unknown strategy reads as ``ordered``."""
    try:
        chosen = Strategy(strategy or Strategy.ORDERED)
    except ValueError:
        chosen = Strategy.ORDERED
    return RoutingPolicy(tuple(allowed) if allowed is not None else None, chosen)
