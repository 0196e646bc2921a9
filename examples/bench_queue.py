"""Benchmark of the job queue (issue 12): 20 small salons solved at once through 1 worker, then
through 2 workers, side by side: throughput (solves a minute, from the first request to the
last end) and the p95 wait (from a solve's request to its start).

`bench_queue()` is a section of `make bench`; run alone with `python -m examples.bench_queue`.
Each run uses a fresh PostgreSQL database (created on the server of `SALON_BENCH_POSTGRES`,
default postgresql://postgres@127.0.0.1:5432/test, and dropped after), one `salon serve` with
SALON_JOB_QUEUE=procrastinate and N `salon worker --concurrency 1` processes, each solve with
one CP-SAT worker: the machine's 2 cores are what two workers can share.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from examples.bench import Check

PROJECT = Path(__file__).resolve().parent.parent
SALONS = 20
TIME_LIMIT = 5.0
ADMIN = os.environ.get("SALON_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
ENV = {
    "SALON_JOB_QUEUE": "procrastinate",
    "SALON_SOLVE_WORKERS": "1",
    "SALON_SOLVE_MAX_ACTIVE": "100",
    "SALON_SOLVE_MAX_RUNNING": "100",
    "SALON_JOB_HEARTBEAT_SECONDS": "0.5",
    "SALON_WORKER_HEARTBEAT_SECONDS": "1",
}


@dataclass
class Run:
    """What one run measured."""

    workers: int
    seconds: float  # first request to last end
    waits: list[float]  # request to start, each solve
    done: int

    @property
    def per_minute(self) -> float:
        return 60 * self.done / self.seconds if self.seconds else 0.0

    @property
    def p95_wait(self) -> float:
        return statistics.quantiles(self.waits, n=20)[-1] if len(self.waits) > 1 else 0.0


def _environment(database_url: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url, **ENV, **extra}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT), env.get("PYTHONPATH")) if p)
    return env


@contextmanager
def _process(database_url: str, *args: str, **extra: str) -> Iterator[subprocess.Popen[bytes]]:
    """`salon ARGS` in its own process group (output to a temporary log), stopped after."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-c", "import sys; from api.cli import main; sys.exit(main())", *args],
            cwd=PROJECT,
            env=_environment(database_url, **extra),
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)


@contextmanager
def _database() -> Iterator[str]:
    import psycopg

    name = f"salon_bench_queue_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_serving(base_url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("salon serve exited")
        try:
            if httpx.get(f"{base_url}/openapi.json", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("salon serve did not start")


def _organiser(database_url: str) -> str:
    from api.db import make_engine, make_session_factory
    from api.organisers.service import create_organiser

    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return create_organiser(session, email="bench@example.org").key
    finally:
        engine.dispose()


def _wait_workers(database_url: str, count: int) -> None:
    from sqlalchemy import text

    from api.db import make_engine

    engine = make_engine(database_url)
    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                found = connection.execute(text("SELECT count(*) FROM procrastinate_workers"))
                if found.scalar_one() >= count:
                    return
            time.sleep(0.3)
    finally:
        engine.dispose()
    raise RuntimeError(f"{count} workers did not register")


def run_once(workers: int) -> Run:
    """20 salons solved at once through `workers` workers (concurrency 1 each)."""
    small = json.loads((PROJECT / "examples" / "small.json").read_text("utf-8"))
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    with _database() as url, ExitStack() as stack:
        server = stack.enter_context(
            _process(url, "serve", "--port", str(port), SALON_BASE_URL=base_url)
        )
        _wait_serving(base_url, server)
        for _ in range(workers):
            stack.enter_context(_process(url, "worker", "--concurrency", "1"))
        _wait_workers(url, workers)
        headers = {"Authorization": f"Bearer {_organiser(url)}"}
        with httpx.Client(base_url=base_url, headers=headers, timeout=60) as client:
            salons = []
            for n in range(SALONS):
                answer = client.post("/salons/import", json={**small, "name": f"Salon {n}"})
                answer.raise_for_status()
                salons.append(answer.json()["id"])
            started = time.monotonic()
            jobs = {}
            for salon_id in salons:
                answer = client.post(f"/salons/{salon_id}/solves", json={"time_limit": TIME_LIMIT})
                answer.raise_for_status()
                jobs[salon_id] = answer.json()["id"]
            ends: dict[int, dict[str, Any]] = {}
            deadline = started + 600
            while len(ends) < len(jobs) and time.monotonic() < deadline:
                for salon_id, job_id in jobs.items():
                    if salon_id in ends:
                        continue
                    job = client.get(f"/salons/{salon_id}/solves/{job_id}").json()
                    if job["state"] not in ("queued", "running"):
                        ends[salon_id] = job
                time.sleep(0.2)
            seconds = time.monotonic() - started
    waits = [
        _seconds(job["started_at"]) - _seconds(job["created_at"])
        for job in ends.values()
        if job["started_at"]
    ]
    done = sum(1 for job in ends.values() if job["state"] == "done")
    return Run(workers, seconds, waits, done)


def _seconds(stamp: str) -> float:
    import datetime as dt

    return dt.datetime.fromisoformat(stamp).timestamp()


def bench_queue() -> list[Check]:
    """The section: 1 worker, then 2, side by side."""
    try:
        import psycopg

        psycopg.connect(ADMIN, connect_timeout=5).close()
    except Exception as exc:  # noqa: BLE001 - no server: the section is skipped, saying why
        print(f"  no PostgreSQL at {ADMIN}: {exc}")
        return [Check("queue through workers", None, "PostgreSQL not reachable")]
    runs = [run_once(1), run_once(2)]
    print(f"  {SALONS} small salons (examples/small.json) solved at once, {TIME_LIMIT:g} s limit")
    print("  workers   done   seconds   solves/min   p50 wait   p95 wait")
    for run in runs:
        p50 = statistics.median(run.waits) if run.waits else 0.0
        print(
            f"  {run.workers:>7}   {run.done:>4}   {run.seconds:>7.1f}   {run.per_minute:>10.1f}"
            f"   {p50:>7.1f} s  {run.p95_wait:>7.1f} s"
        )
    one, two = runs
    ratio = two.per_minute / max(one.per_minute, 1e-9)
    return [
        Check("every solve done", all(r.done == SALONS for r in runs), f"{one.done}, {two.done}"),
        Check(
            "2 workers pass more solves a minute than 1",
            two.per_minute > one.per_minute,
            f"{two.per_minute:.1f} vs {one.per_minute:.1f} ({ratio:.2f}x)",
        ),
        Check(
            "2 workers: shorter p95 wait",
            two.p95_wait < one.p95_wait,
            f"{two.p95_wait:.1f} s vs {one.p95_wait:.1f} s",
        ),
    ]


if __name__ == "__main__":
    for check in bench_queue():
        print(check.line())
