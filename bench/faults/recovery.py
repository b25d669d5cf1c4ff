"""Recovery figures, from the fault log, the readiness probe, the recorded answers and the sandbox's
posts: how long each outage lasted for users, and what they were told meanwhile."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bench.faults.invariants import Snapshot, result_job_ids
from bench.faults.load import LoadRecord, Sent
from bench.faults.probes import ReadinessProbe
from bench.faults.timetable import FaultEvent

CLEAR = ("refused", "unavailable")  # an ephemeral that says what happened and what to do


@dataclass
class Outage:
    what: str
    event: FaultEvent
    window_end: float  # when users could work again
    commands: list[Sent]

    def counts(self) -> Counter[str]:
        return Counter(sent.outcome for sent in self.commands)

    def lines(self, started: float) -> list[str]:
        counts = self.counts()
        refused = [s for s in self.commands if s.outcome != "accepted"]
        clear = sum(counts[o] for o in CLEAR)
        out = [
            f"  commands during the outage ({self.event.down_at - started:.1f}s to {self.window_end - started:.1f}s "
            f"after the load began): {len(self.commands)}; accepted {counts['accepted']}, refused with a clear "
            f"message {clear}, apology {counts['apology']}, HTTP error {counts['http_error']}, "
            f"no answer {counts['no_answer']}"
        ]
        shown: set[str] = set()
        for sent in refused:
            text = sent.ack_text or sent.error or f"HTTP {sent.status}"
            key = sent.outcome
            if key in shown:
                continue
            shown.add(key)
            out.append(f"    sample ({key}): {text[:160]!r}")
        return out


def _commands_between(record: LoadRecord, start: float, end: float) -> list[Sent]:
    return [s for s in record.commands() if s.kind != "setup" and start <= s.sent_at <= end]


def _first_accepted_after(record: LoadRecord, moment: float) -> float | None:
    times = [s.sent_at for s in record.commands() if s.outcome == "accepted" and s.sent_at >= moment]
    return min(times) if times else None


def _post_times(snapshot: Snapshot) -> list[tuple[float, str]]:
    found = []
    for message in snapshot.messages:
        for job_id in result_job_ids(message):
            found.append((float(message["ts"]), job_id))
    return sorted(found)


def recovery_lines(events: list[FaultEvent], record: LoadRecord, snapshot: Snapshot,
                   readiness: ReadinessProbe) -> list[str]:
    started = record.started_at
    lines: list[str] = []
    posts = _post_times(snapshot)
    accepted_at = {s.job_id: s.sent_at for s in record.sent if s.job_id}
    for event in events:
        if event.kind == "restart_redis" and event.up_at and event.down_at:
            any_post = next((t for t, _ in posts if t > event.up_at), None)
            new_post = next((t for t, job in posts if t > event.up_at and accepted_at.get(job, 0) > event.up_at), None)
            back = _first_accepted_after(record, event.up_at)
            ready = readiness.all_ready_after(event.up_at)
            lines.append(
                f"Redis restart at {event.down_at - started:.1f}s (down {event.up_at - event.down_at:.1f}s): "
                f"first job posted again {_delta(any_post, event.up_at)} after it was back, first post of a job "
                f"accepted after the restart {_delta(new_post, event.up_at)}; /readyz green after "
                f"{_delta(ready, event.up_at)}; first command accepted after {_delta(back, event.up_at)}"
            )
            end = max(t for t in (back, ready, event.up_at) if t is not None)
            lines += Outage("redis", event, end, _commands_between(record, event.down_at, end)).lines(started)
        elif event.kind == "restart_postgres":
            if event.skipped:
                lines.append(f"PostgreSQL restart skipped: {event.skipped}")
                continue
            if not (event.up_at and event.down_at):
                continue
            ready = readiness.all_ready_after(event.up_at)
            back = _first_accepted_after(record, event.up_at)
            lines.append(
                f"PostgreSQL restart at {event.down_at - started:.1f}s (down {event.up_at - event.down_at:.1f}s): "
                f"/readyz green on every web process {_delta(ready, event.up_at)} after it was back "
                f"({_delta(ready, event.down_at)} after it went down); first command accepted after "
                f"{_delta(back, event.up_at)}"
            )
            end = max(t for t in (back, ready, event.up_at) if t is not None)
            lines += Outage("postgres", event, end, _commands_between(record, event.down_at, end)).lines(started)
        elif event.kind == "kill_web" and event.down_at and event.up_at:
            during = _commands_between(record, event.down_at, event.up_at)
            rerouted = sum(1 for s in during if s.rerouted)
            lines.append(
                f"web-{event.target} SIGKILL at {event.down_at - started:.1f}s: ready again after "
                f"{event.up_at - event.down_at:.1f}s; {len(during)} commands meanwhile, {rerouted} rerouted to the "
                f"other web process, {sum(1 for s in during if s.outcome == 'no_answer')} unanswered"
            )
    requeued = [e for e in snapshot.audit if e["action"] == "job.requeued"
                and "stopped answering" in str(e["detail"].get("reason", ""))]
    resent = [e for e in snapshot.audit if e["action"] == "job.resent"]
    kills = [e for e in events if e.kind == "kill_worker" and e.injected]
    retried = {e["job_id"] for e in requeued}
    states = Counter(snapshot.jobs[j]["state"] for j in retried if j in snapshot.jobs)
    lines.append(
        f"worker kills: {len(kills)}; {len(requeued)} jobs taken back from a dead worker by lease recovery "
        f"(now {', '.join(f'{k} {v}' for k, v in sorted(states.items())) or 'none'}); {len(resent)} re-sent by "
        f"the outbox sweeper"
    )
    for event in events:
        if event.kind == "kill_beat":
            lines.append(f"scheduler: {event.detail or event.failed}")
    throttled = sum(1 for call in snapshot.calls if call.get("status") == 429)
    lines.append(f"Slack sandbox answered 429 to {throttled} calls; fake Gemini bursts: "
                 f"{sum(1 for e in events if e.kind == 'gemini_burst' and e.injected)}")
    return lines


def _delta(moment: float | None, since: float) -> str:
    return f"{moment - since:.1f}s" if moment is not None else "never (within the run)"
