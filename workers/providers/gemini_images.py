"""Images from a hosted model through google-genai: the optional adapter a catalogue names with
``provider: gemini-image``. One attempt per call.

Gemini's image models (``gemini-2.5-flash-image`` and kin) answer ``generateContent`` asked for the
``IMAGE`` modality with the picture as inline data. Imagen (``generate_images``, ``:predict``) is
not offered: google-genai serves it only on Vertex AI, never with an API key, and has deprecated it
in favour of these models; the catalogue refuses an ``imagen-…`` id.
"""

from __future__ import annotations

import httpx
from google.genai import errors as genai_errors
from google.genai import types

from workers.providers.base import ImageRequest, ImageResult, PermanentError, RetryableError
from workers.providers.gemini import error_from_api, single_attempt_client

PNG = "image/png"


class GeminiImageProvider:
    name = "gemini-image"

    def __init__(self, api_key: str, model: str, *, base_url: str | None = None, timeout: float = 120.0) -> None:
        self.model = model
        self._client = single_attempt_client(api_key, base_url=base_url, timeout=timeout)

    def generate_image(self, request: ImageRequest) -> ImageResult:
        try:
            png = self._gemini(request)
        except genai_errors.APIError as exc:
            raise error_from_api(self.model, exc) from exc
        except (httpx.TransportError, OSError) as exc:
            raise RetryableError(f"{self.model} could not be reached", detail=type(exc).__name__) from exc
        return ImageResult(png=png, model=self.model, provider=self.name, seed=request.seed, units=1)

    def _gemini(self, request: ImageRequest) -> bytes:
        config = types.GenerateContentConfig(response_modalities=["IMAGE"], seed=request.seed)
        response = self._client.models.generate_content(model=self.model, contents=request.prompt, config=config)
        blocked = response.prompt_feedback.block_reason if response.prompt_feedback else None
        for candidate in response.candidates or []:
            for part in (candidate.content.parts if candidate.content else None) or []:
                inline = part.inline_data
                if inline is not None and inline.data and (inline.mime_type or PNG) == PNG:
                    return inline.data
        raise PermanentError(f"{self.model} returned no image" + (" (filtered)" if blocked else ""))
