"""The fault suite's approvals check: a refused reject button is an answer, silence is not, unless
the clicker's web process was killed before a refusal could reach them."""

from __future__ import annotations

from bench.faults.invariants import REFUSAL_AFTER_ACK_SECONDS, Snapshot, check_approvals
from bench.faults.load import NO_MODAL, ApprovalCase, Click, LoadRecord, Sent, excuse_refused_reject
from bench.faults.timetable import FaultEvent
from tests.support.faults import snapshot_of

JOB = "3f3398b9-80e5-4837-95c3-81673ddbc048"
CLICKED_AT = 1_000.0  # when the clicks were sent (wall clock)
ACK_MS = 40.0
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
    result = check_approvals(snapshot(decisions=1), record(case), faults=[])
    assert result.ok, result
    assert case.refused_reject == DOWN
    assert "1 reject buttons answered with a message instead of a modal" in result.summary


def test_a_silent_reject_button_fails_the_check() -> None:
    case = race_case(None)
    excuse_refused_reject(case)
    result = check_approvals(snapshot(decisions=1), record(case), faults=[])
    assert result.figure == 1
    assert NO_MODAL in "\n".join(result.lines)


def test_two_decisions_for_one_job_fail_the_check() -> None:
    case = race_case(DOWN)
    excuse_refused_reject(case)
    assert check_approvals(snapshot(decisions=2), record(case), faults=[]).figure == 1


def two_admins_case(*, webs: tuple[int, int]) -> ApprovalCase:
    """Two admins approve at once, on the web processes ``webs``; neither hears a refusal."""

    def click(seq: int, user: str, web: int) -> Click:
        sent = Sent(seq, "approve_job", 0, user, "", web, CLICKED_AT, response_id=f"r{seq}", status=200, ack_ms=ACK_MS)
        return Click(JOB, 0, user, "approve_job", sent)

    case = ApprovalCase(JOB, 0, "two_admins")
    case.clicks = [click(1, "U1", webs[0]), click(2, "U2", webs[1])]
    return case


def web_killed(web: int, seconds_after_the_clicks: float) -> FaultEvent:
    killed_at = CLICKED_AT + seconds_after_the_clicks
    return FaultEvent("kill_web", web, at=killed_at - 0.05, down_at=killed_at, up_at=killed_at + 2.0)


def test_a_silent_loser_whose_web_process_was_killed_right_after_is_no_winner() -> None:
    result = check_approvals(
        snapshot(decisions=1),
        record(two_admins_case(webs=(0, 1))),
        faults=[web_killed(0, seconds_after_the_clicks=1.0)],
    )
    assert result.ok, result
    assert "1 clicks silenced by their web process's kill" in result.summary


def test_a_silent_loser_whose_web_process_was_killed_long_after_fails_the_check() -> None:
    later = REFUSAL_AFTER_ACK_SECONDS + 10.0
    result = check_approvals(
        snapshot(decisions=1),
        record(two_admins_case(webs=(0, 1))),
        faults=[web_killed(0, seconds_after_the_clicks=later)],
    )
    assert result.figure == 1
    assert "2 clicks were each told they decided" in result.lines[0]
    assert "0 clicks silenced by their web process's kill" in result.summary


def test_two_silent_clicks_on_live_web_processes_fail_the_check() -> None:
    result = check_approvals(snapshot(decisions=1), record(two_admins_case(webs=(0, 1))), faults=[])
    assert result.figure == 1


def test_a_kill_of_another_web_process_excuses_no_silent_click() -> None:
    result = check_approvals(
        snapshot(decisions=1),
        record(two_admins_case(webs=(0, 0))),
        faults=[web_killed(1, seconds_after_the_clicks=1.0)],
    )
    assert result.figure == 1


def test_a_silent_reject_submission_is_not_excused_by_a_kill() -> None:
    """A modal's submission hears everything in its ack: no refusal was on its way to be lost."""
    case = race_case(DOWN)
    excuse_refused_reject(case)
    approve = case.clicks[1].sent
    approve.web, approve.sent_at, approve.ack_ms = 1, CLICKED_AT, ACK_MS  # the winner, on a live process
    submit = Sent(3, "reject_submit", 0, "U2", JOB, 0, CLICKED_AT, status=200, ack_ms=ACK_MS)
    case.clicks.append(Click(JOB, 0, "U2", "reject_submit", submit))
    result = check_approvals(snapshot(decisions=1), record(case), faults=[web_killed(0, seconds_after_the_clicks=1.0)])
    assert result.figure == 1


def test_the_summary_says_how_late_a_refusal_came_after_its_ack() -> None:
    """What REFUSAL_AFTER_ACK_SECONDS must cover, from clicks answered 200 only: a click that timed
    out hears its listener's refusal late without any ack before it."""
    case = two_admins_case(webs=(0, 1))
    answered_at = CLICKED_AT + ACK_MS / 1000
    case.clicks[0].refusal = DOWN
    timed_out = case.clicks[1].sent
    timed_out.status, timed_out.error = None, "TimeoutError"
    responses = [
        {"response_id": "r1", "text": DOWN, "replace_original": False, "at": answered_at + 1.5},
        {"response_id": "r2", "text": DOWN, "replace_original": False, "at": answered_at + 12.0},
    ]
    audit = [{"action": "job.awaiting_approval", "job_id": JOB}]
    result = check_approvals(
        snapshot_of(jobs={JOB: {"state": "awaiting_approval"}}, audit=audit, responses=responses),
        record(case),
        faults=[],
    )
    assert "the slowest refusal came 1.5s after its ack" in result.summary


def test_a_reject_button_that_got_no_answer_is_no_problem_but_is_counted() -> None:
    case = race_case(None)
    case.clicks = [c for c in case.clicks if c.action == "reject_job"]
    case.clicks[0].sent.status = None  # the web process was gone: Slack shows the button failed
    excuse_refused_reject(case)
    result = check_approvals(snapshot(decisions=1), record(case), faults=[])
    assert result.ok, result
    assert "1 shown as failed by Slack" in result.summary


def test_a_reject_button_answered_200_that_opened_nothing_still_fails() -> None:
    case = race_case(None)
    case.clicks = [c for c in case.clicks if c.action == "reject_job"]
    excuse_refused_reject(case)
    result = check_approvals(snapshot(decisions=1), record(case), faults=[])
    assert result.figure == 1
    assert NO_MODAL in "\n".join(result.lines)
