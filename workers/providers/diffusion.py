"""Images from a Stable Diffusion pipeline on this worker's best device.

Synchronous: it runs inside a Celery worker. The pipeline is loaded once per process and per
model path, then shared by every job in that process.
"""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass
from pathlib import Path

import torch
from diffusers import StableDiffusionPipeline

from bot.process.settings import get_settings
from workers.providers.base import ImageRequest, ImageResult, PermanentError

PROVIDER_NAME = "diffusion"
# Stable Diffusion 1.x/2.x work at 512-768 pixels; far larger sizes only exhaust memory.
MAX_SIDE = 1024


@dataclass(frozen=True)
class LoadedPipeline:
    pipeline: StableDiffusionPipeline
    device: str
    # A pipeline's scheduler keeps per-call state (its timesteps), so calls on it take turns.
    lock: threading.Lock


_PIPELINES: dict[tuple[str, str], LoadedPipeline] = {}
_LOAD_LOCK = threading.Lock()


def best_device() -> tuple[str, torch.dtype]:
    if torch.cuda.is_available():
        return "cuda", torch.float16
    return "cpu", torch.float32


def saved_without_safety_checker(path: Path) -> bool:
    index = path / "model_index.json"
    if not index.is_file():
        return False
    entry = json.loads(index.read_text()).get("safety_checker")
    return not entry or entry[0] is None


def load_pipeline(model: str) -> LoadedPipeline:
    """The process-wide pipeline for ``model`` (a local path or a model id), loaded on first use."""
    device, dtype = best_device()
    key = (model, device)
    with _LOAD_LOCK:
        loaded = _PIPELINES.get(key)
        if loaded is None:
            loaded = LoadedPipeline(_from_pretrained(model, device, dtype), device, threading.Lock())
            _PIPELINES[key] = loaded
    return loaded


def _from_pretrained(model: str, device: str, dtype: torch.dtype) -> StableDiffusionPipeline:
    # Weights in pickle files (.bin, .ckpt) run code as they load: only safetensors are read.
    options: dict[str, object] = {"use_safetensors": True}
    local = Path(model)
    if local.is_dir():
        # A path never needs the hub; this also keeps a typo from turning into a download attempt.
        options["local_files_only"] = True
        if saved_without_safety_checker(local):
            options.update(safety_checker=None, requires_safety_checker=False)
    pipeline = StableDiffusionPipeline.from_pretrained(model, **options)
    # Weights load as float32; cast afterwards rather than through from_pretrained, whose dtype
    # keyword changed name (torch_dtype -> dtype) across the diffusers releases we support.
    if dtype != torch.float32:
        pipeline = pipeline.to(dtype=dtype)
    pipeline = pipeline.to(device)
    pipeline.set_progress_bar_config(disable=True)
    return pipeline


def validate(request: ImageRequest) -> None:
    if request.width % 8 or request.height % 8 or request.width < 8 or request.height < 8:
        raise PermanentError("image width and height must be positive multiples of 8")
    if max(request.width, request.height) > MAX_SIDE:
        raise PermanentError(f"image width and height must be at most {MAX_SIDE} pixels")
    if request.steps < 1:
        raise PermanentError("image generation needs at least one step")


def generate_image(request: ImageRequest, model: str | None = None) -> ImageResult:
    """One PNG for ``request``; the same seed and settings give the same bytes on the same device."""
    model = model or get_settings().diffusion_model
    if not model:
        raise PermanentError("no image model is configured (DIFFUSION_MODEL)")
    validate(request)
    loaded = load_pipeline(model)
    try:
        with loaded.lock, torch.inference_mode():
            generator = torch.Generator(loaded.device).manual_seed(request.seed)
            output = loaded.pipeline(
                request.prompt,
                height=request.height,
                width=request.width,
                num_inference_steps=request.steps,
                guidance_scale=request.guidance_scale,
                generator=generator,
                output_type="pil",
            )
    except torch.cuda.OutOfMemoryError as exc:
        raise PermanentError("the image is too large for this worker's GPU memory") from exc
    if any(getattr(output, "nsfw_content_detected", None) or []):
        raise PermanentError("the image was blocked by the model's safety checker")
    buffer = io.BytesIO()
    output.images[0].save(buffer, format="PNG")
    return ImageResult(png=buffer.getvalue(), model=model, provider=PROVIDER_NAME, seed=request.seed, units=1)


class DiffusionImageProvider:
    name = PROVIDER_NAME

    def __init__(self, model: str) -> None:
        self.model = model

    def generate_image(self, request: ImageRequest) -> ImageResult:
        return generate_image(request, self.model)
