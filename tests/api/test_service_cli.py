"""`salon admin`, `salon demo` and `salon serve` (the last through real servers elsewhere)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from service_helpers import PROJECT, running_server

import api.models  # noqa: F401  (every table on Base.metadata)
from api.db import Base, make_engine


def salon(database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DATABASE_URL": database_url, **env}
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
    key = re.search(r"API key \(shown once\): (\S+)", created.stdout)
    assert key
    again = salon(database_url, "admin", "create-organiser", "--email", "ada@example.org")
    assert again.returncode == 1 and "already exists" in again.stderr
    second = salon(database_url, "admin", "create-api-key", "--email", "ada@example.org")
    second_key = re.search(r"API key \(shown once\): (\S+)", second.stdout)
    assert second_key and second_key.group(1) != key.group(1)
    prefix = key.group(1)[:12]
    revoked = salon(
        database_url, "admin", "revoke-api-key", "--email", "ada@example.org", "--prefix", prefix
    )
    assert revoked.returncode == 0 and "revoked 1 key(s)" in revoked.stdout
    unknown = salon(database_url, "admin", "create-api-key", "--email", "nobody@example.org")
    assert unknown.returncode == 1 and "No organiser" in unknown.stderr


def test_demo_loads_once_and_prints_working_links(database_url: str, tmp_path: Path) -> None:
    example = PROJECT / "examples" / "small.json"
    first = salon(database_url, "demo", "--no-serve", "--file", str(example))
    assert first.returncode == 0, first.stderr
    assert "loaded (id" in first.stdout
    second = salon(database_url, "demo", "--no-serve", "--file", str(example))
    assert "already loaded" in second.stdout
    key = re.search(r"Authorization: Bearer (\S+)", second.stdout)
    tokens = re.findall(r"X-Participant-Token: (\S+)", second.stdout)
    links = re.findall(r"(http://\S+/p/\S+)", second.stdout)
    assert key and len(tokens) == 2 and len(links) == 2
    assert links[0].endswith(tokens[0])
    salon_id = int(re.search(r"id (\d+)\)", second.stdout).group(1))  # type: ignore[union-attr]
    with running_server(database_url) as server:
        salons = httpx.get(
            f"{server.base_url}/salons", headers={"Authorization": f"Bearer {key.group(1)}"}
        ).json()
        assert salons["count"] == 1 and salons["data"][0]["id"] == salon_id
        assert salons["data"][0]["wishes_open"] is True
        kinds = [
            httpx.get(f"{server.base_url}/me", headers={"X-Participant-Token": t}).json()["kind"]
            for t in tokens
        ]
    assert kinds == ["industrial", "director"]
    original = json.loads(example.read_text("utf-8"))
    assert salons["data"][0]["participant_count"] == len(original["participants"])


def test_demo_without_its_file_says_so(database_url: str, tmp_path: Path) -> None:
    result = salon(database_url, "demo", "--no-serve", "--file", str(tmp_path / "none.json"))
    assert result.returncode == 1 and "not found" in result.stderr


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
