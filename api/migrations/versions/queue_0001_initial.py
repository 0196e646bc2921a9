"""queue: the job queue (issue 12): procrastinate's schema on PostgreSQL, and our own tables

Revision ID: queue_0001
Revises:
Create Date: 2026-12-05

On PostgreSQL, procrastinate's schema (its jobs, workers, events, locks and functions) is
applied as the installed procrastinate ships it (pinned in pyproject.toml); a later
procrastinate version brings its own SQL migrations, applied by a migration of this branch. On
SQLite (the embedded mode) there is no procrastinate: jobs run in the server process.
Our tables (both databases): queue_entries, queue_job_runs, queue_print_files, queue_mails.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "queue_0001"
down_revision = None
branch_labels = ("queue",)
depends_on = "salon_0004"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        exists = bind.exec_driver_sql(
            "SELECT to_regclass('procrastinate_jobs') IS NOT NULL"
        ).scalar()
        if not exists:  # raw DBAPI: the schema's % and :: are no bind parameters
            driver = bind.connection.driver_connection
            assert driver is not None
            driver.execute(SchemaManager.get_schema())
    op.create_table(
        "queue_entries",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("queue", sa.String(length=32), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=True),
        sa.Column("lock", sa.String(length=64), nullable=True),
        sa.Column("queue_job_id", sa.Integer(), nullable=True),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["salon_jobs.id"],
            name=op.f("fk_queue_entries_job_id_salon_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_queue_entries")),
    )
    op.create_index(
        op.f("ix_queue_entries_organiser_id"), "queue_entries", ["organiser_id"], unique=False
    )
    op.create_table(
        "queue_job_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("last_beat_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["salon_jobs.id"],
            name=op.f("fk_queue_job_runs_job_id_salon_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_job_runs")),
    )
    op.create_index(op.f("ix_queue_job_runs_job_id"), "queue_job_runs", ["job_id"], unique=False)
    op.create_table(
        "queue_print_files",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["salon_jobs.id"],
            name=op.f("fk_queue_print_files_job_id_salon_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_queue_print_files")),
    )
    op.create_table(
        "queue_mails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("message", sa.LargeBinary(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_mails")),
    )
    op.create_index(op.f("ix_queue_mails_state"), "queue_mails", ["state"], unique=False)


def downgrade() -> None:
    op.drop_table("queue_mails")
    op.drop_table("queue_print_files")
    op.drop_table("queue_job_runs")
    op.drop_table("queue_entries")
