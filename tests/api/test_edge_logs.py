"""No secret in a log line (api/redaction.py): the personal links, the sign-in links and secret
query parameters are redacted from the access log of a real server, served by `salon serve`
(several workers) or by plain `uvicorn --factory` (the app factory installs the filter)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from service_helpers import (
    PROJECT,
    SESSIONS,
    Server,
    free_port,
    running_server,
    server_environment,
)

from api.db import make_engine, make_session_factory
from api.organisers.service import create_organiser
from api.redaction import ACCESS_LOGGER, RedactSecrets, redact_target, redact_text

TOKEN = "Zq3x_SECRET_TOKEN_4f9Kd0a8Pq2Lw7Xc"


@pytest.mark.parametrize(
    ("target", "logged"),
    [
        (f"/p/{TOKEN}", "/p/<redacted>"),
        (f"/p/{TOKEN}/agenda.pdf", "/p/<redacted>/agenda.pdf"),
        (f"/p/{TOKEN}/wishes?q=d2&lang=en", "/p/<redacted>/wishes?q=d2&lang=en"),
        (f"/catalogue/login/{TOKEN}", "/catalogue/login/<redacted>"),
        (f"/%70/{TOKEN}", "/p/<redacted>"),  # reaches /p/{token}: the routes decode
        (f"/p%2F{TOKEN}/agenda.ics", "/p/<redacted>/agenda.ics"),
        (f"/o/login?next=/p/{TOKEN}", "/o/login?next=/p/<redacted>"),
        (f"/o/login?next=%2Fp%2F{TOKEN}", "/o/login?next=/p/<redacted>"),
        (f"/salons?token={TOKEN}&limit=2", "/salons?token=<redacted>&limit=2"),
        (f"/x?api_key={TOKEN}&sig={TOKEN}", "/x?api_key=<redacted>&sig=<redacted>"),
        ("/o/login", "/o/login"),
        ("/o/salons/3/schedules/1/agendas/D01", "/o/salons/3/schedules/1/agendas/D01"),
        ("/salons/3/participants?kind=director", "/salons/3/participants?kind=director"),
        ("/assets/pages.js", "/assets/pages.js"),
    ],
)
def test_request_targets_are_redacted(target: str, logged: str) -> None:
    assert redact_target(target) == logged


def test_urls_in_free_text_are_redacted() -> None:
    text = f"link https://salon.example/p/{TOKEN} sent, sign-in /catalogue/login/{TOKEN}."
    assert TOKEN not in redact_text(text)
    assert "https://salon.example/p/<redacted> sent" in redact_text(text)


def test_the_filter_keeps_uvicorns_access_record_shape() -> None:
    record = logging.LogRecord(
        ACCESS_LOGGER,
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/p/{TOKEN}/agenda.pdf", "1.1", 200),
        None,
    )
    assert RedactSecrets().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /p/<redacted>/agenda.pdf HTTP/1.1" 200'


def _organiser(database_url: str) -> dict[str, str]:
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        key = create_organiser(session, email="logs@example.org").key
    engine.dispose()
    return {"Authorization": f"Bearer {key}"}


def _visit_secret_paths(base_url: str, auth: dict[str, str]) -> list[str]:
    """Open a real personal link (its pages and documents), a sign-in link and secret query
    parameters; the secrets used."""
    with httpx.Client(base_url=base_url, headers=auth, timeout=30) as api:
        salon = api.post("/salons", json={"name": "S", "sessions": SESSIONS, "tables": 2})
        salon_id = salon.json()["id"]
        person = api.post(
            f"/salons/{salon_id}/participants", json={"code": "D1", "name": "D", "table": "T1"}
        )
        link = api.post(f"/salons/{salon_id}/participants/{person.json()['id']}/links", json={})
        token: str = link.json()["token"]
    sign_in = "Xb8_sign_in_token_never_logged_0Qz"
    with httpx.Client(base_url=base_url, timeout=30) as browser:
        assert browser.get(f"/p/{token}").status_code == 200
        for path in (
            f"/p/{token}/wishes",
            f"/p/{token}/agenda",
            f"/p/{token}/agenda.pdf",
            f"/p/{token}/agenda.ics",
            f"/%70/{token}",
            f"/catalogue/login/{sign_in}",
            f"/o/login?next=/p/{token}",
            f"/salons?token={token}",
        ):
            browser.get(path)
        browser.post(f"/catalogue/login/{sign_in}", data={})
    return [token, sign_in]


def _access_log(server: Server, count: int) -> str:
    """The server's log once it shows `count` access lines (uvicorn writes them as it answers)."""
    for _ in range(100):
        text = server.log.read_text("utf-8", errors="replace")
        if text.count('HTTP/1.1"') >= count:
            return text
        time.sleep(0.1)
    return server.log.read_text("utf-8", errors="replace")


def assert_no_secret(log: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in log, log
    assert '"GET /p/<redacted> HTTP/1.1" 200' in log, log
    assert '"GET /p/<redacted>/agenda.pdf HTTP/1.1"' in log
    assert '"GET /catalogue/login/<redacted> HTTP/1.1"' in log
    assert '"POST /catalogue/login/<redacted> HTTP/1.1"' in log
    assert '"GET /o/login?next=/p/<redacted> HTTP/1.1"' in log
    assert '"GET /salons?token=<redacted> HTTP/1.1"' in log


def test_salon_serve_logs_no_secret(database_url: str) -> None:
    """Two workers, each configured by `salon serve` (api.cli.serve.log_config)."""
    auth = _organiser(database_url)
    with running_server(database_url, workers=2) as server:
        secrets = _visit_secret_paths(server.base_url, auth)
        log = _access_log(server, 14)
    assert_no_secret(log, secrets)


@contextmanager
def plain_uvicorn(database_url: str) -> Iterator[Server]:
    """The app factory under plain uvicorn (its own logging configuration, not salon serve's)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "api.app:app_from_environment",
        "--factory",
        "--port",
        str(port),
    ]
    handle, name = tempfile.mkstemp(prefix="salon-uvicorn-", suffix=".log")
    os.close(handle)
    with open(name, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT,
            env=server_environment(database_url, SALON_BASE_URL=base_url),
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, base_url, Path(name))
    try:
        for _ in range(300):
            assert process.poll() is None, server.log_tail()
            try:
                if httpx.get(f"{base_url}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def test_plain_uvicorn_with_the_app_factory_logs_no_secret(database_url: str) -> None:
    auth = _organiser(database_url)
    with plain_uvicorn(database_url) as server:
        secrets = _visit_secret_paths(server.base_url, auth)
        log = _access_log(server, 14)
    assert_no_secret(log, secrets)
