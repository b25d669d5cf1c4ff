"""Approvals: the cross-tenant look-up of approval requests that expired or were never delivered.

Revision ID: 0004
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None

SIGNATURE = "cf_pending_approvals(timestamptz, timestamptz, integer)"


def upgrade() -> None:
    # Beat reads this every tick; awaiting jobs are few, all jobs are many.
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_jobs_awaiting_approval ON jobs (updated_at) WHERE state = 'awaiting_approval'"
    )
    # The application role's grants are made by db.migrate after every migration, from db.rls's
    # list, which a revision cannot extend. So the function is callable by PUBLIC but checks that
    # its caller may claim due schedules: it is exactly as narrow as the beat's other steps.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION cf_pending_approvals(
            p_requested_before timestamptz, p_unsent_before timestamptz, p_limit integer)
        RETURNS TABLE (id uuid, org_id uuid, expired boolean)
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
        BEGIN
          IF NOT has_function_privilege(session_user, 'cf_claim_due_schedules(timestamptz, integer, integer)',
                                        'EXECUTE') THEN
            RAISE EXCEPTION 'permission denied for function cf_pending_approvals'
              USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN QUERY
            SELECT j.id, j.org_id, j.updated_at < p_requested_before
              FROM jobs j
             WHERE j.state = 'awaiting_approval' AND j.decided_at IS NULL
               AND (j.updated_at < p_requested_before OR (j.approval_ts IS NULL AND j.updated_at < p_unsent_before))
             ORDER BY j.updated_at
             LIMIT p_limit;
        END $$
        """
    )
    op.execute(f"ALTER FUNCTION {SIGNATURE} OWNER TO content_factory_definer")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO PUBLIC")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
    op.execute("DROP INDEX IF EXISTS ix_jobs_awaiting_approval")
