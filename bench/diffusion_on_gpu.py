"""The image path on a GPU: ``workers/providers/diffusion.py`` on CUDA (float16 weights, a CUDA
generator) against the same requests on the CPU in the same run.

    python3 bench/diffusion_on_gpu.py

Made for a bare CUDA machine that holds torch, transformers and diffusers but not the service:
the package ``__init__`` modules of ``bot``, ``workers`` and ``sandbox`` import the whole service
(Celery, SQLAlchemy, pydantic-settings, slack-sdk), so they are replaced by empty packages and
only the leaf modules the image path needs are loaded, from this checkout: the code measured is
the repository's own ``diffusion.py`` and ``tiny_diffusion.py``. The pipeline is the tiny one
with random weights that the tests use (nothing is downloaded).

Checks: the pipeline lands on the best device in float16 there; the same seed gives the same
bytes on that device and another seed other bytes; sizes are kept; a side over the limit is
refused. Then it prints the median time of each request size on the device and on the CPU, and
their ratio; with CUDA, the 256x256 request must run at least twice as fast on the GPU. On a
machine without CUDA both sides are the CPU and only the checks count. Measured on an H200 (torch
2.11, CUDA 13): 256x256 at 10 steps in 142 ms on the GPU, 1,199 ms on its CPU (8.4x).
"""

from __future__ import annotations

import hashlib
import io
import statistics
import sys
import tempfile
import time
import types
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MIN_GPU_SPEED_UP = 2.0
LEAF_PACKAGES = {
    "sandbox": "sandbox",
    "bot": "bot",
    "bot.quota": "bot/quota",
    "bot.process": "bot/process",
    "workers": "workers",
    "workers.providers": "workers/providers",
}


def load_leaf_modules_only() -> None:
    sys.path.insert(0, str(ROOT))
    for name, path in LEAF_PACKAGES.items():
        package = types.ModuleType(name)
        package.__path__ = [str(ROOT / path)]
        sys.modules[name] = package
    settings = types.ModuleType("bot.process.settings")
    settings.get_settings = lambda: types.SimpleNamespace(diffusion_model=None)
    sys.modules["bot.process.settings"] = settings


def main() -> int:
    load_leaf_modules_only()
    import torch
    from PIL import Image

    from bench.verdict import at_least, at_most, verdict
    from sandbox.tiny_diffusion import build_tiny_pipeline
    from workers.providers import diffusion
    from workers.providers.base import ImageRequest, PermanentError

    cuda = torch.cuda.is_available()
    print(f"torch {torch.__version__}; CUDA: {torch.cuda.get_device_name(0) if cuda else 'none'}")
    failures: list[str] = []

    def check(ok: bool, what: str) -> None:
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

    with tempfile.TemporaryDirectory() as folder:
        model = str(build_tiny_pipeline(Path(folder) / "tiny"))
        request = ImageRequest(prompt="a teapot on a hill", seed=7, steps=4, width=64, height=64, guidance_scale=7.5)

        def median_seconds(asked: ImageRequest, runs: int) -> float:
            diffusion.generate_image(asked, model)  # loads the pipeline and warms the device
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                diffusion.generate_image(asked, model)
                times.append(time.perf_counter() - start)
            return statistics.median(times)

        first = diffusion.generate_image(request, model)
        loaded = diffusion.load_pipeline(model)
        weights = next(loaded.pipeline.unet.parameters()).dtype
        check(loaded.device == ("cuda" if cuda else "cpu"), f"the pipeline is on {loaded.device}")
        check(weights == (torch.float16 if cuda else torch.float32), f"its weights are {weights}")
        again = diffusion.generate_image(request, model)
        check(hashlib.sha256(first.png).digest() == hashlib.sha256(again.png).digest(), "same seed, same bytes")
        check(diffusion.generate_image(replace(request, seed=8), model).png != first.png, "another seed, other bytes")
        image = Image.open(io.BytesIO(first.png))
        check(image.size == (64, 64) and len(set(image.tobytes())) > 1, f"a {image.size} image, not one colour")
        wide = diffusion.generate_image(replace(request, width=512, height=256), model)
        check(Image.open(io.BytesIO(wide.png)).size == (512, 256), "a 512x256 image")
        try:
            diffusion.generate_image(replace(request, width=2048), model)
            check(False, "a side of 2,048 pixels is refused")
        except PermanentError as error:
            check(True, f"a side of 2,048 pixels is refused ({error})")

        sizes = [(request, 5), (replace(request, width=256, height=256, steps=10), 3)]
        on_device = [median_seconds(asked, runs) for asked, runs in sizes]
        best: Callable[[], tuple[str, Any]] = diffusion.best_device
        diffusion.best_device = lambda: ("cpu", torch.float32)  # the baseline, in the same run
        try:
            on_cpu = [median_seconds(asked, 1) for asked, _ in sizes]
        finally:
            diffusion.best_device = best
        for (asked, _), device_s, cpu_s in zip(sizes, on_device, on_cpu, strict=True):
            print(
                f"{asked.width}x{asked.height}, {asked.steps} steps: {loaded.device} {device_s * 1000:.1f} ms,"
                f" cpu {cpu_s * 1000:.1f} ms, cpu/{loaded.device} {cpu_s / device_s:.2f}x"
            )
    if failures:
        print("failed: " + ", ".join(failures))
    targets = [at_most("failed checks", len(failures), 0)]
    if cuda:
        # A GPU that is not clearly faster than the CPU at a real size means the path fell off it.
        targets.append(at_least("cpu/cuda at 256x256", on_cpu[-1] / on_device[-1], MIN_GPU_SPEED_UP, "x"))
    return verdict("diffusion_on_gpu", targets)


if __name__ == "__main__":
    sys.exit(main())
