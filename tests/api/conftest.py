"""Fixtures of the salon service tests: every storage and API test runs on SQLite and PostgreSQL.

- SQLite: a migrated template file, copied for each test.
- PostgreSQL (127.0.0.1:5432, trust auth; `SALON_TEST_POSTGRES` overrides the admin URL): a
  database `salon_test_<random>` created and migrated once per test session, emptied before each
  test, dropped at the end, so that engineers running tests at the same time never collide.
  When no server answers at all, the PostgreSQL variants are skipped with the reason shown.
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
from fastapi.testclient import TestClient
from service_helpers import (
    World,
    empty_postgres,  # noqa: F401  (re-exported for fixtures)
    make_salon,
    new_organiser,
    settings_for,
)

from api.app import create_app
from api.db import migrate

PG_ADMIN = os.environ.get("SALON_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]


def _sqlalchemy_url(conninfo: str, database: str) -> str:
    base = conninfo.rsplit("/", 1)[0]
    return f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{database}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    url = f"sqlite:///{folder / 'migrated.db'}"
    migrate(url)
    path = folder / "salon.db"
    with sqlite3.connect(folder / "migrated.db") as connection:
        connection.execute(f"VACUUM INTO '{path}'")  # one self-contained file, WAL included
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session (dropped at the end)."""
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN}: {str(exc).strip()}")
    name = f"salon_test_{secrets.token_hex(4)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = _sqlalchemy_url(PG_ADMIN, name)
    try:
        migrate(url)
        yield url
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database: SQLite file or PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "salon.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    empty_postgres(url)
    return url


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    """The app on the test database, started (migrations, job runner) and stopped."""
    app = create_app(settings_for(database_url))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def world(client: TestClient) -> World:
    organiser = new_organiser(client)
    salon_id, ids, tokens = make_salon(client, organiser)
    other = new_organiser(client)
    other_salon, other_ids, other_tokens = make_salon(client, other, name="Autre salon")
    return World(
        client, organiser, salon_id, ids, tokens, other, other_salon, other_ids, other_tokens
    )
