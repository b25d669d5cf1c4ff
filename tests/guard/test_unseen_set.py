"""The guard's evaluation set (bench/data/guard-unseen/) stays out of its training data: it is
the one figure measured on prompts the model and its writers never had in view."""

from __future__ import annotations

from pathlib import Path

from bot.guard.learned.dataset import BENIGN, read_folder
from tests.support.guard_data import near_copies, training_texts

UNSEEN = Path(__file__).resolve().parents[2] / "bench" / "data" / "guard-unseen"
# Independent writers share everyday phrasing ("write a LinkedIn post about our new ..."); a row
# more than half made of runs the training data holds is a copy, not a coincidence.
MAX_SHARED_SHINGLES = 0.5


def test_unseen_rows_are_neither_training_rows_nor_near_copies_of_them() -> None:
    rows = {example.id: example.text for example in read_folder(UNSEEN)}

    assert near_copies(rows, max_shared=MAX_SHARED_SHINGLES) == []


def test_unseen_set_holds_attacks_and_benign_prompts_of_every_kind_in_sixteen_languages() -> None:
    examples = read_folder(UNSEEN)

    assert all(example.id.startswith("unseen-") for example in examples)
    assert len({example.lang for example in examples}) == 16
    assert {e.label for e in examples if e.label != BENIGN} == {
        "persona_jailbreak",
        "instruction_override",
        "prompt_extraction",
        "indirect_injection",
        "encoded_payload",
    }
    assert {e.category for e in examples if e.label == BENIGN} == {
        "hard_negative",
        "pasted_content",
        "everyday_task",
        "chat_prompt",
    }


def test_a_row_copied_from_training_or_lightly_edited_is_caught() -> None:
    training = training_texts()
    long_one = next(text for text in training if len(text.split()) > 40)
    rows = {
        "copied": training[0],
        "edited": long_one.replace(".", "!", 1) + " Thanks!",
        "own": "Draft three upbeat captions for the Vantorra ceramics pop-up at the harbour market this Sunday.",
    }

    assert near_copies(rows, max_shared=MAX_SHARED_SHINGLES) == ["copied", "edited"]
