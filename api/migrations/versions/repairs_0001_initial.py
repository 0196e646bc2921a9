"""repairs: changes of the day applied to a published schedule, and their draft

Revision ID: repairs_0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "repairs_0001"
down_revision = None
branch_labels = ("repairs",)
depends_on = "salon_0001"


def upgrade() -> None:
    op.create_table(
        "salon_repairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("salon_id", sa.Integer(), nullable=False),
        sa.Column("base_schedule_id", sa.Integer(), nullable=True),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("now", sa.DateTime(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("change_list", sa.JSON(), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("notified", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("notified_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["salon_id"],
            ["salons.id"],
            name=op.f("fk_salon_repairs_salon_id_salons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["base_schedule_id"],
            ["salon_schedules.id"],
            name=op.f("fk_salon_repairs_base_schedule_id_salon_schedules"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["salon_schedules.id"],
            name=op.f("fk_salon_repairs_schedule_id_salon_schedules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_salon_repairs")),
        sa.UniqueConstraint("schedule_id", name=op.f("uq_salon_repairs_schedule_id")),
    )
    with op.batch_alter_table("salon_repairs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_salon_repairs_salon_id"), ["salon_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("salon_repairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_salon_repairs_salon_id"))
    op.drop_table("salon_repairs")
