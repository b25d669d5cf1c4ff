"""Without a model configured, output is an obvious placeholder and nothing is called."""

from __future__ import annotations

import struct
import zlib

from workers.providers.base import ImageRequest, TextRequest
from workers.providers.images import image_provider_from_settings
from workers.providers.offline import OfflineImageProvider, OfflineTextProvider, placeholder_png


async def test_offline_text_says_no_model_was_called() -> None:
    request = TextRequest(
        prompt="Draft a welcome message for <EMAIL_ADDRESS>", system_instruction="", max_output_tokens=50
    )
    result = await OfflineTextProvider().generate_text("gemini-a", request)
    assert result.text.startswith("offline provider: no model called")
    assert "<EMAIL_ADDRESS>" in result.text
    assert result.provider == "offline" and result.finish_reason == "STOP"
    again = await OfflineTextProvider().generate_text("gemini-a", request)
    assert (again.input_tokens, again.output_tokens) == (result.input_tokens, result.output_tokens)


async def test_offline_text_echoes_only_a_short_prefix() -> None:
    request = TextRequest(prompt="word " * 500, system_instruction="", max_output_tokens=50)
    result = await OfflineTextProvider().generate_text("gemini-a", request)
    assert len(result.text) < 200


async def test_offline_text_streams_word_by_word_into_the_same_text() -> None:
    request = TextRequest(prompt="A launch note", system_instruction="", max_output_tokens=50)
    pieces: list[str] = []

    async def on_text(text: str) -> None:
        pieces.append(text)

    result = await OfflineTextProvider().stream_text("gemini-a", request, on_text)
    assert len(pieces) > 3 and "".join(pieces) == result.text


def test_offline_image_is_a_valid_png_of_the_asked_size() -> None:
    result = OfflineImageProvider().generate_image(
        ImageRequest(prompt="a lighthouse", seed=3, steps=20, width=96, height=64, guidance_scale=7.0)
    )
    png = result.png
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png[12:16] == b"IHDR" and struct.unpack(">II", png[16:24]) == (96, 64)
    length = struct.unpack(">I", png[33:37])[0]
    assert png[37:41] == b"IDAT"
    assert len(zlib.decompress(png[41 : 41 + length])) == 64 * (1 + 96 * 3)
    assert (result.provider, result.seed) == ("offline", 3)


def test_offline_image_depends_on_the_seed_only() -> None:
    assert placeholder_png(16, 16, 1) == placeholder_png(16, 16, 1)
    assert placeholder_png(16, 16, 1) != placeholder_png(16, 16, 2)


def test_no_diffusion_model_means_the_placeholder() -> None:
    assert isinstance(image_provider_from_settings(None), OfflineImageProvider)
