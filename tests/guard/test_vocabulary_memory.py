"""A long-running web process checks prompts full of words it never saw: what spaCy learns of them
while one prompt is analysed is given back afterwards, so its memory does not grow with them."""

from __future__ import annotations

import random
import string

from bot.guard import Guard
from bot.guard.pii import PiiAnalyzer


def unheard_words(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(string.ascii_lowercase) for _ in range(12)) for _ in range(count)]


def test_words_first_seen_in_a_prompt_are_not_kept_in_the_vocabulary(guard: Guard) -> None:
    strings = guard.analyzer.pipeline.vocab.strings
    guard.check_prompt("Warm-up: a note to Maria Lopez about the launch.")
    before = len(strings)

    for seed in range(20):
        words = unheard_words(40, seed)
        # Masking is what reads spaCy's vocabulary (the injection layers never do); a wall of random
        # letters is left to their verdict elsewhere.
        masked = guard.mask(f"Write to {words[0].capitalize()} about {' '.join(words[1:])}.")
        assert "Write to" in masked.text

    assert len(strings) == before


def test_findings_are_the_same_when_a_prompt_comes_again(guard: Guard) -> None:
    prompt = "Call Henrik Oyelaran on +44 20 7946 0958 about the flat at 12 Elm Street, Leeds."
    first = guard.check_prompt(prompt)
    for seed in range(5):
        guard.mask(" ".join(unheard_words(30, 100 + seed)))
    again = guard.check_prompt(prompt)
    assert first.masked_text == again.masked_text and first.mapping == again.mapping
    assert "Henrik" not in first.masked_text and "0958" not in first.masked_text


def test_everyday_words_keep_their_entries_across_prompts(guard: Guard) -> None:
    # Made again for every prompt, everyday words would cost a sixth more CPU on a long prompt.
    vocab = guard.analyzer.pipeline.vocab
    guard.check_prompt("Write about the ability to abandon a plan, and the zyxquartzian glow.")
    assert "ability" in vocab.strings and "abandon" in vocab.strings
    assert "zyxquartzian" not in vocab.strings


def test_the_vocabulary_counts_each_new_word_of_a_prompt_though_the_zone_frees_it(guard: Guard) -> None:
    """What renewal reads: were spaCy to stop counting freed entries, the pipeline would never be
    renewed, and this says so."""
    vocab = guard.analyzer.pipeline.vocab
    before = len(vocab)

    guard.mask(" ".join(unheard_words(50, 7)))

    assert len(vocab) >= before + 50
    assert unheard_words(50, 7)[0] not in vocab.strings


def test_a_pipeline_worn_by_new_words_is_renewed_and_finds_the_same() -> None:
    analyzer = PiiAnalyzer(renew_after_new_words=200)
    prompt = "Call Henrik Oyelaran on +44 20 7946 0958 about the flat at 12 Elm Street, Leeds."
    first = analyzer.analyze(prompt)
    worn = analyzer.pipeline

    for seed in range(5):
        analyzer.analyze(" ".join(unheard_words(60, 200 + seed)))

    assert analyzer.renewals >= 1 and analyzer.pipeline is not worn
    assert len(analyzer.pipeline.vocab) < len(worn.vocab)
    assert [(f.entity_type, f.start, f.end) for f in analyzer.analyze(prompt)] == [
        (f.entity_type, f.start, f.end) for f in first
    ]
    assert {f.entity_type for f in first} >= {"PERSON", "PHONE_NUMBER"}
