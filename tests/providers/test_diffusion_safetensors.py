"""Diffusion weights load from safetensors only: a pipeline saved as pickles (which run code when
unpickled) is refused, never loaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("diffusers", reason="image support (the `image` extra) is not installed")


# The pickle file name each library looks for in place of a safetensors file.
PICKLE_NAMES = {
    "diffusion_pytorch_model.safetensors": "diffusion_pytorch_model.bin",
    "model.safetensors": "pytorch_model.bin",
}


def _as_pickles(source: Path, target: Path) -> Path:
    """The same pipeline with every weight file turned into a torch pickle (as older models ship)."""
    import torch
    from safetensors.torch import load_file

    shutil.copytree(source, target)
    for weights in list(target.rglob("*.safetensors")):
        torch.save(load_file(weights), weights.with_name(PICKLE_NAMES[weights.name]))
        weights.unlink()
    return target


def test_a_pipeline_saved_as_pickles_is_refused(tiny_pipeline_path: Path, tmp_path: Path) -> None:
    import torch

    from workers.providers.diffusion import _from_pretrained

    pickled = _as_pickles(tiny_pipeline_path, tmp_path / "pickled-sd")
    assert list(pickled.rglob("*.bin")) and not list(pickled.rglob("*.safetensors"))
    with pytest.raises(OSError, match="safetensors"):
        _from_pretrained(str(pickled), "cpu", torch.float32)


def test_the_safetensors_pipeline_loads(tiny_pipeline_path: Path) -> None:
    import torch

    from workers.providers.diffusion import _from_pretrained

    assert list(tiny_pipeline_path.rglob("*.safetensors"))
    assert _from_pretrained(str(tiny_pipeline_path), "cpu", torch.float32).unet is not None
