"""feedback: what each side says of a meeting after it (rating, follow-up, private note)

Revision ID: feedback_0001
Revises:
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "feedback_0001"
down_revision = None
branch_labels = ("feedback",)
depends_on = "salon_0001"


def upgrade() -> None:
    op.create_table(
        "salon_meeting_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("salon_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("follow_up", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "rating IS NULL OR (rating >= 1 AND rating <= 5)",
            name=op.f("ck_salon_meeting_feedback_rating_range"),
        ),
        sa.ForeignKeyConstraint(
            ["salon_id"],
            ["salons.id"],
            name=op.f("fk_salon_meeting_feedback_salon_id_salons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["salon_participants.id"],
            name=op.f("fk_salon_meeting_feedback_author_id_salon_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["other_id"],
            ["salon_participants.id"],
            name=op.f("fk_salon_meeting_feedback_other_id_salon_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_salon_meeting_feedback")),
        sa.UniqueConstraint(
            "author_id", "other_id", "start", name=op.f("uq_salon_meeting_feedback_author_id")
        ),
    )
    with op.batch_alter_table("salon_meeting_feedback", schema=None) as batch_op:
        for column in ("salon_id", "author_id", "other_id"):
            batch_op.create_index(
                batch_op.f(f"ix_salon_meeting_feedback_{column}"), [column], unique=False
            )


def downgrade() -> None:
    with op.batch_alter_table("salon_meeting_feedback", schema=None) as batch_op:
        for column in ("salon_id", "author_id", "other_id"):
            batch_op.drop_index(batch_op.f(f"ix_salon_meeting_feedback_{column}"))
    op.drop_table("salon_meeting_feedback")
