"""OAuth states nobody came back with: a narrow function that deletes those past their expiry.

The application role sees only unexpired states (RLS), so it cannot remove the abandoned ones
itself; the beat calls this instead.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

from db.rls import DEFINER_ROLE

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SIGNATURE = "cf_purge_oauth_states(timestamptz, integer)"


def upgrade() -> None:
    op.execute("CREATE INDEX IF NOT EXISTS ix_oauth_states_expire_at ON oauth_states (expire_at)")
    op.execute(f"CREATE POLICY definer_purge ON oauth_states TO {DEFINER_ROLE} USING (true)")
    op.execute(f"GRANT SELECT, DELETE ON oauth_states TO {DEFINER_ROLE}")
    op.execute(
        """
        CREATE OR REPLACE FUNCTION cf_purge_oauth_states(p_expired_before timestamptz, p_limit integer)
        RETURNS integer
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
          WITH gone AS (
            DELETE FROM oauth_states
             WHERE state IN (SELECT s.state FROM oauth_states s
                              WHERE s.expire_at < least(p_expired_before, now())
                              ORDER BY s.expire_at
                              LIMIT p_limit)
            RETURNING 1)
          SELECT count(*)::integer FROM gone
        $$
        """
    )
    op.execute(f"ALTER FUNCTION {SIGNATURE} OWNER TO {DEFINER_ROLE}")
    # Harmless to anyone: it removes only states past their expiry, which no install can use.
    op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO PUBLIC")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
    op.execute(f"REVOKE SELECT, DELETE ON oauth_states FROM {DEFINER_ROLE}")
    op.execute("DROP POLICY IF EXISTS definer_purge ON oauth_states")
    op.execute("DROP INDEX IF EXISTS ix_oauth_states_expire_at")
