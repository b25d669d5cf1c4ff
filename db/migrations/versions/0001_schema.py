"""schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 18:33:35.038352
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oauth_states",
        sa.Column("state", sa.String(length=128), nullable=False),
        sa.Column("expire_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state"),
    )
    op.create_table(
        "organizations",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("default_role", sa.String(length=16), nullable=False),
        sa.Column("approvals_required", sa.Boolean(), nullable=False),
        sa.Column("approvers_channel", sa.String(length=32), nullable=True),
        sa.Column("restore_pii", sa.Boolean(), nullable=False),
        sa.Column("injection_threshold", sa.Float(), nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("job_id", sa.UUID(), nullable=True),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_job", "audit_events", ["org_id", "job_id"], unique=False)
    op.create_index("ux_audit_org_seq", "audit_events", ["org_id", "seq"], unique=True)
    op.create_table(
        "installations",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("app_id", sa.String(length=32), nullable=True),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("enterprise_name", sa.String(length=200), nullable=True),
        sa.Column("team_id", sa.String(length=32), nullable=True),
        sa.Column("team_name", sa.String(length=200), nullable=True),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("bot_id", sa.String(length=32), nullable=True),
        sa.Column("bot_user_id", sa.String(length=32), nullable=True),
        sa.Column("bot_scopes", sa.Text(), nullable=True),
        sa.Column("bot_token_enc", sa.LargeBinary(), nullable=True),
        sa.Column("bot_refresh_token_enc", sa.LargeBinary(), nullable=True),
        sa.Column("bot_token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_scopes", sa.Text(), nullable=True),
        sa.Column("user_token_enc", sa.LargeBinary(), nullable=True),
        sa.Column("user_refresh_token_enc", sa.LargeBinary(), nullable=True),
        sa.Column("user_token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("incoming_webhook_url_enc", sa.LargeBinary(), nullable=True),
        sa.Column("token_type", sa.String(length=16), nullable=True),
        sa.Column("installed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_installations_lookup", "installations", ["enterprise_id", "team_id", "installed_at"], unique=False
    )
    op.create_index(op.f("ix_installations_org_id"), "installations", ["org_id"], unique=False)
    op.create_table(
        "members",
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
        ),
        sa.PrimaryKeyConstraint("org_id", "slack_user_id"),
    )
    op.create_table(
        "quota_settings",
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("monthly_budget", sa.BigInteger(), nullable=False),
        sa.Column("rate_per_minute", sa.Integer(), nullable=False),
        sa.Column("burst", sa.Integer(), nullable=False),
        sa.Column("image_cost", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
        ),
        sa.PrimaryKeyConstraint("org_id"),
    )
    op.create_table(
        "quota_settlements",
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("reserved", sa.BigInteger(), nullable=False),
        sa.Column("actual", sa.BigInteger(), nullable=False),
        sa.Column("overrun", sa.BigInteger(), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
        ),
        sa.PrimaryKeyConstraint("job_id"),
    )
    op.create_index(op.f("ix_quota_settlements_org_id"), "quota_settlements", ["org_id"], unique=False)
    op.create_table(
        "schedules",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("masked_prompt", sa.Text(), nullable=False),
        sa.Column("pii_mapping_enc", sa.LargeBinary(), nullable=True),
        sa.Column("target_channel", sa.String(length=32), nullable=False),
        sa.Column("cron", sa.String(length=120), nullable=True),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("injection_score", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_schedules_due", "schedules", ["next_run_at"], unique=False, postgresql_where="state = 'active'")
    op.create_index(op.f("ix_schedules_org_id"), "schedules", ["org_id"], unique=False)
    op.create_table(
        "usage_ledger",
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("tokens_used", sa.BigInteger(), nullable=False),
        sa.Column("overrun", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
        ),
        sa.PrimaryKeyConstraint("org_id", "month"),
    )
    op.create_table(
        "workspaces",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("installed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
        ),
        sa.PrimaryKeyConstraint("team_id"),
    )
    op.create_index(op.f("ix_workspaces_enterprise_id"), "workspaces", ["enterprise_id"], unique=False)
    op.create_index(op.f("ix_workspaces_org_id"), "workspaces", ["org_id"], unique=False)
    op.create_table(
        "jobs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("requester_id", sa.String(length=32), nullable=False),
        sa.Column("source_channel", sa.String(length=32), nullable=True),
        sa.Column("target_channel", sa.String(length=32), nullable=False),
        sa.Column("masked_prompt", sa.Text(), nullable=False),
        sa.Column("pii_mapping_enc", sa.LargeBinary(), nullable=True),
        sa.Column("response_url", sa.Text(), nullable=True),
        sa.Column("schedule_id", sa.UUID(), nullable=True),
        sa.Column("schedule_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("model", sa.String(length=64), nullable=True),
        sa.Column("seed", sa.BigInteger(), nullable=True),
        sa.Column("tokens_reserved", sa.BigInteger(), nullable=False),
        sa.Column("tokens_used", sa.BigInteger(), nullable=True),
        sa.Column("quota_state", sa.String(length=16), nullable=False),
        sa.Column("result_text", sa.Text(), nullable=True),
        sa.Column("result_image", sa.LargeBinary(), nullable=True),
        sa.Column("slack_ts", sa.String(length=32), nullable=True),
        sa.Column("approval_channel", sa.String(length=32), nullable=True),
        sa.Column("approval_ts", sa.String(length=32), nullable=True),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("trace_context", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedules.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_jobs_org_created", "jobs", ["org_id", "created_at"], unique=False)
    op.create_index(
        "ix_jobs_outbox",
        "jobs",
        ["state", "updated_at"],
        unique=False,
        postgresql_where="state IN ('queued', 'running')",
    )
    op.create_index("ix_jobs_schedule_run", "jobs", ["schedule_id", "schedule_run_at"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_jobs_schedule_run", table_name="jobs")
    op.drop_index("ix_jobs_outbox", table_name="jobs", postgresql_where="state IN ('queued', 'running')")
    op.drop_index("ix_jobs_org_created", table_name="jobs")
    op.drop_table("jobs")
    op.drop_index(op.f("ix_workspaces_org_id"), table_name="workspaces")
    op.drop_index(op.f("ix_workspaces_enterprise_id"), table_name="workspaces")
    op.drop_table("workspaces")
    op.drop_table("usage_ledger")
    op.drop_index(op.f("ix_schedules_org_id"), table_name="schedules")
    op.drop_index("ix_schedules_due", table_name="schedules", postgresql_where="state = 'active'")
    op.drop_table("schedules")
    op.drop_index(op.f("ix_quota_settlements_org_id"), table_name="quota_settlements")
    op.drop_table("quota_settlements")
    op.drop_table("quota_settings")
    op.drop_table("members")
    op.drop_index(op.f("ix_installations_org_id"), table_name="installations")
    op.drop_index("ix_installations_lookup", table_name="installations")
    op.drop_table("installations")
    op.drop_index("ux_audit_org_seq", table_name="audit_events")
    op.drop_index("ix_audit_job", table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_table("organizations")
    op.drop_table("oauth_states")
