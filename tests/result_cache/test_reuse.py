"""The result cache against the fake Gemini and the run's Redis: a hit calls no model and costs nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
import redis.asyncio as aioredis

from bot.brand import BrandPart, BrandService
from bot.orgs.service import OrgPolicy, create_organization, load_org_policy
from bot.result_cache import set_result_cache
from bot.routing.catalogue import shorthand_catalogue
from db.engine import Database
from db.models import Job
from sandbox.gemini import FakeGemini
from tests.support.database import new_team_id
from tests.support.fakes import GEMINI_KEY, fake_gemini
from tests.support.rows import job_to_generate
from workers.generation import generate_content
from workers.providers.context_cache import ContextCaches
from workers.providers.router import TextRouter
from workers.views import context_line

__all__ = ["fake_gemini"]

API_KEY = GEMINI_KEY


@pytest.fixture
async def context(fake_gemini: FakeGemini, app_db: Database, aredis: aioredis.Redis) -> AsyncIterator[SimpleNamespace]:
    router = TextRouter.from_settings(["gemini-a"], API_KEY, fake_gemini.url, timeout=5.0)
    runtime = SimpleNamespace(database=app_db, redis=aredis, settings=SimpleNamespace(result_cache_ttl_seconds=60))
    yield SimpleNamespace(
        router=router,
        runtime=runtime,
        context_caches=ContextCaches(router.provider, aredis, routes=router.routes),
        models=shorthand_catalogue(router.models),
        latency=None,
    )
    await router.aclose()


async def _opted_in(app_db: Database, org_id: uuid.UUID) -> OrgPolicy:
    await set_result_cache(app_db, org_id, enabled=True, actor="UADMIN")
    return await load_org_policy(app_db, org_id)


def _job(org_id: uuid.UUID, prompt: str = "a haiku about tea") -> Job:
    return job_to_generate(org_id, prompt, requester_id="UEDITOR")


def _model_calls(fake: FakeGemini) -> int:
    return len(fake.requests_for("gemini-a"))


async def test_an_identical_request_reuses_the_result_without_a_model_call(
    context: SimpleNamespace, fake_gemini: FakeGemini, app_db: Database, org_id: uuid.UUID
) -> None:
    policy = await _opted_in(app_db, org_id)
    first = await generate_content(context, _job(org_id), {}, policy)
    assert _model_calls(fake_gemini) == 1 and not first.reused and first.tokens_used > 0

    job = _job(org_id)
    again = await generate_content(context, job, {}, policy)

    assert _model_calls(fake_gemini) == 1  # counted at the fake: no call on a hit
    assert again.reused and again.tokens_used == 0 and again.text == first.text
    assert "reused from an identical request" in context_line(job, again)


async def test_organizations_that_did_not_opt_in_always_call_the_model(
    context: SimpleNamespace, fake_gemini: FakeGemini, app_db: Database, org_id: uuid.UUID
) -> None:
    policy = await load_org_policy(app_db, org_id)
    assert not policy.result_cache
    for _ in range(2):
        assert not (await generate_content(context, _job(org_id), {}, policy)).reused
    assert _model_calls(fake_gemini) == 2


async def test_keys_belong_to_one_organization(
    context: SimpleNamespace, fake_gemini: FakeGemini, app_db: Database, org_id: uuid.UUID
) -> None:
    other = await create_organization(app_db, name="Other", team_id=new_team_id(), admin_user_id="UOTHER")
    await generate_content(context, _job(org_id), {}, await _opted_in(app_db, org_id))
    theirs = await generate_content(context, _job(other), {}, await _opted_in(app_db, other))
    assert not theirs.reused and _model_calls(fake_gemini) == 2


async def test_a_new_brand_kit_version_or_another_prompt_is_a_new_request_and_plain_matches_no_kit(
    context: SimpleNamespace, fake_gemini: FakeGemini, app_db: Database, org_id: uuid.UUID
) -> None:
    policy = await _opted_in(app_db, org_id)
    await generate_content(context, _job(org_id), {}, policy)
    await BrandService(app_db).set_part(org_id, BrandPart.TONE, "formal", actor="UADMIN", policy=policy)
    assert not (await generate_content(context, _job(org_id), {}, policy)).reused
    assert not (await generate_content(context, _job(org_id, "a haiku about coffee"), {}, policy)).reused
    # Without the kit (`--plain`) it is the request made before the kit was written.
    plain = _job(org_id)
    plain.brand_voice = False
    assert (await generate_content(context, plain, {}, policy)).reused
    assert _model_calls(fake_gemini) == 3
