"""An organization's audit events can be copied into another region's database as they are, without
taking a lock on the whole table there.

``region move`` used to switch the chain trigger off (``ALTER TABLE … DISABLE TRIGGER``) for its
copy, which holds an exclusive lock on ``audit_events`` until the copy commits: every other
organization's commands in that region waited for it. Now the trigger has a copy mode instead: in
a transaction that sets ``cf.audit_copy`` to ``on``, and only for a member of the table's owner
role (the application's role owns nothing, so it can never use it), an event keeps its number,
time and hashes, but only when it continues the organization's chain (its number follows the
last one, its ``prev_hash`` is the last hash and its own hash verifies); anything else is refused.
A copy therefore cannot fork or rewrite a chain either.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# The chaining every writer gets, as 0002 made it: the next number, linked to the last hash.
_CHAIN = """
          NEW.seq := coalesce(last_seq, 0) + 1;
          NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
          NEW.at := clock_timestamp();
          NEW.detail := coalesce(NEW.detail, '{}'::jsonb);
          NEW.hash := cf_audit_hash(NEW.prev_hash, NEW.org_id, NEW.seq, NEW.at, NEW.actor, NEW.action,
                                    NEW.job_id, NEW.detail);
          RETURN NEW;
"""


def _chain_function(copy_mode: str) -> str:
    return f"""
        CREATE OR REPLACE FUNCTION cf_audit_chain() RETURNS trigger LANGUAGE plpgsql
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
          {copy_mode}
          {_CHAIN}
        END $$
        """


_COPY_MODE = """
          IF current_setting('cf.audit_copy', true) = 'on'
             AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
            IF NEW.seq IS DISTINCT FROM coalesce(last_seq, 0) + 1
               OR NEW.prev_hash IS DISTINCT FROM coalesce(last_hash, repeat('0', 64))
               OR NEW.hash IS DISTINCT FROM cf_audit_hash(NEW.prev_hash, NEW.org_id, NEW.seq, NEW.at,
                                                          NEW.actor, NEW.action, NEW.job_id, NEW.detail) THEN
              RAISE EXCEPTION 'copied audit event % of organization % does not continue its chain',
                NEW.seq, NEW.org_id USING ERRCODE = 'data_exception';
            END IF;
            RETURN NEW;
          END IF;
"""


def upgrade() -> None:
    op.execute(_chain_function(_COPY_MODE))


def downgrade() -> None:
    op.execute(_chain_function(""))
