"""Jobs routed by their organization's model policy over two providers (the fake Gemini and the
fake OpenAI-compatible server), run in this process as a worker runs them: the policy chooses the
model, a failing model hands over to the next one before any output is shown, and the ledger
records the answering model, its tokens and the cost the price table gives for what the fake
reported, every attempt booked to the model that served it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.process.runtime import Runtime
from bot.quota import QuotaService
from bot.routing.catalogue import Catalogue, ModelSpec
from bot.routing.latency import LatencyBoard
from bot.routing.policy import Strategy
from bot.routing.pricing import cost_micros
from bot.routing.service import change_routing_policy
from db.engine import Database
from db.models import Job, JobState, QuotaSettlement
from sandbox.gemini import FakeGemini
from sandbox.gemini import prompt_tokens as billed_prompt
from sandbox.openai_server import FakeOpenAI
from tests.support.fakes import OPENAI_KEY, fake_openai
from tests.support.workers import GEMINI_KEY, Submitter, in_process_worker, load_job, requests_with
from workers.flow import Outcome, run_job
from workers.loop import WorkerContext
from workers.providers import TextRouter

__all__ = ["fake_openai"]

THOUGHTS = 150  # what the Gemini model thinks before it gives nothing


@pytest.fixture
def catalogue(gemini: FakeGemini, fake_openai: FakeOpenAI) -> Catalogue:
    return Catalogue(
        (
            ModelSpec(
                "flash",
                "gemini",
                "gemini-a",
                base_url=gemini.url,
                api_key_env="ROUTED_GEMINI_KEY",
                input_price=Decimal("0.30"),
                output_price=Decimal("2.50"),
            ),
            ModelSpec(
                "llama",
                "openai",
                "llama-3.1-8b",
                base_url=fake_openai.base_url,
                api_key_env="ROUTED_OPENAI_KEY",
                input_price=Decimal("0.05"),
                output_price=Decimal("0.08"),
            ),
        )
    )


@pytest.fixture
async def context(runtime: Runtime, quota: QuotaService, catalogue: Catalogue) -> AsyncIterator[WorkerContext]:
    latency = LatencyBoard(runtime.redis, catalogue.names)
    router = TextRouter.from_catalogue(
        catalogue, environ={"ROUTED_GEMINI_KEY": GEMINI_KEY, "ROUTED_OPENAI_KEY": OPENAI_KEY}, latency=latency
    )
    async with in_process_worker(runtime, quota, router, catalogue=catalogue, latency=latency) as context:
        yield context


@dataclass(frozen=True)
class Routing:
    """One organization's jobs, run through the routed worker context, and what the fakes saw."""

    context: WorkerContext
    submitter: Submitter
    org_id: uuid.UUID
    database: Database
    openai: FakeOpenAI
    gemini: FakeGemini
    catalogue: Catalogue

    async def run(self, prompt: str) -> tuple[uuid.UUID, Outcome]:
        [job_id] = await self.submitter.commit_unsent(self.org_id, [prompt], [self.submitter.new_channel()])
        return job_id, await run_job(self.context, job_id, self.org_id)

    async def job(self, job_id: uuid.UUID) -> Job:
        return await load_job(self.database, self.org_id, job_id)

    async def settlement(self, job_id: uuid.UUID) -> QuotaSettlement:
        async with self.database.tenant(self.org_id) as session:
            query = select(QuotaSettlement).where(QuotaSettlement.job_id == job_id)
            return (await session.execute(query)).scalar_one()

    def spec(self, name: str) -> ModelSpec:
        found = self.catalogue.get(name)
        assert found is not None
        return found


@pytest.fixture
def routing(
    context: WorkerContext,
    submitter: Submitter,
    org_id: uuid.UUID,
    app_db: Database,
    fake_openai: FakeOpenAI,
    gemini: FakeGemini,
    catalogue: Catalogue,
) -> Routing:
    return Routing(context, submitter, org_id, app_db, fake_openai, gemini, catalogue)


async def test_the_cheapest_allowed_model_answers_and_the_ledger_prices_what_it_reported(routing: Routing) -> None:
    await change_routing_policy(routing.database, routing.org_id, actor="UADMIN", strategy=Strategy.CHEAPEST)
    tag = uuid.uuid4().hex[:12]

    job_id, outcome = await routing.run(f"A note about tea {tag}")

    assert outcome == Outcome.POSTED
    job = await routing.job(job_id)
    assert (job.state, job.model) == (JobState.POSTED, "llama")
    assert requests_with(routing.gemini, tag) == []
    usage = routing.openai.usage()["llama-3.1-8b"]
    row = await routing.settlement(job_id)
    assert (row.model, row.input_tokens, row.output_tokens) == ("llama", usage.prompt_tokens, usage.completion_tokens)
    assert row.cost_micros == cost_micros(routing.spec("llama"), usage.prompt_tokens, usage.completion_tokens) > 0
    assert (await routing.context.quota.status(routing.org_id)).spent_micros == row.cost_micros


async def test_a_failing_model_hands_over_to_the_next_allowed_one(routing: Routing) -> None:
    tag = uuid.uuid4().hex[:12]
    routing.gemini.inject(status=503, prompt_contains=tag, count=None)

    job_id, outcome = await routing.run(f"A note about coffee {tag}")

    assert outcome == Outcome.POSTED
    assert (await routing.job(job_id)).model == "llama"
    assert len(requests_with(routing.gemini, tag)) == 1  # one try, then the next model: no backoff on it
    assert (await routing.settlement(job_id)).model == "llama"


async def test_a_model_that_billed_no_answer_is_booked_its_own_cost_and_the_answering_one_its_own(
    routing: Routing,
) -> None:
    tag = uuid.uuid4().hex[:12]
    # Gemini thinks, reports the thinking (billed as output) and then gives no text.
    routing.gemini.inject(model="gemini-a", finish_reason="OTHER", thoughts_tokens=THOUGHTS, prompt_contains=tag)
    routing.openai.reset()

    job_id, outcome = await routing.run(f"A note about juice {tag}")

    assert outcome == Outcome.POSTED
    [flash_call] = requests_with(routing.gemini, tag)
    flash_in = billed_prompt(flash_call.body)
    llama_usage = routing.openai.usage()["llama-3.1-8b"]
    flash_cost = cost_micros(routing.spec("flash"), flash_in, THOUGHTS)
    llama_cost = cost_micros(routing.spec("llama"), llama_usage.prompt_tokens, llama_usage.completion_tokens)
    row = await routing.settlement(job_id)
    assert (row.model, row.cost_micros) == ("llama", flash_cost + llama_cost)
    assert row.charges == [
        {
            "model": "flash",
            "attempt": 1,
            "input_tokens": flash_in,
            "output_tokens": THOUGHTS,
            "cached_input_tokens": 0,
            "cost_micros": flash_cost,
        },
        {
            "model": "llama",
            "attempt": 2,
            "input_tokens": llama_usage.prompt_tokens,
            "output_tokens": llama_usage.completion_tokens,
            "cached_input_tokens": 0,
            "cost_micros": llama_cost,
        },
    ]
    status = await routing.context.quota.status(routing.org_id)
    by_model = {
        line.model: (line.jobs, line.input_tokens, line.output_tokens, line.cost_micros) for line in status.by_model
    }
    assert by_model == {
        "flash": (1, flash_in, THOUGHTS, flash_cost),
        "llama": (1, llama_usage.prompt_tokens, llama_usage.completion_tokens, llama_cost),
    }
    assert status.spent_micros == flash_cost + llama_cost


async def test_a_job_no_model_answered_is_charged_each_models_reported_usage_at_its_prices(routing: Routing) -> None:
    tag = uuid.uuid4().hex[:12]
    routing.gemini.inject(model="gemini-a", finish_reason="OTHER", thoughts_tokens=THOUGHTS, prompt_contains=tag)
    routing.openai.reset()
    routing.openai.inject(model="llama-3.1-8b", blank_answer=True, prompt_contains=tag, count=None)

    job_id, outcome = await routing.run(f"A note about milk {tag}")

    assert outcome == Outcome.FAILED
    flash_prompt = billed_prompt(requests_with(routing.gemini, tag)[0].body)
    flash_cost = cost_micros(routing.spec("flash"), flash_prompt, THOUGHTS)
    llama_usage = routing.openai.usage()["llama-3.1-8b"]
    per_call = (llama_usage.prompt_tokens // llama_usage.calls, llama_usage.completion_tokens // llama_usage.calls)
    llama_cost = llama_usage.calls * cost_micros(routing.spec("llama"), *per_call)
    row = await routing.settlement(job_id)
    assert row.charges is not None
    assert [line["model"] for line in row.charges] == ["flash"] + ["llama"] * llama_usage.calls
    assert row.cost_micros == flash_cost + llama_cost
    status = await routing.context.quota.status(routing.org_id)
    assert {line.model: line.cost_micros for line in status.by_model} == {"flash": flash_cost, "llama": llama_cost}
    # The job keeps the bill too: what a settlement after a crash between the two would charge.
    failed = await routing.job(job_id)
    assert (failed.cost_micros, failed.model_charges) == (row.cost_micros, row.charges)


async def test_a_model_the_policy_does_not_allow_is_never_called(routing: Routing) -> None:
    await change_routing_policy(routing.database, routing.org_id, actor="UADMIN", allowed=("flash",))
    tag = uuid.uuid4().hex[:12]
    routing.openai.reset()

    job_id, outcome = await routing.run(f"A note about water {tag}")

    assert outcome == Outcome.POSTED
    assert (await routing.job(job_id)).model == "flash"
    assert routing.openai.requests == []
    assert len(requests_with(routing.gemini, tag)) == 1
