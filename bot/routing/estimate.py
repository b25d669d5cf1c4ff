"""What a job may cost at most, decided before it runs: the money a budget reserves for it."""

from __future__ import annotations

from bot.errors import BadInput
from bot.quota.estimate import DEFAULT_MAX_OUTPUT_TOKENS, prompt_tokens
from bot.routing.catalogue import Catalogue
from bot.routing.policy import RoutingPolicy, allowed_models
from bot.routing.pricing import worst_case_micros


def job_cost_estimate(catalogue: Catalogue | None, policy: RoutingPolicy, kind: str, masked_prompt: str) -> int:
    """The dearest allowed model's price for the estimated tokens (failover may end there), in
    millionths; 0 when nothing is priced. A job no allowed model could run is refused here,
    before anything is reserved."""
    if catalogue is None:
        return 0
    of_kind = catalogue.of_kind(kind)
    if not of_kind:
        return 0  # images without image models in the catalogue: DIFFUSION_MODEL, as always
    allowed = allowed_models(of_kind, policy, kind=kind)
    if not allowed:
        raise BadInput(
            f"No {kind} model is allowed for this organization. An admin can allow one with "
            "`/content models allow <model>`."
        )
    return worst_case_micros(
        allowed, kind=kind, input_tokens=prompt_tokens(masked_prompt), output_tokens=DEFAULT_MAX_OUTPUT_TOKENS
    )
