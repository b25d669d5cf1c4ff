"""Data residency: the directory that maps a Slack team or enterprise to its organization and region.

Used in the default region's database only (every region gets the same schema). It holds nothing
but the key, the organization's id and its region: no name, no token, no content. Rows are under
Row-Level Security like every tenant table; the request path reads and pins them through two narrow
SECURITY DEFINER functions, callable by a role that may resolve teams (the application role).
A pin never changes a region: only the operator's `content-factory region move` does, as the owner.

Revision ID: 0013
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.rls import DEFINER_ROLE, tenant_policy_sql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

LOOKUP = "cf_region_of(text, text)"
PIN = "cf_pin_region(text, text, uuid, text)"
ENTERPRISE_DEFAULT = "cf_set_enterprise_region(text, text)"
# Whoever may call this resolves teams already (db.rls grants it to the application role).
_CALLER_CHECK = """
          IF NOT has_function_privilege(session_user, 'cf_resolve_team(text, text)', 'EXECUTE') THEN
            RAISE EXCEPTION 'permission denied for function {name}' USING ERRCODE = 'insufficient_privilege';
          END IF;"""


def upgrade() -> None:
    op.create_table(
        "region_directory",
        # 'workspace': a team (or an enterprise's org-wide install) with its organization;
        # 'enterprise': the operator's region for an enterprise's future installs (no organization).
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("slack_key", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("org_id", sa.UUID(), nullable=True),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("pinned_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("kind IN ('workspace', 'enterprise')", name="ck_region_directory_kind"),
        sa.CheckConstraint("(kind = 'workspace') = (org_id IS NOT NULL)", name="ck_region_directory_org"),
        sa.PrimaryKeyConstraint("kind", "slack_key"),
    )
    op.create_index("ix_region_directory_org", "region_directory", ["org_id"])
    for statement in tenant_policy_sql("region_directory", "org_id"):
        op.execute(statement)
    op.execute(f"GRANT INSERT ON region_directory TO {DEFINER_ROLE}")
    op.execute(
        f"""
        CREATE FUNCTION cf_region_of(p_team_id text, p_enterprise_id text)
        RETURNS TABLE (org_id uuid, region text)
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
        BEGIN{_CALLER_CHECK.format(name="cf_region_of")}
          -- The team's own install, else its enterprise's org-wide install, else the operator's
          -- region for the enterprise (no organization yet).
          RETURN QUERY
            SELECT d.org_id, d.region::text FROM region_directory d
             WHERE (d.kind = 'workspace' AND d.slack_key = p_team_id)
                OR (p_enterprise_id IS NOT NULL AND d.slack_key = p_enterprise_id)
             ORDER BY (d.slack_key = p_team_id) DESC, (d.kind = 'workspace') DESC
             LIMIT 1;
        END $$
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION cf_pin_region(p_key text, p_enterprise_id text, p_org_id uuid, p_region text)
        RETURNS TABLE (org_id uuid, region text)
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
        BEGIN{_CALLER_CHECK.format(name="cf_pin_region")}
          INSERT INTO region_directory (kind, slack_key, enterprise_id, org_id, region)
               VALUES ('workspace', p_key, p_enterprise_id, p_org_id, p_region)
          ON CONFLICT (kind, slack_key) DO NOTHING;
          -- The pin that holds: this one, or the one made before (which a pin never changes).
          RETURN QUERY
            SELECT d.org_id, d.region::text FROM region_directory d
             WHERE d.kind = 'workspace' AND d.slack_key = p_key;
        END $$
        """
    )
    # The operator's default region for an enterprise: run as the owner (`content-factory region
    # default`), never by the application role.
    op.execute(
        """
        CREATE FUNCTION cf_set_enterprise_region(p_enterprise_id text, p_region text)
        RETURNS void
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
          INSERT INTO region_directory (kind, slack_key, enterprise_id, org_id, region)
               VALUES ('enterprise', p_enterprise_id, p_enterprise_id, NULL, p_region)
          ON CONFLICT (kind, slack_key) DO UPDATE SET region = EXCLUDED.region, pinned_at = now()
        $$
        """
    )
    for signature in (LOOKUP, PIN, ENTERPRISE_DEFAULT):
        op.execute(f"ALTER FUNCTION {signature} OWNER TO {DEFINER_ROLE}")
    op.execute(f"GRANT EXECUTE ON FUNCTION {LOOKUP}, {PIN} TO PUBLIC")
    op.execute(f"REVOKE ALL ON FUNCTION {ENTERPRISE_DEFAULT} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {ENTERPRISE_DEFAULT} TO CURRENT_USER")


def downgrade() -> None:
    for signature in (ENTERPRISE_DEFAULT, PIN, LOOKUP):
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
    op.drop_table("region_directory")
