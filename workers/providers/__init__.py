"""Model providers behind one router: Gemini for text, Stable Diffusion for images, offline placeholders.

torch and diffusers (the optional `image` extra) are imported only by
``workers.providers.diffusion``, which ``image_provider_from_settings`` loads on demand.
"""

from workers.providers.base import (
    AllModelsFailed,
    ImageRequest,
    ImageResult,
    PermanentError,
    ProviderError,
    RetryableError,
    TextRequest,
    TextResult,
)
from workers.providers.images import image_provider_from_settings
from workers.providers.router import RetryPolicy, TextRouter

__all__ = [
    "AllModelsFailed",
    "ImageRequest",
    "ImageResult",
    "PermanentError",
    "ProviderError",
    "RetryPolicy",
    "RetryableError",
    "TextRequest",
    "TextResult",
    "TextRouter",
    "image_provider_from_settings",
]
