"""What Row-Level Security protects, the narrow cross-tenant functions, and the application role's grants.

Policies name no application role, so one migration serves any role name; ``db.migrate`` grants the
role named in DATABASE_URL exactly what is listed here.
"""

from __future__ import annotations

DEFINER_ROLE = "content_factory_definer"


def create_role_once_sql(role: str, options: str) -> str:
    """A statement creating ``role`` with ``options`` where it is missing, which also succeeds when
    another session creates it at the same moment.

    Roles belong to the server, not to a database, while migrate's advisory lock serializes only
    the migrations of one database: two databases of a server migrated at once (the test lanes,
    one database per region) both find the role missing and both create it. The second CREATE
    then fails, with unique_violation when it waited for the first one's commit, with
    duplicate_object after it; either way the role is there, as asked.
    """
    return f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
    CREATE ROLE {role} {options};
  END IF;
EXCEPTION WHEN unique_violation OR duplicate_object THEN
  NULL;
END $$
"""


# The definer role, created where it is missing (revision 0002, and db.migrate before it lets the
# migrating role hand functions to it).
CREATE_DEFINER_ROLE_SQL = create_role_once_sql(DEFINER_ROLE, "NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")

# table -> the column that holds its organization, for the tables revision 0002 put under RLS
FIRST_TENANT_POLICY_TABLES: dict[str, str] = {
    "organizations": "id",
    "workspaces": "org_id",
    "members": "org_id",
    "installations": "org_id",
    "quota_settings": "org_id",
    "schedules": "org_id",
    "jobs": "org_id",
    "audit_events": "org_id",
    "usage_ledger": "org_id",
    "quota_settlements": "org_id",
}
# Tables a later revision created, each under the same policies (``tenant_policy_sql``) there.
LATER_TENANT_POLICY_TABLES: dict[str, str] = {
    "job_feedback": "org_id",  # revision 0007_agent_dm_feedback
    "workflow_steps": "org_id",  # revision 0008_workflow_steps
    "brand_kits": "org_id",  # revision 0009_brand_kits
}
TENANT_POLICY_TABLES: dict[str, str] = {**FIRST_TENANT_POLICY_TABLES, **LATER_TENANT_POLICY_TABLES}
# The data-residency directory (revision 0013_region_directory): under the same policies, but the
# application role has no grant on it and reaches it only through ``cf_region_of`` and
# ``cf_pin_region``, so no tenant can move itself to another region.
DIRECTORY_TABLE = "region_directory"

READ_WRITE_TABLES = (*tuple(t for t in TENANT_POLICY_TABLES if t != "audit_events"), "oauth_states")
APPEND_ONLY_TABLES = ("audit_events",)
SEQUENCES = ("audit_events_id_seq", "installations_id_seq")

_DEFINER_FUNCTIONS: dict[str, str] = {
    "cf_resolve_team(text, text)": """
        CREATE FUNCTION cf_resolve_team(p_team_id text, p_enterprise_id text)
        RETURNS TABLE (org_id uuid, revoked boolean, paused boolean)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
          SELECT w.org_id, w.revoked_at IS NOT NULL, o.paused
            FROM workspaces w JOIN organizations o ON o.id = w.org_id
           WHERE w.team_id = p_team_id
          UNION ALL
          SELECT i.org_id, false, o.paused
            FROM installations i JOIN organizations o ON o.id = i.org_id
           WHERE p_enterprise_id IS NOT NULL AND i.enterprise_id = p_enterprise_id
             AND i.is_enterprise_install AND i.revoked_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM workspaces w2 WHERE w2.team_id = p_team_id)
          LIMIT 1
        $$""",
    "cf_find_installation(text, text, boolean)": """
        CREATE FUNCTION cf_find_installation(p_enterprise_id text, p_team_id text, p_is_enterprise_install boolean)
        RETURNS SETOF installations
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
          SELECT * FROM installations i
           WHERE i.revoked_at IS NULL
             AND i.enterprise_id IS NOT DISTINCT FROM p_enterprise_id
             AND (CASE WHEN coalesce(p_is_enterprise_install, false) THEN i.is_enterprise_install
                       ELSE i.team_id = p_team_id END)
           ORDER BY i.installed_at DESC, i.id DESC
           LIMIT 1
        $$""",
    "cf_list_org_ids()": """
        CREATE FUNCTION cf_list_org_ids() RETURNS SETOF uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$ SELECT id FROM organizations ORDER BY created_at, id $$""",
    "cf_claim_due_schedules(timestamptz, integer, integer)": """
        CREATE FUNCTION cf_claim_due_schedules(p_now timestamptz, p_lease_seconds integer, p_limit integer)
        RETURNS TABLE (id uuid, org_id uuid, next_run_at timestamptz)
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
          UPDATE schedules s
             SET claimed_until = p_now + make_interval(secs => p_lease_seconds)
           WHERE s.id IN (
                 SELECT d.id FROM schedules d
                  WHERE d.state = 'active' AND d.next_run_at <= p_now
                    AND (d.claimed_until IS NULL OR d.claimed_until < p_now)
                  ORDER BY d.next_run_at
                  LIMIT p_limit
                  FOR UPDATE SKIP LOCKED)
          RETURNING s.id, s.org_id, s.next_run_at
        $$""",
    "cf_stale_jobs(timestamptz, timestamptz, integer)": """
        CREATE FUNCTION cf_stale_jobs(p_queued_before timestamptz, p_now timestamptz, p_limit integer)
        RETURNS TABLE (id uuid, org_id uuid, state text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
          SELECT j.id, j.org_id, j.state FROM jobs j
           WHERE (j.state = 'queued' AND j.updated_at < p_queued_before)
              OR (j.state = 'running' AND j.lease_until < p_now)
           ORDER BY j.updated_at
           LIMIT p_limit
        $$""",
    "cf_unsettled_jobs(timestamptz, integer)": """
        CREATE FUNCTION cf_unsettled_jobs(p_updated_before timestamptz, p_limit integer)
        RETURNS TABLE (id uuid, org_id uuid, state text, tokens_reserved bigint)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
          SELECT j.id, j.org_id, j.state, j.tokens_reserved FROM jobs j
           WHERE j.quota_state = 'reserved'
             AND j.state IN ('posted', 'rejected', 'failed', 'cancelled', 'awaiting_approval')
             AND j.updated_at < p_updated_before
           ORDER BY j.updated_at
           LIMIT p_limit
        $$""",
}


def tenant_policy_sql(table: str, column: str) -> list[str]:
    """Row-Level Security for one tenant table: forced, tenant isolation for every role, and the
    definer role's access for the narrow SECURITY DEFINER functions."""
    tenant = "nullif(current_setting('app.org_id', true), '')::uuid"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_isolation ON {table} USING ({column} = {tenant}) WITH CHECK ({column} = {tenant})",
        f"CREATE POLICY definer_access ON {table} TO {DEFINER_ROLE} USING (true) WITH CHECK (true)",
        f"GRANT SELECT, UPDATE ON {table} TO {DEFINER_ROLE}",
    ]


def definer_function_sql() -> list[str]:
    statements: list[str] = []
    for signature, body in _DEFINER_FUNCTIONS.items():
        statements.append(body)
        statements.append(f"ALTER FUNCTION {signature} OWNER TO {DEFINER_ROLE}")
        statements.append(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
    return statements


def definer_function_signatures() -> tuple[str, ...]:
    return tuple(_DEFINER_FUNCTIONS)


def app_role_grants(role: str, database: str) -> list[str]:
    """Exactly what the application role needs; running them twice changes nothing."""
    quoted = f'"{role}"'
    statements = [
        f'GRANT CONNECT ON DATABASE "{database}" TO {quoted}',
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(READ_WRITE_TABLES)} TO {quoted}",
        f"GRANT SELECT, INSERT ON {', '.join(APPEND_ONLY_TABLES)} TO {quoted}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {', '.join(APPEND_ONLY_TABLES)} FROM {quoted}",
        f"GRANT USAGE ON SEQUENCE {', '.join(SEQUENCES)} TO {quoted}",
        f"GRANT EXECUTE ON FUNCTION cf_audit_hash(text, uuid, bigint, timestamptz, text, text, uuid, jsonb) "
        f"TO {quoted}",
    ]
    statements += [f"GRANT EXECUTE ON FUNCTION {sig} TO {quoted}" for sig in definer_function_signatures()]
    return statements
