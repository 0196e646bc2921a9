"""dayof: arrivals at the desk and attendance of the meetings

Revision ID: dayof_0001
Revises:
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "dayof_0001"
down_revision = None
branch_labels = ("dayof",)
depends_on = "salon_0001"


def _participant_fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        ["salon_participants.id"],
        name=op.f(f"fk_{table}_{column}_salon_participants"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "dayof_arrivals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("salon_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("arrived_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["salon_id"],
            ["salons.id"],
            name=op.f("fk_dayof_arrivals_salon_id_salons"),
            ondelete="CASCADE",
        ),
        _participant_fk("participant_id", "dayof_arrivals"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dayof_arrivals")),
        sa.UniqueConstraint("participant_id", name=op.f("uq_dayof_arrivals_participant_id")),
    )
    with op.batch_alter_table("dayof_arrivals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dayof_arrivals_salon_id"), ["salon_id"], unique=False)
    op.create_table(
        "dayof_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("salon_id", sa.Integer(), nullable=False),
        sa.Column("from_id", sa.Integer(), nullable=False),
        sa.Column("to_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("table_code", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("absent_id", sa.Integer(), nullable=True),
        sa.Column("marked_by", sa.String(length=16), nullable=False),
        sa.Column("marked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["salon_id"],
            ["salons.id"],
            name=op.f("fk_dayof_attendance_salon_id_salons"),
            ondelete="CASCADE",
        ),
        _participant_fk("from_id", "dayof_attendance"),
        _participant_fk("to_id", "dayof_attendance"),
        _participant_fk("absent_id", "dayof_attendance"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dayof_attendance")),
        sa.UniqueConstraint(
            "salon_id", "from_id", "to_id", "start", name=op.f("uq_dayof_attendance_salon_id")
        ),
    )
    with op.batch_alter_table("dayof_attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dayof_attendance_salon_id"), ["salon_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_dayof_attendance_from_id"), ["from_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dayof_attendance_to_id"), ["to_id"], unique=False)


def downgrade() -> None:
    op.drop_table("dayof_attendance")
    op.drop_table("dayof_arrivals")
