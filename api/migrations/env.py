"""Alembic environment: migrations run against the URL set by api.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

import api.models  # noqa: F401  (registers the tables on Base.metadata)
from api.db import Base, make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url") or ""
connectable = make_engine(url) if url.startswith("sqlite") else None
if connectable is None:
    from sqlalchemy import create_engine

    connectable = create_engine(url, poolclass=pool.NullPool)

with connectable.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()
