"""profiles: a salon's themes and each participant's profile

Revision ID: profiles_0001
Revises:
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "profiles_0001"
down_revision = None
branch_labels = ("profiles",)
depends_on = "salon_0001"


def upgrade() -> None:
    op.create_table(
        "profile_themes",
        sa.Column("salon_id", sa.Integer(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["salon_id"],
            ["salons.id"],
            name=op.f("fk_profile_themes_salon_id_salons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("salon_id", name=op.f("pk_profile_themes")),
    )
    op.create_table(
        "participant_profiles",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("salon_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("offers", sa.Text(), nullable=False),
        sa.Column("needs", sa.Text(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=True),
        sa.Column("image_type", sa.String(32), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["salon_participants.id"],
            name=op.f("fk_participant_profiles_participant_id_salon_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["salon_id"],
            ["salons.id"],
            name=op.f("fk_participant_profiles_salon_id_salons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_participant_profiles")),
    )
    with op.batch_alter_table("participant_profiles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participant_profiles_salon_id"), ["salon_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("participant_profiles")
    op.drop_table("profile_themes")
