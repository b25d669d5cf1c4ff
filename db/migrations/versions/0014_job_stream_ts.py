"""The DM reply a job's attempt opened for its answer (``jobs.stream_ts``), recorded as soon as
Slack names it, so that a retry after a crash or a lost lease ends that message instead of opening
a second one.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("stream_ts", sa.String(length=32), nullable=True))


def downgrade() -> None:
    op.drop_column("jobs", "stream_ts")
