"""How many tokens a job may use, decided before it runs: the amount the quota reserves.

The prompt is counted without a tokenizer: google-genai's local tokenizer needs its vocabulary
downloaded first, and this must work offline and in microseconds inside Slack's ack. One token per
three UTF-8 bytes over-counts English (about four characters a token) and stays above the real
count for most other scripts, so a reservation is rarely short; settling refunds the difference.
"""

from __future__ import annotations

import math

from bot.orgs.service import DEFAULT_IMAGE_COST

DEFAULT_MAX_OUTPUT_TOKENS = 1024
BYTES_PER_TOKEN = 3
# System instruction, role markers and safety preamble the provider adds around every prompt.
PROMPT_OVERHEAD_TOKENS = 32


def prompt_tokens(masked_prompt: str) -> int:
    return math.ceil(len(masked_prompt.encode("utf-8")) / BYTES_PER_TOKEN) + PROMPT_OVERHEAD_TOKENS


def estimate_tokens(
    kind: str,
    masked_prompt: str,
    *,
    max_output_tokens: int = DEFAULT_MAX_OUTPUT_TOKENS,
    image_cost: int = DEFAULT_IMAGE_COST,
    images: int = 1,
) -> int:
    """Text: prompt tokens plus the most the model may write. Image: prompt tokens plus
    ``image_cost`` for each image (the diffusion model writes no text)."""
    if max_output_tokens < 0 or image_cost < 0 or images < 1:
        raise ValueError("max_output_tokens and image_cost must not be negative; images must be at least 1")
    if kind == "text":
        return prompt_tokens(masked_prompt) + max_output_tokens
    if kind == "image":
        return prompt_tokens(masked_prompt) + image_cost * images
    raise ValueError(f"unknown job kind {kind!r}")
