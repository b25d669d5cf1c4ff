"""Exactly one decision per awaiting job, made only by an admin of the job's own organization."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from bot.approvals.service import EXPIRED_REASON, AlreadyDecided, ApprovalService, Decision
from bot.errors import BadInput, NotAllowed, NotFound, UserError
from db.engine import Database
from db.models import Job, JobState
from tests.support.approvals import (
    ADMIN,
    ADMIN2,
    EDITOR,
    VIEWER,
    RecordingSender,
    actions_of,
    awaiting_job,
    load_job,
    new_org,
)


async def approved_once(sender: RecordingSender, app_db: Database, org: uuid.UUID, job: Job) -> None:
    """The job was sent on once and its approval audited once."""
    assert sender.approved == [(job.id, org)]
    assert await actions_of(app_db, org, "approval.") == ["approval.approved"]


async def test_approve_requeues_the_job_with_the_decision_and_sends_it_once(
    approvals: ApprovalService, sender: RecordingSender, app_db: Database, org: uuid.UUID
) -> None:
    job = await awaiting_job(app_db, org)

    decided = await approvals.decide(org, str(job.id), ADMIN, Decision.APPROVE)

    assert decided.decision == Decision.APPROVE and decided.decided_by == ADMIN
    stored = await load_job(app_db, org, job.id)
    assert stored.state == JobState.QUEUED
    assert stored.decided_by == ADMIN and stored.decided_at is not None
    await approved_once(sender, app_db, org, job)


async def test_double_click_posts_once(
    approvals: ApprovalService, sender: RecordingSender, app_db: Database, org: uuid.UUID
) -> None:
    job = await awaiting_job(app_db, org)

    await approvals.decide(org, str(job.id), ADMIN, Decision.APPROVE)
    with pytest.raises(AlreadyDecided) as second:
        await approvals.decide(org, str(job.id), ADMIN, Decision.APPROVE)

    assert f"<@{ADMIN}> already approved" in second.value.render()
    await approved_once(sender, app_db, org, job)


async def test_simultaneous_double_click_posts_once(
    approvals: ApprovalService, sender: RecordingSender, app_db: Database, org: uuid.UUID
) -> None:
    job = await awaiting_job(app_db, org)

    results = await asyncio.gather(
        *(approvals.decide(org, str(job.id), ADMIN, Decision.APPROVE) for _ in range(5)), return_exceptions=True
    )

    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, AlreadyDecided) for r in results if isinstance(r, BaseException))
    assert sender.approved == [(job.id, org)]


async def test_two_admins_approve_and_reject_at_once_and_one_wins(
    approvals: ApprovalService, sender: RecordingSender, app_db: Database, org: uuid.UUID
) -> None:
    for _ in range(10):
        job = await awaiting_job(app_db, org)
        approve, reject = await asyncio.gather(
            approvals.decide(org, str(job.id), ADMIN, Decision.APPROVE),
            approvals.decide(org, str(job.id), ADMIN2, Decision.REJECT, "off brand"),
            return_exceptions=True,
        )
        winners = [r for r in (approve, reject) if not isinstance(r, BaseException)]
        losers = [r for r in (approve, reject) if isinstance(r, BaseException)]
        assert len(winners) == 1 and len(losers) == 1
        assert isinstance(losers[0], AlreadyDecided)
        stored = await load_job(app_db, org, job.id)
        winner = winners[0]
        assert stored.decided_by == winner.decided_by
        assert losers[0].decided_by == winner.decided_by  # the loser is told who decided
        if winner.decision == Decision.APPROVE:
            assert stored.state == JobState.QUEUED and (job.id, org) in sender.approved
        else:
            assert stored.state == JobState.REJECTED and (job.id, org) not in sender.approved
            assert stored.decision_reason == "off brand" and stored.pii_mapping_enc is None
    decisions = await actions_of(app_db, org, "approval.")
    assert len(decisions) == 10


@pytest.mark.parametrize("clicker", [EDITOR, VIEWER, "U0STRANGER"])
async def test_non_admin_click_changes_nothing(
    approvals: ApprovalService, sender: RecordingSender, app_db: Database, org: uuid.UUID, clicker: str
) -> None:
    job = await awaiting_job(app_db, org)

    with pytest.raises(NotAllowed):
        await approvals.decide(org, str(job.id), clicker, Decision.APPROVE)
    with pytest.raises(NotAllowed):
        await approvals.decidable(org, str(job.id), clicker)

    stored = await load_job(app_db, org, job.id)
    assert stored.state == JobState.AWAITING_APPROVAL and stored.decided_at is None
    assert sender.approved == []
    assert await actions_of(app_db, org, "approval.") == ["approval.refused", "approval.refused"]


async def test_other_organizations_job_is_not_found_and_untouched(
    approvals: ApprovalService, sender: RecordingSender, app_db: Database, org: uuid.UUID
) -> None:
    other = await new_org(app_db)
    theirs = await awaiting_job(app_db, other)

    for decision in Decision:
        with pytest.raises(NotFound):
            await approvals.decide(org, str(theirs.id), ADMIN, decision)
    with pytest.raises(NotFound):
        await approvals.decidable(org, str(theirs.id), ADMIN)

    stored = await load_job(app_db, other, theirs.id)
    assert stored.state == JobState.AWAITING_APPROVAL and stored.decided_at is None
    assert sender.approved == []
    assert await actions_of(app_db, other, "approval.") == []


@pytest.mark.parametrize(
    "value",
    ["", "not-a-uuid", "1 OR 1=1", "'; DROP TABLE jobs; --", "{}", "00000000-0000-0000-0000-00000000000g", "x" * 5000],
)
async def test_garbage_value_is_answered_and_changes_nothing(
    approvals: ApprovalService, sender: RecordingSender, app_db: Database, org: uuid.UUID, value: str
) -> None:
    job = await awaiting_job(app_db, org)

    with pytest.raises(NotFound):
        await approvals.decide(org, value, ADMIN, Decision.APPROVE)

    assert (await load_job(app_db, org, job.id)).state == JobState.AWAITING_APPROVAL
    assert sender.approved == []


async def test_unknown_job_id_is_not_found(approvals: ApprovalService, sender: RecordingSender, org: uuid.UUID) -> None:
    with pytest.raises(NotFound):
        await approvals.decide(org, str(uuid.uuid4()), ADMIN, Decision.APPROVE)
    assert sender.approved == []


@pytest.mark.parametrize("state", [JobState.QUEUED, JobState.RUNNING, JobState.POSTED, JobState.FAILED])
async def test_job_not_awaiting_approval_changes_nothing(
    approvals: ApprovalService, sender: RecordingSender, app_db: Database, org: uuid.UUID, state: JobState
) -> None:
    job = await awaiting_job(app_db, org, state=state)

    with pytest.raises(NotFound, match=f"it is {state}"):
        await approvals.decide(org, str(job.id), ADMIN, Decision.APPROVE)

    stored = await load_job(app_db, org, job.id)
    assert stored.state == state and stored.decided_at is None
    assert sender.approved == []


async def test_reject_keeps_a_cleaned_reason_and_refuses_a_long_one(
    approvals: ApprovalService, app_db: Database, org: uuid.UUID
) -> None:
    job = await awaiting_job(app_db, org)
    with pytest.raises(BadInput):
        await approvals.decide(org, str(job.id), ADMIN, Decision.REJECT, "x" * 501)
    assert (await load_job(app_db, org, job.id)).state == JobState.AWAITING_APPROVAL

    decided = await approvals.decide(org, str(job.id), ADMIN, Decision.REJECT, "  too\n\nsalesy  ")

    assert decided.reason == "too salesy"
    assert (await load_job(app_db, org, job.id)).decision_reason == "too salesy"


async def test_a_demoted_admin_cannot_decide_at_once(
    approvals: ApprovalService, app_db: Database, org: uuid.UUID
) -> None:
    from bot.orgs.service import set_role
    from db.models import Role

    job = await awaiting_job(app_db, org)
    await set_role(app_db, org, ADMIN2, Role.EDITOR, actor=ADMIN)

    with pytest.raises(NotAllowed):
        await approvals.decide(org, str(job.id), ADMIN2, Decision.APPROVE)


async def test_pending_approvals_expire_after_the_configured_time(
    app_db: Database, sender: RecordingSender, org: uuid.UUID
) -> None:
    approvals = ApprovalService(app_db, sender, expiry=timedelta(days=7))
    old = await awaiting_job(app_db, org)
    await approvals.record_request(org, old.id, [("C0APPROVERS", "1.000001")])
    now = datetime.now(UTC)

    early = await approvals.expire_pending(now + timedelta(days=6))
    assert old.id not in [d.job_id for d in early.expired]

    report = await approvals.expire_pending(now + timedelta(days=7, minutes=1))

    expired = [d for d in report.expired if d.job_id == old.id]
    assert len(expired) == 1 and expired[0].decision is None
    assert expired[0].approval_messages == (("C0APPROVERS", "1.000001"),)
    stored = await load_job(app_db, org, old.id)
    assert stored.state == JobState.CANCELLED and stored.decision_reason == EXPIRED_REASON
    assert await actions_of(app_db, org, "approval.") == ["approval.requested", "approval.expired"]
    with pytest.raises(AlreadyDecided, match="expired"):
        await approvals.decide(org, str(old.id), ADMIN, Decision.APPROVE)
    assert sender.approved == []
    again = await approvals.expire_pending(now + timedelta(days=8))
    assert old.id not in [d.job_id for d in again.expired]


async def test_expiry_racing_a_click_leaves_one_outcome(
    app_db: Database, sender: RecordingSender, org: uuid.UUID
) -> None:
    approvals = ApprovalService(app_db, sender)
    for _ in range(5):
        job = await awaiting_job(app_db, org)
        expired, clicked = await asyncio.gather(
            approvals.expire_one(org, job.id),
            approvals.decide(org, str(job.id), ADMIN, Decision.APPROVE),
            return_exceptions=True,
        )
        assert (expired is None) != isinstance(clicked, UserError)
        stored = await load_job(app_db, org, job.id)
        assert stored.state == (JobState.CANCELLED if expired is not None else JobState.QUEUED)


async def test_a_request_that_never_got_out_is_listed_for_redelivery(
    approvals: ApprovalService, app_db: Database, org: uuid.UUID
) -> None:
    unsent = await awaiting_job(app_db, org)
    sent = await awaiting_job(app_db, org)
    await approvals.record_request(org, sent.id, [("C0APPROVERS", "2.000001")])

    report = await approvals.expire_pending(datetime.now(UTC) + timedelta(minutes=10))

    assert (org, unsent.id) in report.undelivered
    assert (org, sent.id) not in report.undelivered
