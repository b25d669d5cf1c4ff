"""Brand kits: one per organization, under Row-Level Security; jobs and schedules say whether
they carry it (``--plain`` turns it off).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from db.rls import tenant_policy_sql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "brand_kits",
        sa.Column("org_id", sa.UUID(), sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tone", sa.Text(), nullable=False),
        sa.Column("audience", sa.Text(), nullable=False),
        sa.Column("words_to_use", postgresql.JSONB(), nullable=False),
        sa.Column("words_to_avoid", postgresql.JSONB(), nullable=False),
        sa.Column("examples", postgresql.JSONB(), nullable=False),
        sa.Column("updated_by", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("org_id"),
    )
    for statement in tenant_policy_sql("brand_kits", "org_id"):
        op.execute(statement)
    op.add_column("jobs", sa.Column("brand_voice", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column("schedules", sa.Column("brand_voice", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    op.drop_column("schedules", "brand_voice")
    op.drop_column("jobs", "brand_voice")
    op.drop_table("brand_kits")
