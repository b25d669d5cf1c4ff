from hypothesis import given
from hypothesis import strategies as st

from bot.quota import DEFAULT_MAX_OUTPUT_TOKENS, estimate_tokens

prompts = st.text(max_size=2000)


@given(prompts, prompts, st.sampled_from(["text", "image"]))
def test_a_longer_prompt_never_costs_less(prompt: str, more: str, kind: str) -> None:
    assert estimate_tokens(kind, prompt + more) >= estimate_tokens(kind, prompt)


@given(prompts)
def test_text_reserves_the_prompt_and_every_output_token(prompt: str) -> None:
    estimate = estimate_tokens("text", prompt)
    assert estimate > DEFAULT_MAX_OUTPUT_TOKENS
    assert estimate_tokens("text", prompt, max_output_tokens=10) == estimate - DEFAULT_MAX_OUTPUT_TOKENS + 10


@given(prompts, st.integers(min_value=0, max_value=100_000), st.integers(min_value=1, max_value=8))
def test_each_image_costs_image_cost(prompt: str, image_cost: int, images: int) -> None:
    one = estimate_tokens("image", prompt, image_cost=image_cost)
    assert estimate_tokens("image", prompt, image_cost=image_cost, images=images) == one + (images - 1) * image_cost
    assert one - estimate_tokens("image", prompt, image_cost=0) == image_cost


def test_the_estimate_stays_above_a_real_tokenizers_count() -> None:
    # About four characters a token in English: three bytes a token leaves room to spare.
    prompt = "Write a friendly announcement for the new office coffee machine. " * 10
    assert estimate_tokens("text", prompt, max_output_tokens=0) >= len(prompt) / 4
