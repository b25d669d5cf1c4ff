"""Row-Level Security, the definer role, cross-tenant functions and the audit chain.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

from db.rls import CREATE_DEFINER_ROLE_SQL, FIRST_TENANT_POLICY_TABLES, definer_function_sql, tenant_policy_sql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(CREATE_DEFINER_ROLE_SQL)
    # The migrating role is a member of the definer role only while db.migrate runs (so that it
    # may hand the functions below to it); it must not stay one.
    # The definer role runs only the narrow SECURITY DEFINER functions below.
    for table, column in FIRST_TENANT_POLICY_TABLES.items():
        for statement in tenant_policy_sql(table, column):
            op.execute(statement)

    # OAuth states belong to no tenant yet; they are usable only until they expire.
    op.execute("ALTER TABLE oauth_states ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE oauth_states FORCE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY unexpired_states ON oauth_states USING (expire_at > now()) WITH CHECK (true)")

    op.execute(
        """
        CREATE FUNCTION cf_audit_hash(prev text, org uuid, seq bigint, at timestamptz, actor text,
                                      action text, job uuid, detail jsonb)
        RETURNS text LANGUAGE sql IMMUTABLE
        SET search_path = pg_catalog
        AS $$
          SELECT encode(sha256(convert_to(concat_ws('|', prev, org::text, seq::text,
                 to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), actor, action,
                 coalesce(job::text, ''), detail::text), 'UTF8')), 'hex')
        $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION cf_audit_chain() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, public
        AS $$
        DECLARE
          last_seq bigint;
          last_hash text;
        BEGIN
          -- Serialize writers of one organization so the chain never forks.
          PERFORM pg_advisory_xact_lock(hashtextextended('audit:' || NEW.org_id::text, 0));
          SELECT a.seq, a.hash INTO last_seq, last_hash FROM audit_events a
           WHERE a.org_id = NEW.org_id ORDER BY a.seq DESC LIMIT 1;
          NEW.seq := coalesce(last_seq, 0) + 1;
          NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
          NEW.at := clock_timestamp();
          NEW.detail := coalesce(NEW.detail, '{}'::jsonb);
          NEW.hash := cf_audit_hash(NEW.prev_hash, NEW.org_id, NEW.seq, NEW.at, NEW.actor, NEW.action,
                                    NEW.job_id, NEW.detail);
          RETURN NEW;
        END $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events
          FOR EACH ROW EXECUTE FUNCTION cf_audit_chain()
        """
    )
    for statement in definer_function_sql():
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("security migrations are not reversible")
