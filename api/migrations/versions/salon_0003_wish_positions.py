"""salon: a wish's position is distinct in its salon (unique index on salon_id, position)

Revision ID: salon_0003
Revises: salon_0002
Create Date: 2026-12-04

Wish lists sent at once could give several wishes the same position (issue 11). The wishes of a
salon with such duplicates are numbered again from 0 in their order (position, then id), the
other salons' positions are kept, then the index makes duplicates impossible.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "salon_0003"
down_revision = "salon_0002"
branch_labels = None
depends_on = None

RENUMBER = """
UPDATE salon_wishes SET position = numbered.n
FROM (
    SELECT id, row_number() OVER (PARTITION BY salon_id ORDER BY position, id) - 1 AS n
    FROM salon_wishes
    WHERE salon_id IN (
        SELECT salon_id FROM salon_wishes GROUP BY salon_id, position HAVING count(*) > 1
    )
) AS numbered
WHERE salon_wishes.id = numbered.id
"""


def upgrade() -> None:
    op.execute(sa.text(RENUMBER))
    op.create_index(
        "uq_salon_wishes_position", "salon_wishes", ["salon_id", "position"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_salon_wishes_position", table_name="salon_wishes")
