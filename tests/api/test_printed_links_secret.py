"""The site secret that signs the printed links: made once, atomically, by whichever process
comes first (the others read it, never an empty or partial one); a short secret is refused."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from service_helpers import settings_for

from api.app import create_app
from api.errors import DomainError
from api.salons.printed_links import MIN_SECRET_BYTES, secret_path, site_secret
from api.settings import Settings

RACERS = 6
ROUNDS = 10


def _settings(folder: Path) -> Settings:
    return Settings(outbox_dir=folder / "var" / "outbox")


def _read_in_process(folder: str, barrier: object, results: object) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    try:
        results.put(site_secret(_settings(Path(folder))))  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001 - reported to the test
        results.put(repr(exc))  # type: ignore[attr-defined]


def _one_secret(folder: Path, secrets_seen: list[object]) -> None:
    """Every racer got the same full secret, the one in the file, and no temporary is left."""
    assert len(secrets_seen) == RACERS
    assert all(isinstance(s, bytes) for s in secrets_seen), secrets_seen
    assert len(set(secrets_seen)) == 1
    secret = secrets_seen[0]
    assert isinstance(secret, bytes) and len(secret) >= MIN_SECRET_BYTES
    path = folder / "var" / "secret_key"
    assert path.read_bytes().strip() == secret
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir() if p.name != "outbox"] == ["secret_key"]


def test_processes_starting_together_end_with_one_secret(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    for round_ in range(ROUNDS):
        folder = tmp_path / f"round-{round_}"
        barrier = context.Barrier(RACERS)
        results = context.Queue()
        racers = [
            context.Process(target=_read_in_process, args=(str(folder), barrier, results))
            for _ in range(RACERS)
        ]
        for racer in racers:
            racer.start()
        seen = [results.get(timeout=60) for _ in racers]
        for racer in racers:
            racer.join(timeout=60)
            assert racer.exitcode == 0
        _one_secret(folder, seen)


def test_threads_starting_together_end_with_one_secret(tmp_path: Path) -> None:
    for round_ in range(ROUNDS):
        folder = tmp_path / f"round-{round_}"
        barrier = threading.Barrier(RACERS)
        seen: list[object] = []

        def race(
            folder: Path = folder, barrier: threading.Barrier = barrier, seen: list[object] = seen
        ) -> None:
            barrier.wait()
            seen.append(site_secret(_settings(folder)))

        threads = [threading.Thread(target=race) for _ in range(RACERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        _one_secret(folder, seen)


def test_an_existing_secret_is_kept(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    path = secret_path(settings)
    path.parent.mkdir(parents=True)
    path.write_text("k" * MIN_SECRET_BYTES + "\n")
    assert site_secret(settings) == b"k" * MIN_SECRET_BYTES
    assert site_secret(Settings(secret_key="s" * MIN_SECRET_BYTES)) == b"s" * MIN_SECRET_BYTES


def test_a_short_configured_key_is_refused_clearly() -> None:
    with pytest.raises(DomainError) as refused:
        site_secret(Settings(secret_key="too-short"))
    assert refused.value.code == "weak_secret"
    french = refused.value.render("fr")
    assert "SALON_SECRET_KEY" in french and "9 octet(s)" in french and "au moins 32" in french
    english = refused.value.render("en")
    assert "SALON_SECRET_KEY" in english and "9 byte(s)" in english and "at least 32" in english


def test_a_short_secret_file_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text("abc\n")
    with pytest.raises(DomainError) as refused:
        site_secret(Settings(secret_file=path))
    assert str(path) in refused.value.render("en") and "3 byte(s)" in refused.value.render("en")
    path.write_text("")
    with pytest.raises(DomainError, match="weak_secret"):
        site_secret(Settings(secret_file=path))


def test_the_server_does_not_start_with_a_short_secret(database_url: str) -> None:
    app = create_app(settings_for(database_url, secret_key="x" * (MIN_SECRET_BYTES - 1)))
    with pytest.raises(DomainError) as refused, TestClient(app):
        pass
    assert "31 byte(s)" in str(refused.value) and "SALON_SECRET_KEY" in str(refused.value)
