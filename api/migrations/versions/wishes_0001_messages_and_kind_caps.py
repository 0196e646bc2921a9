"""wishes: a wish's short message to the asked participant; caps per kind of participant

Revision ID: wishes_0001
Revises:
Create Date: 2026-12-05

Issue 14 (guided wishes, caps): `salon_wishes.message` (empty for every existing wish) and the
salon's caps per kind, salon/v1's `max_meetings_by_kind` (`salons.director_max_meetings`,
`salons.industrial_max_meetings`, none for existing salons). Columns only: no row is rewritten.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "wishes_0001"
down_revision = None
branch_labels = ("wishes",)
depends_on = "salon_0004"


def upgrade() -> None:
    # ALTER TABLE ... ADD COLUMN on both databases: the tables are never copied (their
    # children's rows and links stay; see salon_0004).
    op.add_column(
        "salon_wishes", sa.Column("message", sa.Text(), server_default="", nullable=False)
    )
    op.add_column("salons", sa.Column("director_max_meetings", sa.Integer(), nullable=True))
    op.add_column("salons", sa.Column("industrial_max_meetings", sa.Integer(), nullable=True))


def downgrade() -> None:
    """The columns dropped in place (ALTER TABLE ... DROP COLUMN on both databases): a batch
    copy of `salons` on SQLite would drop the table and cascade to its wishes."""
    op.drop_column("salons", "industrial_max_meetings")
    op.drop_column("salons", "director_max_meetings")
    op.drop_column("salon_wishes", "message")
