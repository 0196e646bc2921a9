"""Fixtures of the catalogue tests: every test that takes `db_url` runs on SQLite and PostgreSQL.

- SQLite: a migrated template file, copied for each test.
- PostgreSQL (127.0.0.1:5432, trust auth; `SALON_TEST_POSTGRES` overrides the admin URL): a
  database `catalogue_test_<random>` created and migrated once per test session, emptied before
  each test, dropped at the end (other engineers run their tests at the same time). When no
  server answers, the PostgreSQL variants are skipped with the reason shown.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from catalogue_helpers import setup_catalogue
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.app import create_app
from api.db import make_engine, make_session_factory, migrate
from api.settings import Settings

PG_ADMIN = os.environ.get("SALON_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
KEPT_TABLES = ("alembic_version", "catalogue_search_state")


def _sqlalchemy_url(conninfo: str, database: str) -> str:
    base = conninfo.rsplit("/", 1)[0]
    return f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{database}"


@pytest.fixture(scope="session")
def catalogue_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("catalogue-template") / "catalogue.db"
    url = f"sqlite:///{path}"
    migrate(url)
    with sqlite3.connect(path) as connection:  # the copies must not need the WAL file
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="session")
def catalogue_postgres() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session (dropped at the end)."""
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN}: {str(error).strip()}")
    name = f"catalogue_test_{secrets.token_hex(4)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = _sqlalchemy_url(PG_ADMIN, name)
    try:
        migrate(url)
        yield url
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def empty_postgres(url: str) -> None:
    """Delete every row but the migration state and the search state (identities restarted)."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            tables = connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            ).scalars()
            names = ", ".join(f'"{t}"' for t in tables if t not in KEPT_TABLES)
            if names:
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database: a SQLite file or the session's PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "catalogue.db"
        shutil.copy(request.getfixturevalue("catalogue_sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("catalogue_postgres")
    empty_postgres(url)
    return url


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db_url,
        base_url="http://testserver",
        outbox_dir=tmp_path / "outbox",
        smtp_host=None,
        solve_workers=1,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The whole service (create_app) on the test database, started and stopped."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def session(client: TestClient) -> Iterator[Session]:
    """A session on the app's database, with the edition, formats and tracks of the tests."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as opened:
        setup_catalogue(opened)
        yield opened


@pytest.fixture
def plain_session(db_url: str) -> Iterator[Session]:
    """A session without the app (domain tests), with the tests' edition, formats and tracks."""
    engine = make_engine(db_url)
    try:
        with make_session_factory(engine)() as opened:
            setup_catalogue(opened)
            yield opened
    finally:
        engine.dispose()
