"""`/content models` and `/content quota money` through bolt: admins change the model policy and
the next job follows it, every change is audited, viewers and editors cannot change it, and a
money budget refuses a job whose estimate exceeds what is left before anything is queued."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from db.models import Job
from tests.support.slack import Service, ServiceFactory, audit_actions, org_counts, workspace_org
from workers.lifecycle import claim_job

CATALOGUE = """
currency: USD
models:
  - {name: cheap, provider: openai, base_url: "http://127.0.0.1:9/v1", price: {input: 0.10, output: 0.40}}
  - {name: dear, provider: openai, base_url: "http://127.0.0.1:9/v1", price: {input: 5, output: 15}}
"""


@pytest.fixture
async def priced(make_service: ServiceFactory) -> AsyncIterator[Service]:
    async with make_service.running(slack_bot_token=make_service.workspace.bot_token, model_catalogue=CATALOGUE) as s:
        yield s


@pytest.fixture
async def priced_org(priced: Service) -> uuid.UUID:
    return await workspace_org(priced, "Priced")


async def submitted_job(service: Service, org_id: uuid.UUID, text: str) -> Job:
    answer = await service.command(text, user=service.workspace.editor)
    assert "Working on it — job `" in answer.text, answer.text
    async with service.database.tenant(org_id) as session:
        return (await session.execute(select(Job).order_by(Job.created_at.desc()).limit(1))).scalar_one()


async def test_an_admins_policy_change_takes_effect_on_the_next_job_and_is_audited(
    priced: Service, priced_org: uuid.UUID
) -> None:
    ws = priced.workspace
    shown = await priced.command("models", user=ws.editor)
    assert "Allowed: every model" in shown.text and "`dear`" in shown.text

    changed = await priced.command("models allow cheap", user=ws.owner)
    assert "the next job follows it" in changed.text and "Allowed: `cheap`" in changed.text
    job = await submitted_job(priced, priced_org, "text a haiku about tea")
    claim = await claim_job(priced.database, priced_org, job.id, 60)
    assert claim is not None
    assert claim.policy.routing.allowed == ("cheap",)
    # Only the cheap model may answer now, so only its price is held.
    cheap_hold = job.cost_reserved_micros

    await priced.command("models allow all", user=ws.owner)
    await priced.command("models strategy fastest", user=ws.owner)
    job = await submitted_job(priced, priced_org, "text a haiku about tea")
    claim = await claim_job(priced.database, priced_org, job.id, 60)
    assert claim is not None
    assert (claim.policy.routing.allowed, str(claim.policy.routing.strategy)) == (None, "fastest")
    assert job.cost_reserved_micros > cheap_hold > 0

    actions = await audit_actions(priced.database, priced_org)
    assert actions.count("models.policy_set") == 3


@pytest.mark.parametrize("role", ["editor", "viewer"])
@pytest.mark.parametrize("text", ["models allow cheap", "models strategy cheapest", "quota money 5"])
async def test_viewers_and_editors_cannot_change_the_model_policy_or_the_money_budget(
    priced: Service, priced_org: uuid.UUID, role: str, text: str
) -> None:
    ws = priced.workspace
    answer = await priced.command(text, user=ws.user_for(role))
    assert "needs the admin role" in answer.text
    assert (await audit_actions(priced.database, priced_org))[-1] == "command.refused"
    shown = await priced.command("models", user=ws.user_for(role))
    assert "Allowed: every model" in shown.text and "(`ordered`)" in shown.text


async def test_a_model_not_in_the_catalogue_is_refused_by_name(priced: Service, priced_org: uuid.UUID) -> None:
    answer = await priced.command("models allow gpt-9", user=priced.workspace.owner)
    assert "Not in the model catalogue: `gpt-9`" in answer.text
    assert "models.policy_set" not in await audit_actions(priced.database, priced_org)


async def test_a_money_budget_refuses_a_job_whose_estimate_exceeds_what_is_left(
    priced: Service, priced_org: uuid.UUID
) -> None:
    ws = priced.workspace
    set_answer = await priced.command("quota money 0.01", user=ws.owner)
    assert "The monthly money budget is now *$0.01*." in set_answer.text
    before = await org_counts(priced.database, priced_org)

    refused = await priced.command("text a haiku about tea", user=ws.editor)

    assert "Monthly money budget reached: $0.01 of $0.01 left" in refused.text
    assert "Nothing was generated." in refused.text
    assert await org_counts(priced.database, priced_org) == before  # nothing queued, so no model was called

    # The cheap model alone fits: the estimate follows the policy.
    await priced.command("models allow cheap", user=ws.owner)
    await submitted_job(priced, priced_org, "text a haiku about tea")
    status = await priced.command("quota", user=ws.editor)
    assert "*Spend*" in status.text and "held for jobs in progress" in status.text
