"""What each model call of a job cost, one line per attempt (``jobs.model_charges``, kept with the
result; ``quota_settlements.charges``, the ledger's copy): a failed attempt is booked to the model
that served it, at that model's prices, instead of to the model that answered last.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("model_charges", postgresql.JSONB(), nullable=True))
    op.add_column("quota_settlements", sa.Column("charges", postgresql.JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("quota_settlements", "charges")
    op.drop_column("jobs", "model_charges")
