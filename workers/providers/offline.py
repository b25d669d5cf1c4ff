"""Placeholders for the local sandbox when no model is configured: no network, no weights.

The output says plainly that no model ran, so nobody mistakes it for generated content.
"""

from __future__ import annotations

import hashlib
import struct
import zlib

from workers.providers.base import ImageRequest, ImageResult, OnText, TextRequest, TextResult
from workers.providers.tokens import estimate_tokens

OFFLINE_NOTICE = "offline provider: no model called"
OFFLINE_IMAGE_MODEL = "offline-placeholder"
PROMPT_ECHO_CHARS = 80


class OfflineTextProvider:
    name = "offline"

    async def generate_text(self, model: str, request: TextRequest) -> TextResult:
        # The prompt reaching a worker is already masked, so echoing a little of it leaks nothing.
        echo = " ".join(request.prompt.split())
        if len(echo) > PROMPT_ECHO_CHARS:
            echo = echo[: PROMPT_ECHO_CHARS - 1] + "…"
        text = f'{OFFLINE_NOTICE} (set GEMINI_API_KEY for real text). Prompt: "{echo}"'
        return TextResult(
            text=text,
            model=model,
            provider=self.name,
            input_tokens=estimate_tokens(request.system_instruction) + estimate_tokens(request.prompt),
            output_tokens=estimate_tokens(text),
            finish_reason="STOP",
            attempts=1,
        )

    async def stream_text(self, model: str, request: TextRequest, on_text: OnText) -> TextResult:
        result = await self.generate_text(model, request)
        words = result.text.split(" ")
        for index, word in enumerate(words):
            await on_text(word if index == len(words) - 1 else word + " ")
        return result

    async def aclose(self) -> None:
        return None


class OfflineImageProvider:
    name = "offline"

    def generate_image(self, request: ImageRequest) -> ImageResult:
        return ImageResult(
            png=placeholder_png(request.width, request.height, request.seed),
            model=OFFLINE_IMAGE_MODEL,
            provider=self.name,
            seed=request.seed,
            units=1,
        )


def placeholder_png(width: int, height: int, seed: int) -> bytes:
    """A vertical two-colour gradient chosen by the seed, encoded by hand (no Pillow needed)."""
    if width < 1 or height < 1:
        raise ValueError("image size must be positive")
    digest = hashlib.sha256(str(seed).encode()).digest()
    top, bottom = digest[0:3], digest[3:6]
    rows = bytearray()
    for y in range(height):
        share = y / max(1, height - 1)
        colour = bytes(round(a + (b - a) * share) for a, b in zip(top, bottom, strict=True))
        rows += b"\x00" + colour * width  # filter type 0 (None) per scanline
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows)))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
