"""Gemini explicit context caching against the fake: one cache per kit version, reused by every
job, refreshed before it expires, and its tokens reported as cached."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from types import SimpleNamespace

import aiohttp
import pytest
import redis.asyncio as aioredis

from bot.brand import BrandService
from bot.brand.service import BrandDraft
from bot.orgs.service import load_org_policy
from bot.routing.catalogue import parse_catalogue, shorthand_catalogue
from bot.routing.pricing import cost_micros
from db.engine import Database
from db.models import Job
from sandbox.gemini import FakeGemini
from tests.support.rows import job_to_generate
from workers.generation import SYSTEM_INSTRUCTION, generate_content
from workers.providers.base import ProviderError
from workers.providers.context_cache import CACHE_TTL_SECONDS, REFRESH_BEFORE_SECONDS, ContextCaches
from workers.providers.gemini import GeminiTextProvider
from workers.providers.router import TextRouter
from workers.providers.tokens import estimate_tokens

API_KEY = "test-gemini-key"
MODEL = "gemini-a"
LONG_EXAMPLES = tuple(
    f"Example post {n}: " + "Our tea is picked by hand at dawn and shipped the same week. " * 12 for n in range(5)
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeGemini]:
    async with FakeGemini(api_key=API_KEY) as running:
        yield running


@pytest.fixture
async def router(fake: FakeGemini) -> AsyncIterator[TextRouter]:
    built = TextRouter.from_settings([MODEL], API_KEY, fake.url, timeout=5.0)
    yield built
    await built.aclose()


def _context(router: TextRouter, app_db: Database, aredis: aioredis.Redis, **options: object) -> SimpleNamespace:
    return SimpleNamespace(
        router=router,
        runtime=SimpleNamespace(database=app_db, redis=aredis),
        context_caches=ContextCaches(router.provider, aredis, routes=router.routes, **options),
        models=shorthand_catalogue(router.models),
        latency=None,
    )


async def _long_kit(app_db: Database, org_id: uuid.UUID, tone: str = "warm") -> None:
    policy = await load_org_policy(app_db, org_id)
    draft = BrandDraft(tone=tone, audience="tea lovers", examples=LONG_EXAMPLES)
    await BrandService(app_db).replace_kit(org_id, draft, actor="UADMIN", policy=policy)


def _job(org_id: uuid.UUID) -> Job:
    return job_to_generate(org_id, "a note about tea", tokens_reserved=4000)


async def test_a_long_kit_is_cached_once_per_version_and_reused_by_every_job(
    fake: FakeGemini, router: TextRouter, app_db: Database, aredis: aioredis.Redis, org_id: uuid.UUID
) -> None:
    await _long_kit(app_db, org_id)
    context = _context(router, app_db, aredis)

    first = await generate_content(context, _job(org_id), {})
    second = await generate_content(context, _job(org_id), {})

    assert fake.caches.created == 1
    [cache] = fake.caches.all()
    assert estimate_tokens(cache.body["systemInstruction"]["parts"][0]["text"]) >= 1024
    calls = fake.requests_for(MODEL)
    assert [c.body.get("cachedContent") for c in calls] == [cache.name, cache.name]
    assert all("systemInstruction" not in c.body for c in calls)
    # The job's canary still goes with every call, in a turn of its own before the prompt.
    assert all("Internal marker" in str(c.body["contents"][0]) for c in calls)
    assert first.cached_tokens == second.cached_tokens == cache.tokens > 0
    assert first.tokens_used > first.cached_tokens  # cached tokens are part of the input, billed cheaper

    await _long_kit(app_db, org_id, tone="formal")  # a new kit version gets its own cache
    await generate_content(context, _job(org_id), {})
    assert fake.caches.created == 2


async def test_a_cache_near_its_expiry_is_refreshed_not_made_again(
    fake: FakeGemini, router: TextRouter, app_db: Database, aredis: aioredis.Redis, org_id: uuid.UUID
) -> None:
    prefix = "x" * 8000
    first = await ContextCaches(router.provider, aredis).names_for(org_id, 1, prefix, [MODEL])
    [cache] = fake.caches.all()
    before = cache.expires
    near_expiry = before.timestamp() - REFRESH_BEFORE_SECONDS / 2
    later = ContextCaches(router.provider, aredis, clock=lambda: near_expiry)

    assert await later.names_for(org_id, 1, prefix, [MODEL]) == first
    assert fake.caches.created == 1
    assert cache.expires > before  # moved a TTL ahead of now
    assert CACHE_TTL_SECONDS > REFRESH_BEFORE_SECONDS


async def test_a_short_kit_or_a_provider_without_caches_sends_the_instruction_whole(
    fake: FakeGemini, router: TextRouter, app_db: Database, aredis: aioredis.Redis, org_id: uuid.UUID
) -> None:
    policy = await load_org_policy(app_db, org_id)
    await BrandService(app_db).replace_kit(org_id, BrandDraft(tone="brief"), actor="UADMIN", policy=policy)
    result = await generate_content(_context(router, app_db, aredis), _job(org_id), {})
    [call] = fake.requests_for(MODEL)
    assert call.body["systemInstruction"]["parts"][0]["text"].startswith(SYSTEM_INSTRUCTION)
    assert "cachedContent" not in call.body and result.cached_tokens == 0 and fake.caches.created == 0
    assert ContextCaches(object(), aredis).applies_to("x" * 100_000) is False
    assert isinstance(router.provider, GeminiTextProvider)


async def test_the_fake_refuses_what_gemini_refuses(fake: FakeGemini, router: TextRouter) -> None:
    provider = router.provider
    assert isinstance(provider, GeminiTextProvider)
    with pytest.raises(ProviderError, match="400"):
        await provider.create_context_cache(MODEL, "too short to cache", 600)


async def test_the_fake_refuses_a_cache_beside_a_system_instruction_or_for_another_model(fake: FakeGemini) -> None:
    long_instruction = {"parts": [{"text": "y" * 5000}]}
    async with aiohttp.ClientSession(headers={"x-goog-api-key": API_KEY}) as http:
        created = await (
            await http.post(
                f"{fake.url}/v1beta/cachedContents",
                json={"model": f"models/{MODEL}", "systemInstruction": long_instruction, "ttl": "60s"},
            )
        ).json()
        contents = [{"role": "user", "parts": [{"text": "hi"}]}]

        async def generate(model: str, **extra: object) -> aiohttp.ClientResponse:
            body = {"contents": contents, "cachedContent": created["name"], **extra}
            return await http.post(f"{fake.url}/v1beta/models/{model}:generateContent", json=body)

        assert (await generate(MODEL, systemInstruction=long_instruction)).status == 400
        assert (await generate("gemini-b")).status == 403
        answered = await (await generate(MODEL)).json()
        assert answered["usageMetadata"]["cachedContentTokenCount"] == 1250
        await http.delete(f"{fake.url}/v1beta/{created['name']}")
        assert (await generate(MODEL)).status == 403


async def test_a_routed_model_is_cached_under_its_provider_id_and_its_cached_tokens_cost_the_cached_price(
    fake: FakeGemini, app_db: Database, aredis: aioredis.Redis, org_id: uuid.UUID
) -> None:
    catalogue = parse_catalogue(
        f"""
currency: EUR
models:
  - name: house-writer
    provider: gemini
    model: {MODEL}
    base_url: {fake.url}
    api_key_env: CF_TEST_GEMINI_KEY
    price: {{input: 1.00, output: 2.00, cached_input: 0.10}}
"""
    )
    router = TextRouter.from_catalogue(catalogue, environ={"CF_TEST_GEMINI_KEY": API_KEY}, timeout=5.0)
    await _long_kit(app_db, org_id)
    context = SimpleNamespace(
        router=router,
        runtime=SimpleNamespace(database=app_db, redis=aredis),
        context_caches=ContextCaches(router.provider, aredis, routes=router.routes),
        models=catalogue,
        latency=None,
    )
    try:
        result = await generate_content(context, _job(org_id), {})
    finally:
        await router.aclose()

    [cache] = fake.caches.all()
    assert [call.body.get("cachedContent") for call in fake.requests_for(MODEL)] == [cache.name]
    assert result.cached_tokens == cache.tokens > 0
    spec = catalogue.get("house-writer")
    assert spec is not None
    used = (result.input_tokens or 0, result.output_tokens or 0)
    assert result.cost_micros == cost_micros(spec, *used, cached_input_tokens=result.cached_tokens)
    assert (result.cost_micros or 0) < cost_micros(spec, *used)  # cheaper than sending the prefix again
