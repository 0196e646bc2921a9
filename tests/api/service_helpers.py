"""Helpers of the salon service tests: settings, organisers, a small salon world, job polling."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.db import make_engine
from api.organisers.service import create_organiser
from api.settings import Settings


def settings_for(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "base_url": "http://testserver",
        "solve_time_limit": 2.0,
        "solve_workers": 1,
        "job_heartbeat_seconds": 0.2,
        "job_stale_seconds": 10.0,
        "job_cancel_grace_seconds": 2.0,
    }
    values.update(overrides)
    return Settings(**values)


def new_organiser(client: TestClient, email: str | None = None) -> dict[str, str]:
    """Headers of a new organiser's API key."""
    email = email or f"organiser-{secrets.token_hex(3)}@example.org"
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        issued = create_organiser(session, email=email)
    return {"Authorization": f"Bearer {issued.key}"}


SESSIONS = [
    {"date": "2023-11-28", "start": "09:00", "end": "10:00"},
    {"date": "2023-11-28", "start": "14:00", "end": "15:00"},
]


@dataclass
class World:
    """A salon with two directors (D1, D2 at tables T1, T2) and three industrials (I1..I3)."""

    client: TestClient
    organiser: dict[str, str]
    salon_id: int
    ids: dict[str, int]
    tokens: dict[str, str]
    other_organiser: dict[str, str] = field(default_factory=dict)
    other_salon_id: int = 0
    other_ids: dict[str, int] = field(default_factory=dict)
    other_tokens: dict[str, str] = field(default_factory=dict)

    def me(self, code: str) -> dict[str, str]:
        return {"X-Participant-Token": self.tokens[code]}

    def url(self, path: str = "") -> str:
        return f"/salons/{self.salon_id}{path}"


def make_salon(
    client: TestClient, organiser: dict[str, str], name: str = "Salon test", **fields: Any
) -> tuple[int, dict[str, int], dict[str, str]]:
    """A salon with D1, D2 (directors) and I1..I3 (industrials), each with a link; window open."""
    body = {"name": name, "sessions": SESSIONS, "tables": ["T1", "T2", "T3"], **fields}
    response = client.post("/salons", json=body, headers=organiser)
    assert response.status_code == 201, response.text
    salon_id = response.json()["id"]
    people = [("D1", "T1"), ("D2", "T2"), ("I1", None), ("I2", None), ("I3", None)]
    ids, tokens = {}, {}
    for code, table in people:
        body = {"code": code, "name": f"Nom {code}", "organisation": f"Org {code}", "table": table}
        response = client.post(f"/salons/{salon_id}/participants", json=body, headers=organiser)
        assert response.status_code == 201, response.text
        ids[code] = response.json()["id"]
        response = client.post(
            f"/salons/{salon_id}/participants/{ids[code]}/links", json={}, headers=organiser
        )
        assert response.status_code == 201, response.text
        tokens[code] = response.json()["token"]
    response = client.post(f"/salons/{salon_id}/wish-window/open", headers=organiser)
    assert response.status_code == 200, response.text
    return salon_id, ids, tokens


def two_session_salon(
    name: str, directors: int, industrials: int, asked: int, step: tuple[int, int]
) -> dict[str, Any]:
    """A salon/v1 of one day in two sessions: `directors` at their tables, `industrials` each
    asking `asked` of them, industrial i's j-th wish going to director (a*i + b*j) % directors
    for `step` = (a, b)."""
    a, b = step
    return {
        "format": "salon/v1",
        "name": name,
        "meeting_minutes": 20,
        "sessions": [
            {"date": "2023-11-28", "start": "09:00", "end": "12:20"},
            {"date": "2023-11-28", "start": "14:00", "end": "17:40"},
        ],
        "tables": [f"T{d:02d}" for d in range(directors)],
        "participants": [
            {"id": f"D{d:02d}", "name": f"Directeur {d}", "role": "director", "table": f"T{d:02d}"}
            for d in range(directors)
        ]
        + [
            {"id": f"I{i:03d}", "name": f"Industriel {i}", "role": "industrial"}
            for i in range(industrials)
        ],
        "wishes": [
            {"from": f"I{i:03d}", "to": f"D{(a * i + b * j) % directors:02d}"}
            for i in range(industrials)
            for j in range(asked)
        ],
    }


def crowded_salon() -> dict[str, Any]:
    """A salon/v1 whose selection CP-SAT cannot even start in a tiny time limit: 40 directors,
    150 industrials asking 30 of them each (4,500 requests). Its first selection took 2.2 s on
    the project's machine, 45 times the core's smallest CP-SAT budget (0.05 s): with
    `time_limit` 0.001 the core raises NoScheduleInTimeError (nothing is proven), and a slower
    or busier machine only makes that surer."""
    return two_session_salon("Salon très demandé", 40, 150, 30, step=(7, 13))


def wait_for_job(
    client: TestClient, headers: dict[str, str], salon_id: int, job_id: int, timeout: float = 60
) -> dict[str, Any]:
    """Poll a solve job until it leaves queued/running; its last state."""
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = client.get(
            f"/salons/{salon_id}/solves/{job_id}", headers=headers
        ).json()
        if job["state"] not in ("queued", "running") or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


# ------------------------------------------------------------------ real servers

PROJECT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """A `salon serve` process on loopback."""

    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def log_tail(self, size: int = 4000) -> str:
        return self.log.read_text("utf-8", errors="replace")[-size:]

    def kill(self) -> None:
        """Crash it: SIGKILL, no clean shutdown."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def server_environment(database_url: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SALON_SOLVE_WORKERS": "1",
        "SALON_JOB_HEARTBEAT_SECONDS": "0.3",
        **extra,
    }
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT), env.get("PYTHONPATH")) if p)
    return env


@contextmanager
def running_server(database_url: str, workers: int = 1, **env: str) -> Iterator[Server]:
    """Start `salon serve` in its own process group, wait until it answers, stop it after.

    Its output goes to a log file (a pipe nobody reads would block the server once full).
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-c",
        "import sys; from api.cli import main; sys.exit(main())",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    handle, name = tempfile.mkstemp(prefix="salon-server-", suffix=".log")
    os.close(handle)
    with open(name, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT,
            env=server_environment(database_url, SALON_BASE_URL=base_url, **env),
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        server = Server(process, base_url, Path(name))
        try:
            _wait_until_serving(server)
            yield server
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)


def _wait_until_serving(server: Server) -> None:
    deadline = time.monotonic() + 60
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited: {server.log_tail()}")
        try:
            if httpx.get(f"{server.base_url}/openapi.json", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"server did not start within 60 s: {server.log_tail()}")
        time.sleep(0.2)


def solve_processes(marker: str) -> list[int]:
    """Pids of running solve processes whose environment contains `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            if b"api.solve_process" not in cmdline:
                continue
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def empty_postgres(url: str) -> None:
    """Delete every row of every table (but Alembic's), identities restarted."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            tables = connection.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                    "AND tablename <> 'alembic_version'"
                )
            ).scalars()
            names = ", ".join(f'"{t}"' for t in tables)
            if names:
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()
