"""catalogue: search state (database identity + change counter bumped by triggers)

Revision ID: catalogue_0002
Revises: catalogue_0001
Create Date: 2026-11-29

The public search keeps the facet data of published events in memory; this counter tells each
process when to reload it. Triggers on events, tags and timings bump it in the same transaction
as the change (row triggers on SQLite, statement triggers on PostgreSQL).
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "catalogue_0002"
down_revision = "catalogue_0001"
branch_labels = None
depends_on = None

WATCHED = ("catalogue_events", "catalogue_event_tags", "catalogue_timings")
BUMP = "UPDATE catalogue_search_state SET version = version + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "catalogue_search_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_catalogue_search_state"),
    )
    op.execute(
        sa.text(
            "INSERT INTO catalogue_search_state (id, instance, version) VALUES (1, :instance, 0)"
        ).bindparams(instance=uuid.uuid4().hex)
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in WATCHED:
            for operation in ("INSERT", "UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_search_{operation.lower()} AFTER {operation} "
                    f"ON {table} BEGIN {BUMP}; END"
                )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION catalogue_bump_search_version() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table in WATCHED:
            op.execute(
                f"CREATE TRIGGER {table}_search AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION catalogue_bump_search_version()"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in WATCHED:
            for operation in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_search_{operation}")
    elif dialect == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_search ON {table}")
        op.execute("DROP FUNCTION IF EXISTS catalogue_bump_search_version()")
    op.drop_table("catalogue_search_state")
