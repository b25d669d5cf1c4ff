"""Accepting a generation request: guard -> quota -> one statement (job + audit) -> send.

A command that Slack saw acknowledged is never lost: the job row is committed before the ack, and
the task is sent after commit (a transactional outbox; the sweeper re-sends what was not sent).
The web tier sends in the background (``bot.jobs.background_sends``), so the broker's publish costs the
answer nothing; a process that dies before sending leaves a ``queued`` job for the sweeper."""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from opentelemetry import propagate, trace

from bot.errors import PromptBlocked
from bot.guard import GuardedPrompt, get_guard
from bot.guard.executor import check_prompt_off_loop
from bot.guard.judge import InjectionJudge
from bot.guard.refusals import judged_refusal
from bot.jobs.background_sends import BackgroundSends
from bot.jobs.queueing import PRIORITY_BACKGROUND, PRIORITY_INTERACTIVE, JobSender
from bot.orgs.service import OrgPolicy
from bot.quota import LedgerUnavailable, QuotaService, estimate_tokens
from bot.result_cache.key import SEED_BOUND, request_seed
from bot.routing.catalogue import Catalogue
from bot.routing.estimate import job_cost_estimate
from bot.telemetry.spans import child_span
from db.audit import record_event
from db.crypto import SecretBox
from db.engine import Database
from db.models import JobKind, JobState
from db.queued_jobs import insert_queued_job

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

MAX_PROMPT_CHARS = 4000


@dataclass(frozen=True)
class JobRequest:
    org_id: uuid.UUID
    requester_id: str
    kind: JobKind
    prompt: str
    target_channel: str
    source_channel: str | None = None
    response_url: str | None = None
    schedule_id: uuid.UUID | None = None
    schedule_run_at: datetime | None = None
    # A scheduled run's prompt was guarded (and masked) when it was scheduled.
    already_guarded: GuardedPrompt | None = None
    brand_voice: bool = True  # False: `--plain`, without the organization's brand kit
    post_at: datetime | None = None  # a warmed scheduled run: generated now, posted then
    # Asked in the bot's DM: the thread the result lands in.
    thread_ts: str | None = None
    # Chosen by a caller that must know the id before the job exists (a Workflow Builder step).
    job_id: uuid.UUID | None = None
    # Pre-generated off-peak into the result cache (``bot.result_cache.pregeneration``): nothing is posted.
    pregenerated: bool = False


def _image_seed(request: JobRequest, policy: OrgPolicy, masked_prompt: str) -> int | None:
    """An image's seed: derived from the prompt where identical requests may reuse a result
    (``bot.result_cache.key.request_seed``), else drawn at random."""
    if request.kind != JobKind.IMAGE:
        return None
    if policy.result_cache:
        return request_seed(request.org_id, masked_prompt)
    return secrets.randbelow(SEED_BOUND)


@dataclass(frozen=True)
class AcceptedJob:
    job_id: uuid.UUID
    tokens_reserved: int
    masked_prompt: str


@dataclass
class JobService:
    database: Database
    quota: QuotaService
    sender: JobSender
    secrets: SecretBox
    # When set, jobs are sent after ``submit`` returns instead of before.
    background: BackgroundSends | None = field(default=None)
    judge: InjectionJudge | None = None  # GUARD_JUDGE_MODEL
    # The models and their prices: what a job may cost at most is reserved from a money budget.
    catalogue: Catalogue | None = None

    async def guard_prompt(self, request: JobRequest, policy: OrgPolicy) -> GuardedPrompt:
        """Run the guard; a block is audited with masked text only and re-raised for the user."""
        if request.already_guarded is not None:
            return request.already_guarded
        with child_span(tracer, "guard.check") as span:
            try:
                guarded = await check_prompt_off_loop(request.prompt, threshold=policy.injection_threshold)
                await self._ask_judge(request, policy, guarded, get_guard().injection_threshold)
                return guarded
            except PromptBlocked as blocked:
                span.set_attribute("guard.outcome", "blocked")
                span.set_attribute("guard.category", blocked.category)
                async with self.database.tenant(request.org_id) as session:
                    await record_event(
                        session,
                        request.org_id,
                        "guard.blocked",
                        actor=request.requester_id,
                        detail={
                            "category": blocked.category,
                            "rules": list(blocked.rule_ids),
                            "masked_text": blocked.masked_text or get_guard().mask(request.prompt).text,
                        },
                    )
                raise

    async def _ask_judge(
        self, request: JobRequest, policy: OrgPolicy, guarded: GuardedPrompt, default_threshold: float
    ) -> None:
        """Raise a refusal when the judge calls a grey-zone prompt an attack; otherwise the verdict stands."""
        threshold = default_threshold if policy.injection_threshold is None else policy.injection_threshold
        if self.judge is None or not self.judge.in_grey_zone(guarded.injection_score, threshold):
            return
        if await self.judge.says_attack(request.org_id, guarded.masked_text):
            raise judged_refusal(masked_text=guarded.masked_text)

    async def submit(self, request: JobRequest, policy: OrgPolicy) -> AcceptedJob:
        guarded = await self.guard_prompt(request, policy)
        job_id = request.job_id or uuid.uuid4()
        tokens = estimate_tokens(request.kind, guarded.masked_text)
        cost = job_cost_estimate(self.catalogue, policy.routing, request.kind, guarded.masked_text)
        reservation = await self.quota.reserve(request.org_id, job_id, tokens, cost_micros=cost)
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        job = {
            "id": job_id,
            "kind": request.kind,
            "state": JobState.QUEUED,
            "requester_id": request.requester_id,
            "source_channel": request.source_channel,
            "target_channel": request.target_channel,
            "masked_prompt": guarded.masked_text,
            "pii_mapping_enc": self.secrets.encrypt_json(guarded.mapping) if policy.restore_pii else None,
            "response_url": request.response_url,
            "schedule_id": request.schedule_id,
            "schedule_run_at": request.schedule_run_at,
            "post_at": request.post_at,
            "seed": _image_seed(request, policy, guarded.masked_text),
            "brand_voice": request.brand_voice,
            "tokens_reserved": reservation.tokens,
            "cost_reserved_micros": reservation.cost_micros,
            "quota_state": "reserved",
            "attempts": 0,
            "trace_context": carrier or None,
            "thread_ts": request.thread_ts,
            "pregenerated": request.pregenerated,
        }
        detail = {
            "kind": str(request.kind),
            "channel": request.target_channel,
            "tokens_reserved": reservation.tokens,
            "cost_reserved_micros": reservation.cost_micros,
            "pii": list(guarded.entities),
            "schedule_id": str(request.schedule_id) if request.schedule_id else None,
        }
        try:
            with child_span(tracer, "job.persist", attributes={"job.id": str(job_id)}):
                await insert_queued_job(self.database, request.org_id, job, actor=request.requester_id, detail=detail)
        except BaseException:
            # The original failure is what the user must see; a reservation that cannot be
            # returned now is returned by the reaper when its lease runs out.
            try:
                await self.quota.release(request.org_id, job_id)
            except LedgerUnavailable:
                await self._release_in_redis(request.org_id, job_id)
            except Exception:
                log.warning("could not release reservation of unsaved job %s", job_id, exc_info=True)
            raise
        scheduled = request.schedule_id is not None or request.pregenerated
        if self.background is not None and not scheduled:
            # A person is waiting: the publish (at interactive priority) follows the answer.
            self.background.start(job_id, request.org_id, request.kind)
        else:
            await self.send(job_id, request.org_id, request.kind, scheduled=scheduled)
        return AcceptedJob(job_id=job_id, tokens_reserved=reservation.tokens, masked_prompt=guarded.masked_text)

    async def _release_in_redis(self, org_id: uuid.UUID, job_id: uuid.UUID) -> None:
        try:
            await self.quota.release_unsaved(org_id, job_id)
        except Exception:
            log.warning("could not release reservation of unsaved job %s", job_id, exc_info=True)

    async def send(self, job_id: uuid.UUID, org_id: uuid.UUID, kind: str, *, scheduled: bool = False) -> bool:
        """Send after commit; a broker outage only delays the job (the sweeper re-sends it). A
        scheduled run yields to people waiting on their commands."""
        priority = PRIORITY_BACKGROUND if scheduled else PRIORITY_INTERACTIVE
        with child_span(tracer, "job.enqueue", attributes={"job.id": str(job_id)}):
            try:
                await self.sender.send_job(job_id, org_id, kind, priority=priority)
            except Exception:
                log.warning("broker unavailable; job %s stays queued for the sweeper", job_id, exc_info=True)
                return False
        return True
