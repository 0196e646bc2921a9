"""salon: a failed solve's clashing requirements keep their French wording too

Revision ID: salon_0002
Revises: salon_0001
Create Date: 2026-12-01

`message` stays the English sentence of the core; `message_fr` is its French one (empty when the
producer gave none, e.g. rows stored before this revision).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "salon_0002"
down_revision = "salon_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("salon_solve_job_clashes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_fr", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("salon_solve_job_clashes", schema=None) as batch_op:
        batch_op.drop_column("message_fr")
