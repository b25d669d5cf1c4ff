"""Typed tables. Every tenant table carries ``org_id`` and is guarded by RLS (see migrations)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    false,
    func,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSONB, uuid.UUID: UUID(as_uuid=True)}


class Role(StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    VIEWER = "viewer"


class JobKind(StrEnum):
    TEXT = "text"
    IMAGE = "image"


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    AWAITING_APPROVAL = "awaiting_approval"
    HELD = "held"  # generated ahead of its schedule's due time; posted at ``post_at``
    CACHED = "cached"  # pre-generated into the result cache (``jobs.pregenerated``); nothing posted
    POSTED = "posted"
    REJECTED = "rejected"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINAL_JOB_STATES = frozenset({JobState.POSTED, JobState.REJECTED, JobState.FAILED, JobState.CANCELLED, JobState.CACHED})


class ScheduleState(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    DONE = "done"


def _now() -> Any:
    return func.now()


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    default_role: Mapped[str] = mapped_column(String(16), default=Role.VIEWER)
    approvals_required: Mapped[bool] = mapped_column(Boolean, default=False)
    approvers_channel: Mapped[str | None] = mapped_column(String(32))
    restore_pii: Mapped[bool] = mapped_column(Boolean, default=False)
    injection_threshold: Mapped[float | None] = mapped_column(Float)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # Identical requests reuse stored results (bot.result_cache); off unless an admin turns it on.
    result_cache_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The organization's off-peak window (minutes after midnight in ``off_peak_timezone``; None:
    # none): image schedules are warmed in it, and popular image prompts pre-generated
    # (``pregenerate_images``, off unless an admin turns it on). ``bot.orgs.off_peak``.
    off_peak_start: Mapped[int | None] = mapped_column(SmallInteger)
    off_peak_end: Mapped[int | None] = mapped_column(SmallInteger)
    off_peak_timezone: Mapped[str | None] = mapped_column(String(64))
    pregenerate_images: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Which catalogue models may answer (None: every one) and how one is chosen among them.
    allowed_models: Mapped[list[str] | None] = mapped_column(JSONB)
    model_strategy: Mapped[str] = mapped_column(String(16), default="ordered", server_default="ordered")
    # What the agent DM suggests when it opens (set by admins with /content prompts); None: the defaults.
    suggested_prompts: Mapped[list[str] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_now())


class Workspace(Base):
    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    installed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Member(Base):
    __tablename__ = "members"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_now(), onupdate=_now())


class Installation(Base):
    """One row per install (slack-sdk's installation store contract); tokens are Fernet-encrypted."""

    __tablename__ = "installations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    client_id: Mapped[str | None] = mapped_column(String(64))
    app_id: Mapped[str | None] = mapped_column(String(32))
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    enterprise_name: Mapped[str | None] = mapped_column(String(200))
    team_id: Mapped[str | None] = mapped_column(String(32))
    team_name: Mapped[str | None] = mapped_column(String(200))
    is_enterprise_install: Mapped[bool] = mapped_column(Boolean, default=False)
    user_id: Mapped[str] = mapped_column(String(32))
    bot_id: Mapped[str | None] = mapped_column(String(32))
    bot_user_id: Mapped[str | None] = mapped_column(String(32))
    bot_scopes: Mapped[str | None] = mapped_column(Text)
    bot_token_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    bot_refresh_token_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    bot_token_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    user_scopes: Mapped[str | None] = mapped_column(Text)
    user_token_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    user_refresh_token_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    user_token_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    incoming_webhook_url_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    token_type: Mapped[str | None] = mapped_column(String(16))
    installed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_installations_lookup", "enterprise_id", "team_id", "installed_at"),)


class OAuthState(Base):
    __tablename__ = "oauth_states"

    state: Mapped[str] = mapped_column(String(128), primary_key=True)
    expire_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QuotaSettings(Base):
    __tablename__ = "quota_settings"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    monthly_budget: Mapped[int] = mapped_column(BigInteger)
    rate_per_minute: Mapped[int] = mapped_column(Integer)
    burst: Mapped[int] = mapped_column(Integer)
    image_cost: Mapped[int] = mapped_column(Integer)
    # A monthly budget in money (millionths of ``currency``); None: no money budget.
    money_budget_micros: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_now(), onupdate=_now())


class Schedule(Base):
    __tablename__ = "schedules"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(8))
    masked_prompt: Mapped[str] = mapped_column(Text)
    pii_mapping_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    target_channel: Mapped[str] = mapped_column(String(32))
    cron: Mapped[str | None] = mapped_column(String(120))
    run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    next_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(16), default=ScheduleState.ACTIVE)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    injection_score: Mapped[float] = mapped_column(Float, default=0.0)
    # False: `--plain`, the runs are written without the organization's brand kit.
    brand_voice: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_now())

    __table_args__ = (Index("ix_schedules_due", "next_run_at", postgresql_where="state = 'active'"),)


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    kind: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(24), default=JobState.QUEUED)
    requester_id: Mapped[str] = mapped_column(String(32))
    source_channel: Mapped[str | None] = mapped_column(String(32))
    target_channel: Mapped[str] = mapped_column(String(32))
    masked_prompt: Mapped[str] = mapped_column(Text)
    pii_mapping_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    response_url: Mapped[str | None] = mapped_column(Text)
    schedule_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("schedules.id"))
    schedule_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A warmed scheduled run: generated ahead, posted no earlier than this.
    post_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    model: Mapped[str | None] = mapped_column(String(64))
    seed: Mapped[int | None] = mapped_column(BigInteger)
    # False: `--plain`, generated without the organization's brand kit.
    brand_voice: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    tokens_reserved: Mapped[int] = mapped_column(BigInteger, default=0)
    tokens_used: Mapped[int | None] = mapped_column(BigInteger)
    # What the answering model reported and what it cost (millionths of the catalogue's currency),
    # kept with the result so a settlement after a crash still charges the money.
    input_tokens: Mapped[int | None] = mapped_column(BigInteger)
    output_tokens: Mapped[int | None] = mapped_column(BigInteger)
    cost_micros: Mapped[int | None] = mapped_column(BigInteger)
    # Input tokens the provider served from its context cache (part of ``input_tokens``).
    cached_input_tokens: Mapped[int | None] = mapped_column(BigInteger)
    # Every model call that cost something, one line per attempt: model, attempt, input_tokens,
    # output_tokens, cached_input_tokens, cost_micros (``bot.quota.models.ModelCharge``).
    model_charges: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    cost_reserved_micros: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    quota_state: Mapped[str] = mapped_column(String(16), default="reserved")
    result_text: Mapped[str | None] = mapped_column(Text)
    result_image: Mapped[bytes | None] = mapped_column(LargeBinary)
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    approval_channel: Mapped[str | None] = mapped_column(String(32))
    approval_ts: Mapped[str | None] = mapped_column(String(32))
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    trace_context: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # A job asked for in the agent DM: the thread its result lands in (streamed there when text).
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    # The reply an attempt opened in that thread (a stream, or the placeholder where streaming is
    # unavailable), recorded when Slack names it: a retry ends that message rather than open another.
    stream_ts: Mapped[str | None] = mapped_column(String(32))
    # A "post to channel" of another job's result: that job (one post per job and channel).
    shared_from: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # Pre-generated off-peak into the result cache (a popular image prompt); posts nothing.
    pregenerated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_now(), onupdate=_now())

    __table_args__ = (
        Index("ix_jobs_shared_once", "shared_from", "target_channel", unique=True),
        Index("ix_jobs_org_created", "org_id", "created_at"),
        Index("ix_jobs_outbox", "state", "updated_at", postgresql_where="state IN ('queued', 'running')"),
        Index("ix_jobs_schedule_run", "schedule_id", "schedule_run_at", unique=True),
        Index("ix_jobs_awaiting_approval", "updated_at", postgresql_where="state = 'awaiting_approval'"),
    )


class AuditEvent(Base):
    """Append-only; ``prev_hash``/``hash`` chain each organization's events (set by a trigger)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_now())
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    job_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ux_audit_org_seq", "org_id", "seq", unique=True),
        Index("ix_audit_job", "org_id", "job_id"),
    )


class UsageLedger(Base):
    """Durable monthly usage per organization: the source of truth for budgets."""

    __tablename__ = "usage_ledger"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    tokens_used: Mapped[int] = mapped_column(BigInteger, default=0)
    overrun: Mapped[int] = mapped_column(BigInteger, default=0)
    spent_micros: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_now(), onupdate=_now())


class QuotaSettlement(Base):
    """One row per settled or released job: makes the ledger write exactly-once."""

    __tablename__ = "quota_settlements"

    job_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    month: Mapped[date] = mapped_column(Date)
    reserved: Mapped[int] = mapped_column(BigInteger)
    actual: Mapped[int] = mapped_column(BigInteger)
    overrun: Mapped[int] = mapped_column(BigInteger, default=0)
    # The model that answered, what it reported, and the price table's cost at that time.
    model: Mapped[str | None] = mapped_column(String(64))
    input_tokens: Mapped[int | None] = mapped_column(BigInteger)
    output_tokens: Mapped[int | None] = mapped_column(BigInteger)
    # Of ``input_tokens``, those read from the provider's context cache (billed at the cached price).
    cached_input_tokens: Mapped[int | None] = mapped_column(BigInteger)
    cost_micros: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # What each attempt cost, booked to the model that served it (``jobs.model_charges``); None
    # where no per-attempt lines were kept (an image, an older row): the columns above are its line.
    charges: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    settled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_now())


class BrandKit(Base):
    """An organization's brand voice, written by its admins; its text is guarded and masked
    before it is stored. ``version`` grows with every change (result cache keys carry it)."""

    __tablename__ = "brand_kits"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    tone: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(Text, default="")
    words_to_use: Mapped[list[str]] = mapped_column(JSONB, default=list)
    words_to_avoid: Mapped[list[str]] = mapped_column(JSONB, default=list)
    examples: Mapped[list[str]] = mapped_column(JSONB, default=list)
    updated_by: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_now(), onupdate=_now())


class FeedbackRating(StrEnum):
    GOOD = "good"
    BAD = "bad"


class JobFeedback(Base):
    """One person's verdict on one result; a second click changes it rather than adding one."""

    __tablename__ = "job_feedback"

    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    rating: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_now(), onupdate=_now())

    __table_args__ = (Index("ix_job_feedback_org_created", "org_id", "created_at"),)


class WorkflowStepState(StrEnum):
    RECEIVED = "received"  # recorded; the job is being asked for
    RUNNING = "running"  # the job is in flight
    DUE = "due"  # the job ended (or was refused): the step's completion is to be sent
    COMPLETED = "completed"  # Slack has the completion (or refused it for good)


class WorkflowStep(Base):
    """One execution of the "Generate content" Workflow Builder step (Slack's ``function_execution_id``).

    The primary key makes a redelivered ``function_executed`` event a no-op; the job id is chosen
    before the job exists, so a job that ends at once still finds its step (a trigger on ``jobs``
    marks the step ``due``). The execution's own bot token is kept encrypted until the completion
    is sent, then dropped."""

    __tablename__ = "workflow_steps"

    function_execution_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    job_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    workflow_execution_id: Mapped[str | None] = mapped_column(String(64))
    runner_id: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str | None] = mapped_column(String(8))
    target_channel: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default=WorkflowStepState.RECEIVED)
    # Set when the step fails before its job exists (bad inputs, role, guard, quota): said to Slack as is.
    error: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(16))  # success | error | abandoned, once completed
    function_token_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    completing_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_now(), onupdate=_now())
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ux_workflow_steps_job", "org_id", "job_id", unique=True),
        Index("ix_workflow_steps_open", "updated_at", postgresql_where="state IN ('received', 'due')"),
    )


TENANT_TABLES: tuple[str, ...] = (
    "organizations",
    "workspaces",
    "members",
    "installations",
    "quota_settings",
    "schedules",
    "jobs",
    "audit_events",
    "usage_ledger",
    "quota_settlements",
    "brand_kits",
    "job_feedback",
    "workflow_steps",
)
