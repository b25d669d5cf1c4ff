"""The model clouds' fakes on a free port for one test: a module that uses one imports the fixture
(and lists it in ``__all__``) and passes the matching key to the provider or router it builds."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sandbox.gemini import FakeGemini
from sandbox.openai_server import FakeOpenAI

GEMINI_KEY = "test-gemini-key"
OPENAI_KEY = "test-openai-key"


@pytest.fixture
async def fake_gemini() -> AsyncIterator[FakeGemini]:
    async with FakeGemini(api_key=GEMINI_KEY) as fake:
        yield fake


@pytest.fixture
async def fake_openai() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI(api_key=OPENAI_KEY) as fake:
        yield fake
