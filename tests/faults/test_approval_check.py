"""The fault suite's approvals check: a refused reject button is an answer, silence is not."""

from __future__ import annotations

from bench.faults.invariants import Snapshot, check_approvals
from bench.faults.load import NO_MODAL, ApprovalCase, Click, LoadRecord, Sent, excuse_refused_reject
from tests.support.faults import snapshot_of

JOB = "3f3398b9-80e5-4837-95c3-81673ddbc048"
DOWN = ":warning: The database is unreachable right now, so nothing was decided. Please try again in a minute."


def snapshot(decisions: int) -> Snapshot:
    audit = [{"action": "job.awaiting_approval", "job_id": JOB}]
    audit += [{"action": "approval.approved", "job_id": JOB}] * decisions
    return snapshot_of(jobs={JOB: {"state": "posted"}}, audit=audit)


def race_case(reject_refusal: str | None) -> ApprovalCase:
    def click(seq: int, action: str, refusal: str | None = None) -> Click:
        sent = Sent(seq, action, 0, "U1", "", 0, 0.0, response_id=f"r{seq}", status=200)
        return Click(JOB, 0, "U1", action, sent, refusal=refusal)

    case = ApprovalCase(JOB, 0, "approve_reject_race", problem=NO_MODAL)
    case.clicks = [click(1, "reject_job", reject_refusal), click(2, "approve_job")]
    return case


def record(case: ApprovalCase) -> LoadRecord:
    return LoadRecord(plans=[], sent=[], approvals=[case], schedules=[])


def test_a_reject_button_refused_with_a_message_is_no_problem() -> None:
    case = race_case(DOWN)
    excuse_refused_reject(case)
    result = check_approvals(snapshot(decisions=1), record(case))
    assert result.ok, result
    assert case.refused_reject == DOWN
    assert "1 reject buttons answered with a message instead of a modal" in result.summary


def test_a_silent_reject_button_fails_the_check() -> None:
    case = race_case(None)
    excuse_refused_reject(case)
    result = check_approvals(snapshot(decisions=1), record(case))
    assert result.figure == 1
    assert NO_MODAL in "\n".join(result.lines)


def test_two_decisions_for_one_job_fail_the_check() -> None:
    case = race_case(DOWN)
    excuse_refused_reject(case)
    assert check_approvals(snapshot(decisions=2), record(case)).figure == 1
