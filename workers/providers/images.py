"""Which image provider a worker uses: the configured diffusion pipeline, else the placeholder."""

from __future__ import annotations

from workers.providers.base import ImageProvider, PermanentError
from workers.providers.offline import OfflineImageProvider


def image_provider_from_settings(diffusion_model: str | None) -> ImageProvider:
    if not diffusion_model:
        return OfflineImageProvider()
    try:
        # Imported here: torch and diffusers are the optional `image` extra.
        from workers.providers.diffusion import DiffusionImageProvider
    except ImportError as exc:
        raise PermanentError(
            "DIFFUSION_MODEL is set but image support is not installed (pip install '.[image]')"
        ) from exc
    return DiffusionImageProvider(diffusion_model)
