"""A storage of the `limits` package in our database: every server process counts in one place.

Fixed windows only (what `FixedWindowRateLimiter` needs): one row per window, incremented by
one atomic upsert (`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`, on SQLite and PostgreSQL)
that starts a new window when the old one has ended. Each call is its own short transaction,
apart from the request's session, so a refused request stays counted whatever the route does
next. Ended windows are deleted now and then.
"""

from __future__ import annotations

import time
from typing import Any, cast

from limits.storage import Storage
from sqlalchemy import Engine, Table, case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from api.rate_limits.tables import RateLimitCounter

CLEANUP_SECONDS = 60.0
"""How often one process deletes the windows that have ended."""

counters = cast(Table, RateLimitCounter.__table__)


class DatabaseStorage(Storage):
    """Fixed-window counters in the `rate_limit_counters` table (SQLite or PostgreSQL)."""

    STORAGE_SCHEME = ["salon+database"]

    def __init__(self, engine: Engine, **options: Any) -> None:
        super().__init__(None, wrap_exceptions=False)
        self.engine = engine
        self._next_cleanup = 0.0

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count `amount` more in the key's window (a new window of `expiry` seconds if none is
        running); the window's count."""
        now = time.time()
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        values = insert(counters).values(key=key, hits=amount, expires_at=now + expiry)
        ended = counters.c.expires_at <= now
        statement = values.on_conflict_do_update(
            index_elements=[counters.c.key],
            set_={
                "hits": case((ended, amount), else_=counters.c.hits + amount),
                "expires_at": case((ended, now + expiry), else_=counters.c.expires_at),
            },
        ).returning(counters.c.hits)
        with self.engine.begin() as connection:
            hits = connection.execute(statement).scalar_one()
            if now >= self._next_cleanup:
                self._next_cleanup = now + CLEANUP_SECONDS
                connection.execute(delete(counters).where(counters.c.expires_at <= now))
        return int(hits)

    def get(self, key: str) -> int:
        """The count of the key's running window (0 when none runs)."""
        query = select(counters.c.hits).where(
            counters.c.key == key, counters.c.expires_at > time.time()
        )
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one_or_none() or 0)

    def get_expiry(self, key: str) -> float:
        """When the key's running window ends (now when none runs)."""
        now = time.time()
        query = select(counters.c.expires_at).where(
            counters.c.key == key, counters.c.expires_at > now
        )
        with self.engine.connect() as connection:
            found = connection.execute(query).scalar_one_or_none()
        return float(found) if found is not None else now

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(select(func.count()).select_from(counters))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return connection.execute(delete(counters)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(counters).where(counters.c.key == key))
