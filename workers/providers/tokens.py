"""Token counts when a provider reports none (the offline provider, a response without usage)."""

from __future__ import annotations

import math


def estimate_tokens(text: str) -> int:
    """About four characters a token: Google's rule of thumb for Gemini, good enough for quota."""
    return math.ceil(len(text) / 4)
