"""Storage plumbing: engine, sessions, the declarative base and migrations (Alembic)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from alembic import command
from alembic.config import Config
from fastapi import Depends, Request
from sqlalchemy import Engine, MetaData, create_engine, event, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table (salon and catalogue)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


# Connections of one process: at most REQUEST_SESSIONS request sessions at once (each holds at
# most one connection), the rest is for the background solve jobs and the pages' batch PDFs.
REQUEST_SESSIONS = 20
POOL_SIZE = 10
POOL_OVERFLOW = 20


def make_engine(url: str) -> Engine:
    """An engine for a SQLite file or a PostgreSQL URL, with sane connection settings.

    The pool holds more connections than there can be request sessions (`SessionDep`), so a
    request never waits for a connection: see `get_session`.
    """
    pool = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
    if url.startswith("sqlite"):
        connect_args = {"check_same_thread": False, "timeout": 30}
        if make_url(url).database in (None, "", ":memory:"):
            engine = create_engine(url, connect_args=connect_args)  # one connection per thread
        else:
            engine = create_engine(url, connect_args=connect_args, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def migrate(url: str) -> None:
    """Bring the database at `url` to the newest schema (all migration branches)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "heads")


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: one session per request, from the app's session factory.

    A sync route runs its dependencies, its endpoint and its response's serialization in
    separate threadpool turns (40 threads), and a session keeps its connection from its first
    query until its transaction ends. With as many sessions as requests, requests holding a
    connection while waiting for a thread and threads waiting for a connection could starve each
    other until the pool's timeout (100 concurrent requests: 500s). So, as `SessionDep` says:
    at most `REQUEST_SESSIONS` sessions at once (the others wait on the event loop, holding
    nothing), fewer than the pool's connections; and each is closed as soon as its route has
    answered (`scope="function"`), not after the response has been sent.
    """
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        yield session


def take_write_lock(session: Session) -> None:
    """Make the session's transaction the database's writer now, until it ends (SQLite).

    SQLite has one writer at a time, and pysqlite opens a transaction only before the first
    INSERT, UPDATE or DELETE (a deferred one): what a request read before its first write may
    be stale by the time it writes. `BEGIN IMMEDIATE` takes the write lock first (waiting up to
    `busy_timeout` for the current writer), so everything the transaction reads next is what it
    writes on. A transaction already open has written, so it holds the lock already.

    Other databases lock rows instead (`SELECT ... FOR UPDATE` after this call): nothing here.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    driver = connection.connection.dbapi_connection
    if not getattr(driver, "in_transaction", True):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


SessionDep = Annotated[
    Session, Depends(get_session, scope="function", max_concurrency=REQUEST_SESSIONS)
]
