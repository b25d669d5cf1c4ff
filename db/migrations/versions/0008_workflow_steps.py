"""Workflow Builder steps: one row per execution of "Generate content", under RLS; a trigger that
marks a step due when its job ends; the beat's cross-tenant look-up of steps to finish.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.rls import DEFINER_ROLE, LATER_TENANT_POLICY_TABLES, tenant_policy_sql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

LOOKUP = "cf_open_workflow_steps(timestamptz, timestamptz, integer)"
FINAL_JOB_STATES = "('posted', 'rejected', 'failed', 'cancelled')"


def upgrade() -> None:
    op.create_table(
        "workflow_steps",
        sa.Column("function_execution_id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("workflow_execution_id", sa.String(length=64), nullable=True),
        sa.Column("runner_id", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=True),
        sa.Column("target_channel", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("function_token_enc", sa.LargeBinary(), nullable=True),
        sa.Column("completing_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("function_execution_id"),
    )
    op.create_index("ux_workflow_steps_job", "workflow_steps", ["org_id", "job_id"], unique=True)
    op.create_index(
        "ix_workflow_steps_open",
        "workflow_steps",
        ["updated_at"],
        postgresql_where=sa.text("state IN ('received', 'due')"),
    )
    for statement in tenant_policy_sql("workflow_steps", LATER_TENANT_POLICY_TABLES["workflow_steps"]):
        op.execute(statement)

    # Runs as whoever ends the job (a worker or an approver's click, always inside the job's tenant
    # transaction), so the step turns due in the same commit as the job's final state: no crash
    # can leave a finished job with a step that waits forever.
    op.execute(
        """
        CREATE FUNCTION cf_workflow_step_due() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, public
        AS $$
        BEGIN
          UPDATE workflow_steps SET state = 'due', updated_at = now()
           WHERE org_id = NEW.org_id AND job_id = NEW.id AND state IN ('received', 'running');
          RETURN NULL;
        END $$
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER jobs_end_workflow_step AFTER UPDATE OF state ON jobs
          FOR EACH ROW WHEN (NEW.state IN {FINAL_JOB_STATES} AND OLD.state IS DISTINCT FROM NEW.state)
          EXECUTE FUNCTION cf_workflow_step_due()
        """
    )
    # As revision 0004: db.migrate grants the application role only what db.rls lists, so the
    # function is callable by PUBLIC but checks that its caller may run the beat's other steps.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION cf_open_workflow_steps(
            p_received_before timestamptz, p_now timestamptz, p_limit integer)
        RETURNS TABLE (function_execution_id text, org_id uuid, state text)
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
        BEGIN
          IF NOT has_function_privilege(session_user, 'cf_claim_due_schedules(timestamptz, integer, integer)',
                                        'EXECUTE') THEN
            RAISE EXCEPTION 'permission denied for function cf_open_workflow_steps'
              USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN QUERY
            SELECT s.function_execution_id::text, s.org_id, s.state::text
              FROM workflow_steps s
             WHERE s.state IN ('received', 'due')
               AND ((s.state = 'due' AND (s.completing_until IS NULL OR s.completing_until < p_now))
                    OR (s.state = 'received' AND s.updated_at < p_received_before))
             ORDER BY s.updated_at
             LIMIT p_limit;
        END $$
        """
    )
    op.execute(f"ALTER FUNCTION {LOOKUP} OWNER TO {DEFINER_ROLE}")
    op.execute(f"GRANT EXECUTE ON FUNCTION {LOOKUP} TO PUBLIC")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {LOOKUP}")
    op.execute("DROP TRIGGER IF EXISTS jobs_end_workflow_step ON jobs")
    op.execute("DROP FUNCTION IF EXISTS cf_workflow_step_due()")
    op.drop_table("workflow_steps")
