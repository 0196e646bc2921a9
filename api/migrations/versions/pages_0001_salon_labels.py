"""pages: the names a salon gives its two sides (directors, industrials)

Revision ID: pages_0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "pages_0001"
down_revision = None
branch_labels = ("pages",)
depends_on = "salon_0001"


def upgrade() -> None:
    op.create_table(
        "pages_salon_labels",
        sa.Column("salon_id", sa.Integer(), nullable=False),
        sa.Column("director_label", sa.String(80), nullable=True),
        sa.Column("industrial_label", sa.String(80), nullable=True),
        sa.ForeignKeyConstraint(["salon_id"], ["salons.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("salon_id"),
    )


def downgrade() -> None:
    op.drop_table("pages_salon_labels")
