"""Recovery figures, from the fault log, the readiness probe, the recorded answers and the sandbox's
posts: how long each outage lasted for users, and what they were told meanwhile."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from bench.faults.invariants import Snapshot, result_job_ids
from bench.faults.load import LoadRecord, Sent
from bench.faults.probes import ReadinessProbe
from bench.faults.timetable import FaultEvent

# Commands that would have made a job: what an outage takes away from users.
JOB_KINDS = frozenset({"text", "text_pii", "text_elsewhere", "image"})


@dataclass
class Outage:
    event: FaultEvent
    window_end: float  # when users could work again
    commands: list[Sent]

    def counts(self) -> Counter[str]:
        return Counter(sent.outcome for sent in self.commands)

    def unclear(self) -> int:
        """Refused without a message a user can read: an HTTP error, or no answer at all."""
        counts = self.counts()
        return counts["http_error"] + counts["no_answer"]

    def lines(self, started: float) -> list[str]:
        counts = self.counts()
        assert self.event.down_at is not None
        out = [
            f"  generation commands during the outage ({self.event.down_at - started:.1f}s to "
            f"{self.window_end - started:.1f}s after the load began): {len(self.commands)}; accepted "
            f"{counts['accepted']}, refused with a clear message {counts['unavailable']}, refused for their own "
            f"reason (quota, ...) {counts['refused']}, apology {counts['apology']}, HTTP error "
            f"{counts['http_error']}, no answer {counts['no_answer']}"
            + (f"  <- {self.unclear()} without a clear message" if self.unclear() else "")
        ]
        shown: set[str] = set()
        for sent in self.commands:
            if sent.outcome == "accepted" or sent.outcome in shown:
                continue
            shown.add(sent.outcome)
            text = sent.ack_text or sent.error or f"HTTP {sent.status}"
            out.append(f"    sample ({sent.outcome}): {text[:160]!r}")
        return out


def _commands_between(record: LoadRecord, start: float, end: float, kinds: frozenset[str] | None = None) -> list[Sent]:
    return [
        s
        for s in record.commands()
        if s.kind != "setup" and start <= s.sent_at <= end and (kinds is None or s.kind in kinds)
    ]


def _first_accepted_after(record: LoadRecord, moment: float) -> float | None:
    times = [s.sent_at for s in record.commands() if s.outcome == "accepted" and s.sent_at >= moment]
    return min(times) if times else None


def _post_times(snapshot: Snapshot) -> list[tuple[float, str]]:
    found = []
    for message in snapshot.messages:
        for job_id in result_job_ids(message):
            found.append((float(message["ts"]), job_id))
    return sorted(found)


def recovery_lines(
    events: list[FaultEvent], record: LoadRecord, snapshot: Snapshot, readiness: ReadinessProbe
) -> list[str]:
    started = record.started_at
    lines: list[str] = []
    posts = _post_times(snapshot)
    accepted_at = {s.job_id: s.sent_at for s in record.sent if s.job_id}
    outages = sorted(e.down_at for e in events if e.kind in ("restart_redis", "restart_postgres") and e.down_at)

    def window_end(event: FaultEvent, *candidates: float | None) -> float:
        # Until users could work again, but never into the next store's outage: each refusal is
        # counted for the outage that caused it.
        end = max(t for t in candidates if t is not None)
        later = [t for t in outages if event.down_at is not None and t > event.down_at]
        return min([end, *later])

    def readiness_text(ready: float | None, absent: list[int], since: float) -> str:
        left_out = f" (web-{', web-'.join(map(str, absent))} left out: it was down itself)" if absent else ""
        return f"/readyz green on every running web process {_delta(ready, since)} after it was back{left_out}"

    for event in events:
        if event.down_at is None or event.up_at is None:
            if event.kind == "restart_postgres" and event.skipped:
                lines.append(f"PostgreSQL restart skipped: {event.skipped}")
            continue
        if event.kind in ("restart_redis", "restart_postgres"):
            ready, absent = readiness.ready_after(event.up_at)
            back = _first_accepted_after(record, event.up_at)
            if event.kind == "restart_redis":
                any_post = next((t for t, _ in posts if t > event.up_at), None)
                new_post = next(
                    (t for t, job in posts if t > event.up_at and accepted_at.get(job, 0) > event.up_at), None
                )
                lines.append(
                    f"Redis restart at {event.down_at - started:.1f}s (down {event.up_at - event.down_at:.1f}s, "
                    f"every queued message and quota key gone): first job posted again {_delta(any_post, event.up_at)} "
                    f"after Redis was back; first post of a job accepted after the restart "
                    f"{_delta(new_post, event.up_at)}; {readiness_text(ready, absent, event.up_at)}; first command "
                    f"accepted {_delta(back, event.up_at)} after"
                )
            else:
                lines.append(
                    f"PostgreSQL restart at {event.down_at - started:.1f}s (down {event.up_at - event.down_at:.1f}s): "
                    f"{readiness_text(ready, absent, event.up_at)} ({_delta(ready, event.down_at)} after it went "
                    f"down); first command accepted {_delta(back, event.up_at)} after"
                )
            end = window_end(event, back, ready, event.up_at)
            during = _commands_between(record, event.down_at, end, JOB_KINDS)
            lines += Outage(event, end, during).lines(started)
        elif event.kind == "kill_web":
            during = _commands_between(record, event.down_at, event.up_at)
            rerouted = sum(1 for s in during if s.rerouted)
            lines.append(
                f"web-{event.target} SIGKILL at {event.down_at - started:.1f}s: ready again after "
                f"{event.up_at - event.down_at:.1f}s; {len(during)} commands meanwhile, {rerouted} rerouted to the "
                f"other web process, {sum(1 for s in during if s.outcome == 'no_answer')} unanswered"
            )
    requeued = [
        e
        for e in snapshot.audit
        if e["action"] == "job.requeued" and "stopped answering" in str(e["detail"].get("reason", ""))
    ]
    resent = [e for e in snapshot.audit if e["action"] == "job.resent"]
    kills = [e for e in events if e.kind == "kill_worker" and e.injected]
    retried = {e["job_id"] for e in requeued}
    states = Counter(snapshot.jobs[j]["state"] for j in retried if j in snapshot.jobs)
    lines.append(
        f"worker kills: {len(kills)}; {len(requeued)} jobs taken back from a dead worker by lease recovery "
        f"(now {', '.join(f'{k} {v}' for k, v in sorted(states.items())) or 'none'}); {len(resent)} re-sent by "
        f"the outbox sweeper"
    )
    failures = Counter(_reason(job["error"]) for job in snapshot.jobs.values() if job["state"] == "failed")
    if failures:
        lines.append(
            "failed jobs (a final state; the requester is told): "
            + "; ".join(f"{count} x {reason}" for reason, count in failures.most_common(6))
        )
    for event in events:
        if event.kind == "kill_beat":
            lines.append(f"scheduler: {event.detail or event.failed}")
    throttled = sum(1 for call in snapshot.calls if call.get("status") == 429)
    lines.append(
        f"Slack sandbox answered 429 to {throttled} calls; fake Gemini bursts: "
        f"{sum(1 for e in events if e.kind == 'gemini_burst' and e.injected)}"
    )
    return lines


def _reason(error: str | None) -> str:
    """A failure reason without its ids, so equal reasons count together."""
    text = re.sub(r"[0-9a-f-]{36}|\\d+", "N", error or "no reason recorded")
    return text[:110]


def _delta(moment: float | None, since: float) -> str:
    return f"{moment - since:.1f}s" if moment is not None else "never (within the run)"
