"""sessions: the organiser's pages sessions (the cookie carries a random id, stored hashed)

Revision ID: sessions_0001
Revises:
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sessions_0001"
down_revision = None
branch_labels = ("sessions",)
depends_on = "salon_0001"


def upgrade() -> None:
    op.create_table(
        "organiser_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["organiser_api_keys.id"],
            name=op.f("fk_organiser_sessions_key_id_organiser_api_keys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organiser_id"],
            ["organisers.id"],
            name=op.f("fk_organiser_sessions_organiser_id_organisers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organiser_sessions")),
        sa.UniqueConstraint("session_hash", name=op.f("uq_organiser_sessions_session_hash")),
    )
    with op.batch_alter_table("organiser_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organiser_sessions_organiser_id"), ["organiser_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_organiser_sessions_key_id"), ["key_id"], unique=False)


def downgrade() -> None:
    op.drop_table("organiser_sessions")
