"""Warmed schedules: a job generated ahead of its schedule's due time is held until ``post_at``;
the beat finds the held jobs coming due across organizations through one narrow function.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SIGNATURE = "cf_held_jobs(timestamptz, integer)"


def upgrade() -> None:
    op.add_column("jobs", sa.Column("post_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("CREATE INDEX IF NOT EXISTS ix_jobs_held ON jobs (post_at) WHERE state = 'held'")
    # Callable by PUBLIC but only by a role that may claim due schedules, like cf_pending_approvals.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION cf_held_jobs(p_due_before timestamptz, p_limit integer)
        RETURNS TABLE (id uuid, org_id uuid, kind text, post_at timestamptz)
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
        BEGIN
          IF NOT has_function_privilege(session_user, 'cf_claim_due_schedules(timestamptz, integer, integer)',
                                        'EXECUTE') THEN
            RAISE EXCEPTION 'permission denied for function cf_held_jobs'
              USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN QUERY
            SELECT j.id, j.org_id, j.kind::text, j.post_at
              FROM jobs j
             WHERE j.state = 'held' AND j.post_at <= p_due_before
             ORDER BY j.post_at
             LIMIT p_limit;
        END $$
        """
    )
    op.execute(f"ALTER FUNCTION {SIGNATURE} OWNER TO content_factory_definer")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO PUBLIC")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
    op.execute("DROP INDEX IF EXISTS ix_jobs_held")
    op.drop_column("jobs", "post_at")
