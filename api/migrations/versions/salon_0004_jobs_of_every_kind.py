"""salon: one table of jobs for every kind (solves, batch prints): salon_solve_jobs -> salon_jobs

Revision ID: salon_0004
Revises: salon_0003
Create Date: 2026-12-06

Batch prints leave their JSON state files and run on the solves' job machinery (issue 11): the
table is renamed, a `kind` column says what a job does (every existing row is a solve: the
server default), `done`/`total` count a print's documents, and a print's own columns (which
batch, of which schedule version, in which language, its page count, download name and the path
of its result) are added, empty on solves. The one-active-job-per-salon index now holds for
solves only (an organiser may print several batches at once).

The table is renamed in place (ALTER TABLE ... RENAME), never copied: on SQLite a copy would drop
the old table, and its children (objectives, clashes, schedules) would lose their rows or their
link through ON DELETE. SQLite rewrites the children's REFERENCES itself; on PostgreSQL the
sequence, the primary key, the index and the foreign keys are renamed to the naming convention
(on SQLite their names stay written in the children's CREATE TABLE, which nothing reads).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "salon_0004"
down_revision = "salon_0003"
branch_labels = None
depends_on = None

ACTIVE = "state IN ('queued', 'running')"
ACTIVE_SOLVE = "kind = 'solve' AND state IN ('queued', 'running')"
PRINT_COLUMNS = (
    ("document", sa.String(32)),
    ("version", sa.Integer()),
    ("language", sa.String(8)),
    ("pages", sa.Integer()),
    ("filename", sa.String(200)),
    ("file_path", sa.Text()),
)
CHILD_KEYS = (  # (table, column) of the foreign keys to the jobs
    ("salon_solve_job_objectives", "job_id"),
    ("salon_solve_job_clashes", "job_id"),
    ("salon_schedules", "job_id"),
)


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _rename_names(old: str, new: str) -> None:
    """PostgreSQL: the sequence, primary key, index and foreign keys named after the table."""
    op.execute(f"ALTER SEQUENCE {old}_id_seq RENAME TO {new}_id_seq")
    op.execute(f"ALTER TABLE {new} RENAME CONSTRAINT pk_{old} TO pk_{new}")
    op.execute(
        f"ALTER TABLE {new} RENAME CONSTRAINT fk_{old}_salon_id_salons TO fk_{new}_salon_id_salons"
    )
    op.execute(f"ALTER INDEX ix_{old}_salon_id RENAME TO ix_{new}_salon_id")
    for table, column in CHILD_KEYS:
        op.execute(
            f"ALTER TABLE {table} RENAME CONSTRAINT fk_{table}_{column}_{old} "
            f"TO fk_{table}_{column}_{new}"
        )


def upgrade() -> None:
    op.drop_index(
        "uq_salon_solve_jobs_active",
        table_name="salon_solve_jobs",
        sqlite_where=sa.text(ACTIVE),
        postgresql_where=sa.text(ACTIVE),
    )
    op.rename_table("salon_solve_jobs", "salon_jobs")
    if _postgres():
        _rename_names("salon_solve_jobs", "salon_jobs")
    else:
        op.drop_index("ix_salon_solve_jobs_salon_id", table_name="salon_jobs")
        op.create_index("ix_salon_jobs_salon_id", "salon_jobs", ["salon_id"])
    op.add_column(
        "salon_jobs", sa.Column("kind", sa.String(16), server_default="solve", nullable=False)
    )
    op.add_column("salon_jobs", sa.Column("done", sa.Integer(), server_default="0", nullable=False))
    op.add_column(
        "salon_jobs", sa.Column("total", sa.Integer(), server_default="0", nullable=False)
    )
    for name, type_ in PRINT_COLUMNS:
        op.add_column("salon_jobs", sa.Column(name, type_, nullable=True))
    op.create_index(
        "uq_salon_jobs_active_solve",
        "salon_jobs",
        ["salon_id"],
        unique=True,
        sqlite_where=sa.text(ACTIVE_SOLVE),
        postgresql_where=sa.text(ACTIVE_SOLVE),
    )


def downgrade() -> None:
    """Back to solves only: the print jobs are deleted (their files stay on disk)."""
    op.drop_index(
        "uq_salon_jobs_active_solve",
        table_name="salon_jobs",
        sqlite_where=sa.text(ACTIVE_SOLVE),
        postgresql_where=sa.text(ACTIVE_SOLVE),
    )
    op.execute("DELETE FROM salon_jobs WHERE kind <> 'solve'")
    for name in ("kind", "done", "total", *(name for name, _type in PRINT_COLUMNS)):
        op.drop_column("salon_jobs", name)
    op.rename_table("salon_jobs", "salon_solve_jobs")
    if _postgres():
        _rename_names("salon_jobs", "salon_solve_jobs")
    else:
        op.drop_index("ix_salon_jobs_salon_id", table_name="salon_solve_jobs")
        op.create_index("ix_salon_solve_jobs_salon_id", "salon_solve_jobs", ["salon_id"])
    op.create_index(
        "uq_salon_solve_jobs_active",
        "salon_solve_jobs",
        ["salon_id"],
        unique=True,
        sqlite_where=sa.text(ACTIVE),
        postgresql_where=sa.text(ACTIVE),
    )
