"""Full text: SQLite's FTS5 table (unicode61, diacritics removed, prefix match on each word) or
PostgreSQL's `search_vector` ('french' configuration, prefix match on each stemmed word)."""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from api.catalogue.tables import Event

WORD = re.compile(r"\w+", re.UNICODE)
SQLITE_STOPWORDS = frozenset(
    {
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "d",
        "dans",
        "de",
        "des",
        "du",
        "en",
        "et",
        "l",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "ou",
        "par",
        "pour",
        "qu",
        "que",
        "qui",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "un",
        "une",
        "vos",
        "votre",
        "nos",
        "notre",
        "the",
        "of",
        "and",
    }
)
FTS = table("catalogue_events_fts", column("rowid"))


def text_condition(dialect: str, q: str) -> ColumnElement[bool] | None:
    """Events whose title, descriptions, keywords or themes contain every word (as a prefix)."""
    words = [word.lower() for word in WORD.findall(q)]
    if dialect == "sqlite":
        words = [w for w in words if w not in SQLITE_STOPWORDS] or words
        if not words:
            return None
        match = " ".join(f'"{word}"*' for word in words)
        matching = select(FTS.c.rowid).where(
            text("catalogue_events_fts MATCH :fts_query").bindparams(fts_query=match)
        )
        return Event.id.in_(matching)
    if not words:
        return None
    expression = " & ".join(f"{word}:*" for word in words)
    query = func.to_tsquery(literal_column("'catalogue_french'::regconfig"), expression)
    return literal_column("catalogue_events.search_vector").op("@@")(query)


def text_matches(session: Session, q: str) -> set[int] | None:
    """Ids of the published events matching the words of `q` (None: no text condition)."""
    condition = text_condition(session.get_bind().dialect.name, q)
    if condition is None:
        return None
    found = session.scalars(select(Event.id).where(Event.state == "published", condition))
    return set(found)
