"""A tiny real Stable Diffusion pipeline, saved locally and loaded by path like a real model."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from workers.providers.base import ImageRequest, PermanentError
from workers.providers.images import image_provider_from_settings

pytest.importorskip("diffusers", reason="image support (the `image` extra) is not installed")

REQUEST = ImageRequest(prompt="a paper boat on a pond", seed=1234, steps=2, width=64, height=64, guidance_scale=7.5)


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def test_pipeline_is_saved_like_a_real_one(tiny_pipeline_path: Path) -> None:
    for part in ("model_index.json", "unet", "vae", "text_encoder", "tokenizer", "scheduler"):
        assert (tiny_pipeline_path / part).exists()


def test_generates_a_png_of_the_asked_size(tiny_pipeline_path: Path) -> None:
    from workers.providers.diffusion import DiffusionImageProvider

    provider = image_provider_from_settings(str(tiny_pipeline_path))
    assert isinstance(provider, DiffusionImageProvider)
    result = provider.generate_image(REQUEST)
    assert png_size(result.png) == (64, 64)
    assert (result.provider, result.model, result.seed) == ("diffusion", str(tiny_pipeline_path), 1234)


def test_same_seed_gives_the_same_bytes(tiny_pipeline_path: Path) -> None:
    from workers.providers.diffusion import generate_image

    first = generate_image(REQUEST, str(tiny_pipeline_path))
    second = generate_image(REQUEST, str(tiny_pipeline_path))
    other_seed = generate_image(ImageRequest(**{**REQUEST.__dict__, "seed": 4321}), str(tiny_pipeline_path))
    assert first.png == second.png
    assert first.png != other_seed.png


@pytest.fixture
def settings_from_env() -> Iterator[None]:
    """``get_settings()`` reads the environment this test sets, and forgets it afterwards."""
    from bot.process.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("settings_from_env")
def test_model_path_comes_from_diffusion_model(tiny_pipeline_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workers.providers.diffusion import generate_image, load_pipeline

    monkeypatch.setenv("DIFFUSION_MODEL", str(tiny_pipeline_path))
    small = ImageRequest(prompt="a kite", seed=5, steps=2, width=32, height=32, guidance_scale=1.0)
    assert png_size(generate_image(small).png) == (32, 32)
    assert load_pipeline(str(tiny_pipeline_path)) is load_pipeline(str(tiny_pipeline_path))


def test_sizes_must_be_multiples_of_eight(tiny_pipeline_path: Path) -> None:
    from workers.providers.diffusion import generate_image

    with pytest.raises(PermanentError, match="multiples of 8"):
        generate_image(ImageRequest(**{**REQUEST.__dict__, "width": 30}), str(tiny_pipeline_path))


@pytest.mark.usefixtures("settings_from_env")
def test_no_model_configured_is_a_permanent_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from workers.providers.diffusion import generate_image

    monkeypatch.delenv("DIFFUSION_MODEL", raising=False)
    with pytest.raises(PermanentError, match="DIFFUSION_MODEL"):
        generate_image(REQUEST)
