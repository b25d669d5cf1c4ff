"""Model routing and money: each organization's model policy, a money budget, and the spend per job.

Every column lands on a table Row-Level Security already guards (its policies cover whole rows,
and the application role's grants are per table), so no policy or grant changes here.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("organizations", sa.Column("allowed_models", postgresql.JSONB(), nullable=True))
    op.add_column(
        "organizations",
        sa.Column("model_strategy", sa.String(length=16), nullable=False, server_default="ordered"),
    )
    op.add_column("quota_settings", sa.Column("money_budget_micros", sa.BigInteger(), nullable=True))
    op.add_column("quota_settings", sa.Column("currency", sa.String(length=3), nullable=True))
    op.add_column("jobs", sa.Column("input_tokens", sa.BigInteger(), nullable=True))
    op.add_column("jobs", sa.Column("output_tokens", sa.BigInteger(), nullable=True))
    op.add_column("jobs", sa.Column("cost_micros", sa.BigInteger(), nullable=True))
    op.add_column("jobs", sa.Column("cost_reserved_micros", sa.BigInteger(), nullable=False, server_default="0"))
    op.add_column("usage_ledger", sa.Column("spent_micros", sa.BigInteger(), nullable=False, server_default="0"))
    op.add_column("quota_settlements", sa.Column("model", sa.String(length=64), nullable=True))
    op.add_column("quota_settlements", sa.Column("input_tokens", sa.BigInteger(), nullable=True))
    op.add_column("quota_settlements", sa.Column("output_tokens", sa.BigInteger(), nullable=True))
    op.add_column("quota_settlements", sa.Column("cost_micros", sa.BigInteger(), nullable=False, server_default="0"))
    # `/content quota` sums a month's spend by model.
    op.create_index("ix_quota_settlements_org_month", "quota_settlements", ["org_id", "month"])
    op.create_check_constraint(
        "ck_organizations_model_strategy", "organizations", "model_strategy IN ('ordered', 'cheapest', 'fastest')"
    )


def downgrade() -> None:
    op.drop_constraint("ck_organizations_model_strategy", "organizations")
    op.drop_index("ix_quota_settlements_org_month", table_name="quota_settlements")
    for table, column in (
        ("quota_settlements", "cost_micros"),
        ("quota_settlements", "output_tokens"),
        ("quota_settlements", "input_tokens"),
        ("quota_settlements", "model"),
        ("usage_ledger", "spent_micros"),
        ("jobs", "cost_reserved_micros"),
        ("jobs", "cost_micros"),
        ("jobs", "output_tokens"),
        ("jobs", "input_tokens"),
        ("quota_settings", "currency"),
        ("quota_settings", "money_budget_micros"),
        ("organizations", "model_strategy"),
        ("organizations", "allowed_models"),
    ):
        op.drop_column(table, column)
