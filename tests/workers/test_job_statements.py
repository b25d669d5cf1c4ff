"""The statements every job runs (claim and post), each one statement with its audit events under
the job's tenant: what they return, what they store, the events on the chain, and what another
organization's tenant cannot do with them. In-process, against the real database."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from bot.brand import BrandKit, BrandPart, BrandService, load_brand_kit
from bot.orgs.service import create_organization, load_org_policy
from db.audit import verify_chain
from db.engine import Database
from db.models import JobState, WorkflowStep
from tests.support.database import new_team_id
from tests.support.workers import Submitter, audit_actions, load_job, set_policy
from workers import lifecycle
from workers.lifecycle import JobResult

LEASE_SECONDS = 30.0


async def committed_job(submitter: Submitter, org_id: uuid.UUID) -> uuid.UUID:
    [job_id] = await submitter.commit_unsent(org_id, [f"Write the weekly note {uuid.uuid4().hex[:8]}"], ["CGENERAL"])
    return job_id


async def claimed(app_db: Database, org_id: uuid.UUID, job_id: uuid.UUID) -> lifecycle.Claim:
    claim = await lifecycle.claim_job(app_db, org_id, job_id, LEASE_SECONDS)
    assert claim is not None
    return claim


@pytest.fixture
async def claim(submitter: Submitter, app_db: Database, org_id: uuid.UUID) -> lifecycle.Claim:
    """A job committed and claimed: its first attempt, running under a lease."""
    return await claimed(app_db, org_id, await committed_job(submitter, org_id))


async def test_a_claim_returns_the_job_and_its_organizations_policy_of_that_moment(
    submitter: Submitter, app_db: Database, org_id: uuid.UUID
) -> None:
    job_id = await committed_job(submitter, org_id)
    await set_policy(app_db, org_id, approvals_required=True, approvers_channel="CAPPROVERS")
    claim = await claimed(app_db, org_id, job_id)
    stored = await load_job(app_db, org_id, job_id)
    assert (claim.job.id, claim.job.org_id, claim.job.state, claim.job.attempts) == (job_id, org_id, "running", 1)
    assert claim.job.masked_prompt == stored.masked_prompt
    assert claim.job.trace_context == stored.trace_context
    assert claim.job.created_at == stored.created_at and stored.lease_until is not None
    assert claim.policy == await load_org_policy(app_db, org_id)
    assert claim.policy.approvals_required and claim.policy.approvers_channel == "CAPPROVERS"
    assert (claim.lease.job_id, claim.lease.org_id, claim.lease.attempt) == (job_id, org_id, 1)
    events = await audit_actions(app_db, org_id, job_id)
    assert [(event.action, event.actor, event.detail) for event in events][-1] == (
        "job.running",
        "worker",
        {"attempt": 1},
    )


async def test_a_claim_reads_the_brand_kit_and_whether_the_job_runs_a_workflow_step(
    submitter: Submitter, app_db: Database, org_id: uuid.UUID
) -> None:
    plain, stepped = await committed_job(submitter, org_id), await committed_job(submitter, org_id)
    policy = await load_org_policy(app_db, org_id)
    brand = BrandService(app_db)
    await brand.set_part(org_id, BrandPart.TONE, "warm and plain-spoken", actor="UADMIN", policy=policy)
    await brand.set_part(org_id, BrandPart.USE, "tea, leaf", actor="UADMIN", policy=policy)
    async with app_db.tenant(org_id) as session:
        session.add(WorkflowStep(function_execution_id=f"Fx{uuid.uuid4().hex[:12]}", org_id=org_id, job_id=stepped))

    first = await lifecycle.claim_job(app_db, org_id, plain, LEASE_SECONDS)
    second = await lifecycle.claim_job(app_db, org_id, stepped, LEASE_SECONDS)

    assert first is not None and second is not None
    assert first.kit == second.kit == await load_brand_kit(app_db, org_id)
    assert first.kit.tone == "warm and plain-spoken" and first.kit.words_to_use == ("tea", "leaf")
    assert (first.in_workflow_step, second.in_workflow_step) == (False, True)


async def test_a_claim_without_a_brand_kit_carries_the_empty_one(
    submitter: Submitter, app_db: Database, org_id: uuid.UUID
) -> None:
    claim = await lifecycle.claim_job(app_db, org_id, await committed_job(submitter, org_id), LEASE_SECONDS)
    assert claim is not None and claim.kit == BrandKit() and not claim.in_workflow_step


async def test_a_job_is_claimed_once(submitter: Submitter, app_db: Database, org_id: uuid.UUID) -> None:
    job_id = await committed_job(submitter, org_id)
    assert await lifecycle.claim_job(app_db, org_id, job_id, LEASE_SECONDS) is not None
    assert await lifecycle.claim_job(app_db, org_id, job_id, LEASE_SECONDS) is None
    actions = [event.action for event in await audit_actions(app_db, org_id, job_id)]
    assert actions.count("job.running") == 1


async def test_another_organizations_tenant_cannot_claim_or_post_a_job(
    submitter: Submitter, app_db: Database, org_id: uuid.UUID
) -> None:
    job_id = await committed_job(submitter, org_id)
    other = await create_organization(app_db, name="Other org", team_id=new_team_id())
    assert await lifecycle.claim_job(app_db, other, job_id, LEASE_SECONDS) is None
    forged = lifecycle.Lease(job_id, other, attempt=1, seconds=LEASE_SECONDS)
    result = JobResult(text="not theirs", png=None, model="m", tokens_used=1)
    assert not await lifecycle.mark_posted(app_db, forged, ts="1.0", channel="C1", result=result, store_result=True)
    job = await load_job(app_db, org_id, job_id)
    assert (job.state, job.slack_ts, job.result_text) == (JobState.QUEUED, None, None)
    assert [event.action for event in await audit_actions(app_db, org_id, job_id)] == ["job.queued"]


async def test_a_post_is_recorded_once_with_its_result_and_events_in_order_on_the_chain(
    claim: lifecycle.Claim, app_db: Database, org_id: uuid.UUID
) -> None:
    job_id = claim.job.id
    result = JobResult(text="Three wins this week.", png=None, model="gemini-test", tokens_used=42)
    posted = await lifecycle.mark_posted(
        app_db, claim.lease, ts="1700000000.000100", channel="CGENERAL", result=result, store_result=True
    )
    again = await lifecycle.mark_posted(
        app_db, claim.lease, ts="1700000000.000200", channel="CGENERAL", result=result, store_result=True
    )
    assert (posted, again) == (True, False)
    job = await load_job(app_db, org_id, job_id)
    assert (job.state, job.slack_ts, job.result_text, job.model, job.tokens_used) == (
        JobState.POSTED,
        "1700000000.000100",
        "Three wins this week.",
        "gemini-test",
        42,
    )
    assert job.lease_until is None and job.pii_mapping_enc is None and job.error is None
    events = [(event.action, event.detail) for event in await audit_actions(app_db, org_id, job_id)]
    assert events[-2:] == [
        ("job.generated", {"attempt": 1, "model": "gemini-test", "tokens_used": 42, "kind": "text"}),
        (
            "job.posted",
            {"attempt": 1, "channel": "CGENERAL", "ts": "1700000000.000100", "model": "gemini-test", "tokens_used": 42},
        ),
    ]
    async with app_db.tenant(org_id) as session:
        assert (await verify_chain(session, org_id)).ok


async def test_a_post_of_a_stored_result_keeps_it_and_writes_no_generated_event(
    claim: lifecycle.Claim, app_db: Database, org_id: uuid.UUID
) -> None:
    job_id = claim.job.id
    kept = JobResult(text="Kept from an earlier attempt.", png=None, model="gemini-kept", tokens_used=7)
    await lifecycle.requeue_job(app_db, claim.lease, "Slack was down", result=kept)
    retry = await lifecycle.claim_job(app_db, org_id, job_id, LEASE_SECONDS)
    assert retry is not None and lifecycle.stored_result(retry.job) == kept
    assert await lifecycle.mark_posted(
        app_db, retry.lease, ts="2.0", channel="CGENERAL", result=kept, store_result=False
    )
    job = await load_job(app_db, org_id, job_id)
    assert (job.state, job.result_text, job.model, job.tokens_used) == (
        JobState.POSTED,
        "Kept from an earlier attempt.",
        "gemini-kept",
        7,
    )
    actions = [event.action for event in await audit_actions(app_db, org_id, job_id)]
    assert actions.count("job.generated") == 1 and actions[-1] == "job.posted"


def test_a_claimed_row_becomes_a_readable_job_in_a_process_that_used_the_orm_for_nothing_else() -> None:
    # A worker's first claim may come before any ORM use configured the mappers.
    script = (
        "import uuid\n"
        "from workers.lifecycle import _JOB_COLUMNS, _detached_job\n"
        "row = {name: None for name in _JOB_COLUMNS} | {'id': uuid.UUID(int=7), 'attempts': 2}\n"
        "job = _detached_job(row)\n"
        "assert (job.id, job.attempts, job.masked_prompt) == (uuid.UUID(int=7), 2, None)\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=Path(__file__).resolve().parents[2])
