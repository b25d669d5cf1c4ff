"""Processes that never run a diffusion model start without PyTorch, and their guard answers the same."""

from __future__ import annotations

import subprocess
import sys

from bot.process.torch_free import runs_images

GUARDED_WITHOUT_TORCH = """
import sys
from bot.process.torch_free import keep_torch_out
assert keep_torch_out(None)
from bot.guard import get_guard
print(get_guard().check_prompt("Write to Maria Garcia at maria@example.com about Berlin").masked_text)
try:
    import torch
except ImportError:
    print("torch: kept out")
"""


def test_only_an_image_only_worker_runs_images() -> None:
    assert runs_images(["image"])
    assert runs_images(["image.eu", "image"])
    assert not runs_images(["text", "image", "maintenance"])  # the image queue gets its own process
    assert not runs_images(["text"])
    assert not runs_images(["maintenance"])


def test_the_guard_masks_without_torch_and_torch_stays_out() -> None:
    run = subprocess.run([sys.executable, "-c", GUARDED_WITHOUT_TORCH], capture_output=True, text=True, check=True)

    masked, kept_out = run.stdout.strip().splitlines()[-2:]
    assert "maria@example.com" not in masked and "<EMAIL_ADDRESS_1>" in masked
    assert "Maria Garcia" not in masked
    assert kept_out == "torch: kept out"


def test_a_chosen_spacy_model_or_a_loaded_torch_keeps_torch_importable() -> None:
    """A model chosen with PII_SPACY_MODEL may be a transformer pipeline, which needs torch."""
    script = (
        "import sys\nfrom bot.process.torch_free import keep_torch_out\n"
        "print(keep_torch_out('en_core_web_trf'), 'torch' in sys.modules)\n"
        "sys.modules['torch'] = object()\nprint(keep_torch_out(None), sys.modules['torch'] is not None)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)

    assert run.stdout.split() == ["False", "False", "False", "True"]
