"""The agent DM and feedback: a job's DM thread, "post to channel" copies, per-organization
suggested prompts, and one feedback row per person and result, under Row-Level Security.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from db.rls import DEFINER_ROLE

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("organizations", sa.Column("suggested_prompts", postgresql.JSONB(), nullable=True))
    op.add_column("jobs", sa.Column("thread_ts", sa.String(length=32), nullable=True))
    op.add_column("jobs", sa.Column("shared_from", sa.UUID(), nullable=True))
    # A double click on "post to channel" meets this index: one copy per job and channel.
    op.create_index("ix_jobs_shared_once", "jobs", ["shared_from", "target_channel"], unique=True)
    op.create_table(
        "job_feedback",
        sa.Column("job_id", sa.UUID(), sa.ForeignKey("jobs.id"), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.UUID(), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("rating", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("job_id", "user_id"),
        sa.CheckConstraint("rating IN ('good', 'bad')", name="ck_job_feedback_rating"),
    )
    op.create_index("ix_job_feedback_org_created", "job_feedback", ["org_id", "created_at"])
    op.execute("ALTER TABLE job_feedback ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE job_feedback FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY tenant_isolation ON job_feedback "
        "USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid) "
        "WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid)"
    )
    op.execute(f"CREATE POLICY definer_access ON job_feedback TO {DEFINER_ROLE} USING (true) WITH CHECK (true)")
    op.execute(f"GRANT SELECT, UPDATE ON job_feedback TO {DEFINER_ROLE}")


def downgrade() -> None:
    op.drop_table("job_feedback")
    op.drop_index("ix_jobs_shared_once", table_name="jobs")
    op.drop_column("jobs", "shared_from")
    op.drop_column("jobs", "thread_ts")
    op.drop_column("organizations", "suggested_prompts")
