"""The model clouds' fakes on a free port for one test: a module that uses one imports the fixture
(and lists it in ``__all__``) and passes the matching key to the provider or router it builds. And
the image pipeline a worker draws with, in process, remembering what it was asked."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from sandbox.gemini import FakeGemini
from sandbox.openai_server import FakeOpenAI
from workers.providers.base import ImageRequest, ImageResult
from workers.providers.offline import OfflineImageProvider
from workers.providers.router import TextRouter

GEMINI_KEY = "test-gemini-key"
OPENAI_KEY = "test-openai-key"

# What a ``make_router`` fixture gives: ``await make_router(**options)`` is a text router pointed at
# the fake Gemini, with the fixture's settings but for the options given.
RouterFactory = Callable[..., Awaitable[TextRouter]]


@pytest.fixture
async def fake_gemini() -> AsyncIterator[FakeGemini]:
    async with FakeGemini(api_key=GEMINI_KEY) as fake:
        yield fake


@pytest.fixture
async def fake_openai() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI(api_key=OPENAI_KEY) as fake:
        yield fake


class RecordingImagePipeline:
    """The image pipeline a worker draws with: the offline placeholder, remembering every request."""

    name = "offline"
    model = "recording-pipeline"

    def __init__(self) -> None:
        self.drawn: list[ImageRequest] = []

    def generate_image(self, request: ImageRequest) -> ImageResult:
        self.drawn.append(request)
        return OfflineImageProvider().generate_image(request)
