"""`salon admin` and `salon serve` (the last through real servers elsewhere)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import httpx
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from service_helpers import PROJECT, running_server

import api.models  # noqa: F401  (every table on Base.metadata)
from api.db import Base, make_engine


def salon(database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`salon ARGS` in its own process, its texts in French unless `env` says otherwise (the
    machine's locale would otherwise choose: api/cli/_texts.py)."""
    environment = {**os.environ, "SALON_LANG": "fr", "DATABASE_URL": database_url, **env}
    return subprocess.run(
        [sys.executable, "-c", "import sys; from api.cli import main; sys.exit(main())", *args],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_admin_creates_organisers_and_keys(database_url: str) -> None:
    created = salon(database_url, "admin", "create-organiser", "--email", "Ada@Example.org")
    assert created.returncode == 0, created.stderr
    key = re.search(r"Clé d'API \(affichée une seule fois\) : (\S+)", created.stdout)
    assert key
    again = salon(database_url, "admin", "create-organiser", "--email", "ada@example.org")
    assert again.returncode == 1 and "existe déjà" in again.stderr
    second = salon(database_url, "admin", "create-api-key", "--email", "ada@example.org")
    second_key = re.search(r"Clé d'API \(affichée une seule fois\) : (\S+)", second.stdout)
    assert second_key and second_key.group(1) != key.group(1)
    prefix = key.group(1)[:12]
    revoked = salon(
        database_url, "admin", "revoke-api-key", "--email", "ada@example.org", "--prefix", prefix
    )
    assert revoked.returncode == 0 and "1 clé(s) révoquée(s)" in revoked.stdout
    unknown = salon(database_url, "admin", "create-api-key", "--email", "nobody@example.org")
    assert unknown.returncode == 1 and "Aucun organisateur" in unknown.stderr


def test_serve_uses_the_database_url_and_serves_docs(database_url: str) -> None:
    with running_server(database_url, workers=2) as server:
        assert httpx.get(f"{server.base_url}/docs").status_code == 200
        anonymous = httpx.get(f"{server.base_url}/salons")
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"] == "Bearer"


def test_migrations_match_the_tables(database_url: str) -> None:
    """The salon branch's migration creates exactly the tables the models describe."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    ours = [d for d in differences if re.search(r"'(salon|organiser)", repr(d))]
    assert ours == []
