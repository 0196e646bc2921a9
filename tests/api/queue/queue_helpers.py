"""A small cluster for the queue's tests and bench: one `salon serve` and `salon worker`
processes on one PostgreSQL database (SALON_JOB_QUEUE=procrastinate), each in its own process
group, their output in log files; and what the tests read in the database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from service_helpers import (
    PROJECT,
    Server,
    running_server,
    server_environment,
    two_session_salon,
)
from sqlalchemy import text

from api.db import make_engine, make_session_factory
from api.organisers.service import create_organiser

# Quick liveness for tests: a worker silent 2 s is stalled, a job silent 2 s is taken over.
QUEUE_ENV = {
    "SALON_JOB_QUEUE": "procrastinate",
    "SALON_SOLVE_WORKERS": "1",
    "SALON_SOLVE_MAX_ACTIVE": "100",
    "SALON_SOLVE_MAX_RUNNING": "100",
    "SALON_JOB_HEARTBEAT_SECONDS": "0.3",
    "SALON_JOB_STALE_SECONDS": "2",
    "SALON_JOB_CANCEL_GRACE_SECONDS": "1",
    "SALON_WORKER_HEARTBEAT_SECONDS": "0.5",
    "SALON_WORKER_STALLED_SECONDS": "2",
}
SMALL = json.loads((PROJECT / "examples" / "small.json").read_text("utf-8"))


@dataclass
class Worker:
    """A `salon worker` process."""

    process: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, size: int = 4000) -> str:
        return self.log.read_text("utf-8", errors="replace")[-size:]

    def kill(self) -> None:
        """The machine dies: SIGKILL to the worker and its solve processes."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@dataclass
class Cluster:
    database_url: str
    server: Server
    workers: list[Worker] = field(default_factory=list)

    def client(self, headers: dict[str, str]) -> httpx.Client:
        return httpx.Client(base_url=self.server.base_url, headers=headers, timeout=30)

    def query(self, sql: str, **params: Any) -> list[Any]:
        engine = make_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return list(connection.execute(text(sql), params).all())
        finally:
            engine.dispose()

    def organiser(self, email: str) -> dict[str, str]:
        engine = make_engine(self.database_url)
        try:
            with make_session_factory(engine)() as session:
                issued = create_organiser(session, email=email)
        finally:
            engine.dispose()
        return {"Authorization": f"Bearer {issued.key}"}


@contextmanager
def running_worker(database_url: str, concurrency: int = 2, **env: str) -> Iterator[Worker]:
    """Start `salon worker` in its own process group; stop it (SIGTERM) after."""
    command = [
        sys.executable,
        "-c",
        "import sys; from api.cli import main; sys.exit(main())",
        "worker",
        "--concurrency",
        str(concurrency),
    ]
    handle, name = tempfile.mkstemp(prefix="salon-worker-", suffix=".log")
    os.close(handle)
    with open(name, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT,
            env=server_environment(database_url, **{**QUEUE_ENV, **env}),
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        worker = Worker(process, Path(name))
        try:
            yield worker
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
            Path(name).unlink(missing_ok=True)


def wait_for_workers(cluster: Cluster, count: int, timeout: float = 60) -> None:
    """Wait until `count` workers have registered (procrastinate_workers)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = cluster.query("SELECT count(*) FROM procrastinate_workers")
        if rows[0][0] >= count:
            return
        for worker in cluster.workers:
            if worker.process.poll() is not None:
                raise RuntimeError(f"worker exited: {worker.log_tail()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{count} workers not registered in {timeout} s")
        time.sleep(0.3)


@contextmanager
def running_cluster(database_url: str, workers: int, **env: str) -> Iterator[Cluster]:
    """One server and `workers` workers (concurrency 2 each) on `database_url`."""
    with ExitStack() as stack:
        server = stack.enter_context(running_server(database_url, **{**QUEUE_ENV, **env}))
        cluster = Cluster(database_url, server)
        for _ in range(workers):
            cluster.workers.append(stack.enter_context(running_worker(database_url, **env)))
        wait_for_workers(cluster, workers)
        yield cluster


def import_salon(client: httpx.Client, document: dict[str, Any], name: str) -> int:
    response = client.post("/salons/import", json={**document, "name": name})
    assert response.status_code == 201, response.text
    salon_id: int = response.json()["id"]
    return salon_id


def start_solve(client: httpx.Client, salon_id: int, time_limit: float) -> dict[str, Any]:
    response = client.post(f"/salons/{salon_id}/solves", json={"time_limit": time_limit})
    assert response.status_code == 202, response.text
    job: dict[str, Any] = response.json()
    return job


def solve_state(client: httpx.Client, salon_id: int, job_id: int) -> dict[str, Any]:
    response = client.get(f"/salons/{salon_id}/solves/{job_id}")
    assert response.status_code == 200, response.text
    job: dict[str, Any] = response.json()
    return job


def wait_until(
    client: httpx.Client, salon_id: int, job_id: int, condition: Any, timeout: float = 120
) -> dict[str, Any]:
    """Poll a solve until `condition(job)` holds; its last state (AssertionError past timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        job = solve_state(client, salon_id, job_id)
        if condition(job):
            return job
        assert time.monotonic() < deadline, f"solve {job_id} still {job['state']}: {job}"
        time.sleep(0.2)


def medium_salon(directors: int = 15, industrials: int = 60, asked: int = 8) -> dict[str, Any]:
    """A salon/v1 whose solve uses its whole time limit (its objectives are not proven in a few
    seconds with one CP-SAT worker) and finds a schedule in a second or two."""
    return two_session_salon("Salon moyen", directors, industrials, asked, step=(1, 1))
