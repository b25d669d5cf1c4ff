"""The ledger records what a provider read from its context cache: the second job of an
organization with a long brand kit, run in one worker's event loop against the fake Gemini, is
settled with its cached input tokens and the cheaper cost, to the micro, and `/content quota` says so."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.brand import BrandService
from bot.brand.service import BrandDraft
from bot.orgs.service import load_org_policy
from bot.process.runtime import Runtime
from bot.quota import QuotaService
from bot.quota.messages import render_status
from bot.routing.catalogue import Catalogue, parse_catalogue
from bot.routing.pricing import cost_micros
from db.engine import Database
from db.models import QuotaSettlement
from sandbox.gemini import FakeGemini
from tests.support.workers import GEMINI_KEY, MODELS, Submitter, in_process_worker
from workers.flow import Outcome, run_job
from workers.loop import WorkerContext
from workers.providers import TextRouter

LONG_EXAMPLES = tuple(
    f"Example post {n}: " + "Our tea is picked by hand at dawn and shipped the same week. " * 12 for n in range(5)
)


@pytest.fixture
def catalogue(gemini: FakeGemini) -> Catalogue:
    return parse_catalogue(
        f"""
currency: EUR
models:
  - name: house-writer
    provider: gemini
    model: {MODELS[0]}
    base_url: {gemini.url}
    api_key_env: CF_TEST_GEMINI_KEY
    price: {{input: 1.00, output: 2.00, cached_input: 0.10}}
"""
    )


@pytest.fixture
async def context(runtime: Runtime, quota: QuotaService, catalogue: Catalogue) -> AsyncIterator[WorkerContext]:
    router = TextRouter.from_catalogue(catalogue, environ={"CF_TEST_GEMINI_KEY": GEMINI_KEY}, timeout=5.0)
    async with in_process_worker(runtime, quota, router, catalogue=catalogue) as context:
        yield context


async def _settlement(app_db: Database, org_id: uuid.UUID, job_id: uuid.UUID) -> QuotaSettlement:
    async with app_db.tenant(org_id) as session:
        return (await session.execute(select(QuotaSettlement).where(QuotaSettlement.job_id == job_id))).scalar_one()


async def test_the_second_job_with_a_long_kit_is_settled_with_its_cached_tokens_at_the_cached_price(
    context: WorkerContext,
    submitter: Submitter,
    org_id: uuid.UUID,
    app_db: Database,
    gemini: FakeGemini,
    quota: QuotaService,
    catalogue: Catalogue,
) -> None:
    policy = await load_org_policy(app_db, org_id)
    draft = BrandDraft(tone="warm", audience="tea lovers", examples=LONG_EXAMPLES)
    await BrandService(app_db).replace_kit(org_id, draft, actor="UADMIN", policy=policy)
    channel = submitter.new_channel()
    tag = uuid.uuid4().hex[:10]
    first, second = await submitter.commit_unsent(
        org_id, [f"a note about tea {tag}", f"a note about coffee {tag}"], [channel]
    )

    assert await run_job(context, first, org_id) == Outcome.POSTED
    assert await run_job(context, second, org_id) == Outcome.POSTED

    [cache] = gemini.caches.all()
    assert gemini.caches.created == 1  # the second job reused the first one's cache
    spec = catalogue.get("house-writer")
    assert spec is not None
    row = await _settlement(app_db, org_id, second)
    assert row.model == "house-writer"
    assert row.cached_input_tokens == cache.tokens > 0
    assert row.input_tokens is not None and row.output_tokens is not None
    assert row.input_tokens > row.cached_input_tokens
    # To the micro: the uncached input at 1.00, the cached at 0.10, the output at 2.00 per million.
    expected = cost_micros(spec, row.input_tokens, row.output_tokens, cached_input_tokens=row.cached_input_tokens)
    assert row.cost_micros == expected
    assert row.cost_micros < cost_micros(spec, row.input_tokens, row.output_tokens)
    full_input = (row.input_tokens - row.cached_input_tokens) * 1 + row.cached_input_tokens * 0.1
    assert row.cost_micros == round(full_input + row.output_tokens * 2)

    status = await quota.status(org_id)
    [by_model] = status.by_model
    first_row = await _settlement(app_db, org_id, first)
    assert by_model.cached_input_tokens == row.cached_input_tokens + (first_row.cached_input_tokens or 0)
    assert by_model.cost_micros == row.cost_micros + first_row.cost_micros
    assert f"{by_model.cached_input_tokens:,} of them cached" in render_status(status)
