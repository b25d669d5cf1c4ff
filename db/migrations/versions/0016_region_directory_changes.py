"""Every committed change to the region directory is announced on the channel
``cf_region_directory`` with the changed row's key, so that each web process drops its cached
entry at once instead of routing a moved organization's teams to its old region until the entry
expires. A trigger, not the code that changes rows: a move, a pin, an operator's default and a
change made by hand in psql are all announced, and only when their transaction commits.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

CHANNEL = "cf_region_directory"


def upgrade() -> None:
    op.execute(
        f"""
        CREATE FUNCTION cf_announce_region_directory_change() RETURNS trigger
        LANGUAGE plpgsql SET search_path = pg_catalog, public
        AS $$
        BEGIN
          IF TG_OP <> 'INSERT' THEN
            PERFORM pg_notify('{CHANNEL}', OLD.slack_key);
          END IF;
          IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.slack_key <> OLD.slack_key) THEN
            PERFORM pg_notify('{CHANNEL}', NEW.slack_key);
          END IF;
          RETURN NULL;
        END $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER region_directory_announce
        AFTER INSERT OR UPDATE OR DELETE ON region_directory
        FOR EACH ROW EXECUTE FUNCTION cf_announce_region_directory_change()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS region_directory_announce ON region_directory")
    op.execute("DROP FUNCTION IF EXISTS cf_announce_region_directory_change()")
