"""Cached input tokens in the ledger; image schedules warmed earlier, and off-peak where the
organization set a window; popular image prompts pre-generated into the result cache.

- ``quota_settlements.cached_input_tokens`` and ``jobs.cached_input_tokens``: input tokens a
  provider served from its context cache (billed at the cached price), kept with the result so a
  settlement after a crash still records them.
- ``organizations.off_peak_start``/``off_peak_end`` (minutes after midnight, in
  ``off_peak_timezone``) and ``pregenerate_images``.
- ``jobs.pregenerated``: a job that fills the result cache and posts nothing.
- ``cf_claim_warm_schedules``: the due-schedule claim with a lead per kind and the off-peak horizon;
  ``cf_orgs_pregenerating_images``: the organizations whose popular images the beat pre-generates.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

SIGNATURE = "cf_claim_warm_schedules(timestamptz, timestamptz, timestamptz, timestamptz, integer, integer)"
PREGENERATING = "cf_orgs_pregenerating_images()"


def upgrade() -> None:
    op.add_column("quota_settlements", sa.Column("cached_input_tokens", sa.BigInteger(), nullable=True))
    op.add_column("jobs", sa.Column("cached_input_tokens", sa.BigInteger(), nullable=True))
    op.add_column("jobs", sa.Column("pregenerated", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("organizations", sa.Column("off_peak_start", sa.SmallInteger(), nullable=True))
    op.add_column("organizations", sa.Column("off_peak_end", sa.SmallInteger(), nullable=True))
    op.add_column("organizations", sa.Column("off_peak_timezone", sa.String(64), nullable=True))
    op.add_column(
        "organizations", sa.Column("pregenerate_images", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.execute("CREATE INDEX IF NOT EXISTS ix_jobs_image_prompts ON jobs (org_id, created_at) WHERE kind = 'image'")
    # A text run is claimed up to its lead ahead, an image run up to its (longer) lead ahead, or up
    # to the off-peak horizon ahead while its organization's off-peak window holds ``p_now``.
    # Callable by PUBLIC but only by a role that may claim due schedules, like cf_held_jobs.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION cf_claim_warm_schedules(
            p_now timestamptz, p_text_before timestamptz, p_image_before timestamptz,
            p_off_peak_before timestamptz, p_lease_seconds integer, p_limit integer)
        RETURNS TABLE (id uuid, org_id uuid, next_run_at timestamptz)
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
        BEGIN
          IF NOT has_function_privilege(session_user, 'cf_claim_due_schedules(timestamptz, integer, integer)',
                                        'EXECUTE') THEN
            RAISE EXCEPTION 'permission denied for function cf_claim_warm_schedules'
              USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN QUERY
            UPDATE schedules s
               SET claimed_until = p_now + make_interval(secs => p_lease_seconds)
             WHERE s.id IN (
                   SELECT d.id FROM schedules d JOIN organizations o ON o.id = d.org_id
                    WHERE d.state = 'active'
                      AND (d.claimed_until IS NULL OR d.claimed_until < p_now)
                      AND (d.next_run_at <= CASE WHEN d.kind = 'image' THEN p_image_before ELSE p_text_before END
                           OR (d.kind = 'image' AND d.next_run_at <= p_off_peak_before
                               AND o.off_peak_start IS NOT NULL AND o.off_peak_end IS NOT NULL
                               AND (SELECT CASE WHEN o.off_peak_start < o.off_peak_end
                                                THEN m >= o.off_peak_start AND m < o.off_peak_end
                                                ELSE m >= o.off_peak_start OR m < o.off_peak_end END
                                      FROM (SELECT (extract(hour FROM local) * 60 + extract(minute FROM local))::int AS m
                                              FROM (SELECT p_now AT TIME ZONE coalesce(o.off_peak_timezone, 'UTC')
                                                           AS local) l) w)))
                    ORDER BY d.next_run_at
                    LIMIT p_limit
                    FOR UPDATE OF d SKIP LOCKED)
            RETURNING s.id, s.org_id, s.next_run_at;
        END $$
        """
    )
    op.execute(f"ALTER FUNCTION {SIGNATURE} OWNER TO content_factory_definer")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO PUBLIC")
    op.execute(
        """
        CREATE OR REPLACE FUNCTION cf_orgs_pregenerating_images()
        RETURNS TABLE (org_id uuid)
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
        BEGIN
          IF NOT has_function_privilege(session_user, 'cf_claim_due_schedules(timestamptz, integer, integer)',
                                        'EXECUTE') THEN
            RAISE EXCEPTION 'permission denied for function cf_orgs_pregenerating_images'
              USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN QUERY
            SELECT o.id FROM organizations o
             WHERE o.pregenerate_images AND o.result_cache_enabled AND NOT o.paused
               AND o.off_peak_start IS NOT NULL AND o.off_peak_end IS NOT NULL
             ORDER BY o.created_at, o.id;
        END $$
        """
    )
    op.execute(f"ALTER FUNCTION {PREGENERATING} OWNER TO content_factory_definer")
    op.execute(f"GRANT EXECUTE ON FUNCTION {PREGENERATING} TO PUBLIC")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {PREGENERATING}")
    op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
    op.execute("DROP INDEX IF EXISTS ix_jobs_image_prompts")
    op.drop_column("organizations", "pregenerate_images")
    op.drop_column("organizations", "off_peak_timezone")
    op.drop_column("organizations", "off_peak_end")
    op.drop_column("organizations", "off_peak_start")
    op.drop_column("jobs", "pregenerated")
    op.drop_column("jobs", "cached_input_tokens")
    op.drop_column("quota_settlements", "cached_input_tokens")
