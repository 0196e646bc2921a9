"""reminders: the reminders sent to participants and the agenda each last saw

Revision ID: reminders_0001
Revises:
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "reminders_0001"
down_revision = None
branch_labels = ("reminders",)
depends_on = "salon_0001"


def upgrade() -> None:
    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("salon_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("schedule_version", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["salon_id"], ["salons.id"], name=op.f("fk_reminders_sent_salon_id_salons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["salon_participants.id"],
            name=op.f("fk_reminders_sent_participant_id_salon_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_sent")),
        sa.UniqueConstraint(
            "participant_id", "key", name=op.f("uq_reminders_sent_participant_id")
        ),
    )
    with op.batch_alter_table("reminders_sent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminders_sent_salon_id"), ["salon_id"])
        batch_op.create_index(batch_op.f("ix_reminders_sent_participant_id"), ["participant_id"])
    op.create_table(
        "reminders_agenda_seen",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("schedule_version", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("meetings", sa.JSON(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["salon_participants.id"],
            name=op.f("fk_reminders_agenda_seen_participant_id_salon_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_reminders_agenda_seen")),
    )


def downgrade() -> None:
    op.drop_table("reminders_agenda_seen")
    with op.batch_alter_table("reminders_sent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminders_sent_participant_id"))
        batch_op.drop_index(batch_op.f("ix_reminders_sent_salon_id"))
    op.drop_table("reminders_sent")
