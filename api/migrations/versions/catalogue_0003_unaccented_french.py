"""catalogue: PostgreSQL full text in a 'catalogue_french' configuration that ignores accents

Revision ID: catalogue_0003
Revises: catalogue_0002
Create Date: 2026-11-29

'catalogue_french' is a copy of PostgreSQL's 'french' configuration (French stemming and stop
words) whose words first go through the `unaccent` dictionary when the extension can be
installed, so that "evenement" finds "événement" as with SQLite's FTS5 (remove_diacritics).
Without the extension it is a plain copy of 'french'. SQLite is unchanged.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "catalogue_0003"
down_revision = "catalogue_0002"
branch_labels = None
depends_on = None


def _search_vector(configuration: str) -> str:
    parts = [("title", "A"), ("search_text", "B"), ("short_description", "B"),
             ("long_description", "C")]
    weighted = " || ".join(
        f"setweight(to_tsvector('{configuration}'::regconfig, coalesce({column}, '')), "
        f"'{weight}')"
        for column, weight in parts
    )
    return f"ALTER TABLE catalogue_events ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({weighted}) STORED"


def _replace_search_vector(configuration: str) -> None:
    op.execute("DROP INDEX IF EXISTS ix_catalogue_events_search_vector")
    op.execute("ALTER TABLE catalogue_events DROP COLUMN IF EXISTS search_vector")
    op.execute(_search_vector(configuration))
    op.execute(
        "CREATE INDEX ix_catalogue_events_search_vector ON catalogue_events "
        "USING gin (search_vector)"
    )


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    except sa.exc.DBAPIError:
        pass  # not installable here (no privilege, no contrib): accents stay significant
    has_unaccent = bind.execute(
        sa.text("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
    ).first()
    op.execute("CREATE TEXT SEARCH CONFIGURATION catalogue_french (COPY = french)")
    if has_unaccent:
        op.execute(
            "ALTER TEXT SEARCH CONFIGURATION catalogue_french ALTER MAPPING FOR "
            "hword, hword_part, word WITH unaccent, french_stem"
        )
    _replace_search_vector("catalogue_french")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _replace_search_vector("french")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS catalogue_french")
