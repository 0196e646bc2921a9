"""Benchmark of one kind of request starving the others: 40 agenda PDFs at once.

`bench_pdf_rush()` is a section of `make bench`; run alone with
`python -m examples.bench_pdf_rush [--postgres URL]`. It starts a real server (`salon serve`,
one process) on a fresh SQLite file holding the AGIR example with a published schedule (placed
greedily: this measures serving, not solving), then:

- idle: a small API read (`GET /salons/{id}` with the organiser's key) looped alone;
- cold rush: 40 participants (distinct, directors and industrials) fetch their agenda PDF at the
  same moment while one client loops the same small read: p50/p99 of the PDFs and of the reads
  made during the rush;
- warm rush: the same 40 PDFs again (a server that caches them answers without rendering);
- wishes: 100 industrials submit their wishes at the same moment (`PUT /me/wishes`).

With `DATABASE_URL` set to a PostgreSQL URL (or `--postgres URL` when run alone), the same runs on a
fresh database created on that server for the run and dropped after it; the database of the URL
itself is never written.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from examples.bench import Check
from examples.generate import EXAMPLES_DIR
from examples.greedy import greedy_schedule

PROJECT = Path(__file__).resolve().parent.parent
RUSH = 40
WISHERS = 100
IDLE_READS = 50
WISHES_EACH = 3
TARGET_READ_P99 = 1.0
"""Seconds: a small read during the rush (was 6.5 s p50 when PDFs held the sessions)."""
TARGET_WARM_PDF_P99 = 1.0
"""Seconds: an agenda PDF already made for the same schedule version and participant."""


@dataclass
class Prepared:
    """What the clients need: the salon, the organiser's key, participants' tokens."""

    salon_id: int
    api_key: str
    pdf_tokens: list[str]
    wish_tokens: dict[str, str]  # industrial code -> token
    directors: list[str]


def prepare(database_url: str) -> Prepared:
    """Migrate, import the AGIR example, store and publish a greedy schedule, issue links."""
    from api.auth import CurrentOrganiser
    from api.db import make_engine, make_session_factory, migrate
    from api.organisers.service import create_organiser
    from api.salons import convert, service, storage
    from api.timestamps import utc_now
    from scheduler.loading import load_salon

    migrate(database_url)
    document = load_salon(EXAMPLES_DIR / "agir-2023.json")
    schedule = greedy_schedule(document)
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            issued = create_organiser(session, email=f"bench-{secrets.token_hex(3)}@example.org")
            organiser = CurrentOrganiser(id=issued.organiser_id, email="", name="")
            salon_id = service.import_salon(session, organiser=organiser, document=document).id
            service.set_wish_window(session, organiser=organiser, salon_id=salon_id, open_=True)
            participants, _ = storage.list_participants(session, salon_id=salon_id)
            tables = storage.list_tables(session, salon_id=salon_id)
            stored = convert.store_schedule(
                session,
                salon_id=salon_id,
                job_id=None,
                document=schedule,
                participant_ids={p.code: p.id for p in participants},
                table_ids={t.code: t.id for t in tables},
                now=utc_now(),
            )
            session.commit()
            service.publish_schedule(
                session, organiser=organiser, salon_id=salon_id, version=stored.version
            )

            def token(participant_id: int) -> str:
                return service.issue_link(
                    session, participant_id=participant_id, expires_at=None, base_url="http://x"
                ).token

            step = max(1, len(participants) // RUSH)
            rushing = participants[::step][:RUSH]
            industrials = [p for p in participants if p.table_id is None][:WISHERS]
            return Prepared(
                salon_id=salon_id,
                api_key=issued.key,
                pdf_tokens=[token(p.id) for p in rushing],
                wish_tokens={p.code: token(p.id) for p in industrials},
                directors=[p.code for p in participants if p.table_id is not None],
            )
    finally:
        engine.dispose()


# ---------------------------------------------------------------- the server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_server(database_url: str, folder: Path) -> Iterator[str]:
    """`salon serve` (one process) on loopback, in its own process group; its base URL."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SALON_BASE_URL": base_url,
        "SALON_OUTBOX_DIR": str(folder / "outbox"),
        "SALON_SECRET_KEY": secrets.token_urlsafe(32),
        "PYTHONPATH": os.pathsep.join(p for p in (str(PROJECT), os.environ.get("PYTHONPATH")) if p),
    }
    command = [
        sys.executable, "-c", "import sys; from api.cli import main; sys.exit(main())",
        "serve", "--port", str(port), "--workers", "1",
    ]
    log_path = folder / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_serving(process, base_url, log_path)
        yield base_url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _wait_until_serving(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text('utf-8', 'replace')[-2000:]}")
        try:
            if httpx.get(f"{base_url}/openapi.json", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start within 60 s")
        time.sleep(0.2)


# ---------------------------------------------------------------- the clients


@dataclass
class Figures:
    """Latencies in seconds and the failures (status, path) of one run."""

    seconds: list[float]
    failures: list[str]

    def line(self, label: str) -> str:
        if not self.seconds:
            return f"  {label:<34} no request"
        failed = f", {len(self.failures)} failed" if self.failures else ""
        return (
            f"  {label:<34} n {len(self.seconds):>4}   p50 {_ms(percentile(self.seconds, 50))}"
            f"   p99 {_ms(percentile(self.seconds, 99))}   max {_ms(max(self.seconds))}{failed}"
        )


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of `values` (share in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:>7.0f} ms"


async def _timed(
    call: Callable[[], Awaitable[httpx.Response]], figures: Figures, kind: str
) -> None:
    started = time.perf_counter()
    try:
        response = await call()
        ok = response.status_code == 200 and (
            kind != "pdf" or response.content.startswith(b"%PDF")
        )
        failure = "" if ok else f"{response.status_code} {kind}"
    except httpx.HTTPError as exc:
        failure = f"{type(exc).__name__} {kind}"
    figures.seconds.append(time.perf_counter() - started)
    if failure:
        figures.failures.append(failure)


def _client(base_url: str) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=WISHERS + 10, max_keepalive_connections=WISHERS + 10)
    return httpx.AsyncClient(base_url=base_url, timeout=180, limits=limits)


async def idle_reads(base_url: str, prepared: Prepared) -> Figures:
    """The small read alone, one after the other."""
    figures = Figures([], [])
    headers = {"Authorization": f"Bearer {prepared.api_key}"}
    async with _client(base_url) as client:
        for _ in range(IDLE_READS):
            await _timed(
                lambda: client.get(f"/salons/{prepared.salon_id}", headers=headers), figures, "read"
            )
    return figures


async def pdf_rush(base_url: str, prepared: Prepared) -> tuple[Figures, Figures]:
    """40 agenda PDFs at once and, meanwhile, the small read in a loop: (pdfs, reads)."""
    pdfs, reads = Figures([], []), Figures([], [])
    headers = {"Authorization": f"Bearer {prepared.api_key}"}
    async with _client(base_url) as client:
        start, finished = asyncio.Event(), asyncio.Event()

        async def one_pdf(token: str) -> None:
            await start.wait()
            await _timed(lambda: client.get(f"/p/{token}/agenda.pdf"), pdfs, "pdf")

        async def reader() -> None:
            await start.wait()
            await asyncio.sleep(0.05)  # let the PDF requests reach the server first
            while not finished.is_set():
                await _timed(
                    lambda: client.get(f"/salons/{prepared.salon_id}", headers=headers),
                    reads,
                    "read",
                )

        tasks = [asyncio.create_task(one_pdf(token)) for token in prepared.pdf_tokens]
        reading = asyncio.create_task(reader())
        await asyncio.sleep(0.2)
        start.set()
        await asyncio.gather(*tasks)
        finished.set()
        await reading
    return pdfs, reads


async def wish_rush(base_url: str, prepared: Prepared) -> Figures:
    """100 industrials submit their wishes at the same moment."""
    figures = Figures([], [])
    directors = prepared.directors
    async with _client(base_url) as client:
        start = asyncio.Event()

        async def submit(n: int, token: str) -> None:
            body = {
                "wishes": [{"to": directors[(n + 7 * k) % len(directors)]} for k in range(3)]
            }
            await start.wait()
            await _timed(
                lambda: client.put(
                    "/me/wishes", json=body, headers={"X-Participant-Token": token}
                ),
                figures,
                "wishes",
            )

        tasks = [
            asyncio.create_task(submit(n, token))
            for n, token in enumerate(prepared.wish_tokens.values())
        ]
        await asyncio.sleep(0.2)
        start.set()
        await asyncio.gather(*tasks)
    return figures


# ---------------------------------------------------------------- databases


def _sqlalchemy_url(conninfo: str, database: str) -> str:
    base = conninfo.rsplit("/", 1)[0].split("://", 1)[1]
    return f"postgresql+psycopg://{base}/{database}"


@contextmanager
def fresh_postgres(server_url: str) -> Iterator[str]:
    """A new database on the PostgreSQL server of `server_url`, dropped afterwards."""
    import psycopg

    conninfo = server_url.replace("postgresql+psycopg://", "postgresql://", 1)
    name = f"salon_bench_{secrets.token_hex(4)}"
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _sqlalchemy_url(conninfo, name)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_on(label: str, database_url: str, folder: Path) -> list[Check]:
    """Every measure on one database; the checks of its targets."""
    started = time.perf_counter()
    prepared = prepare(database_url)
    print(
        f"{label}: AGIR example published (greedy schedule), {len(prepared.pdf_tokens)} agendas, "
        f"{len(prepared.wish_tokens)} wishing industrials; set up in "
        f"{time.perf_counter() - started:.1f} s"
    )
    with running_server(database_url, folder) as base_url:
        idle = asyncio.run(idle_reads(base_url, prepared))
        cold_pdfs, cold_reads = asyncio.run(pdf_rush(base_url, prepared))
        warm_pdfs, warm_reads = asyncio.run(pdf_rush(base_url, prepared))
        wishes = asyncio.run(wish_rush(base_url, prepared))
    print(idle.line("small read, alone"))
    print(cold_pdfs.line(f"{RUSH} agenda PDFs at once, cold"))
    print(cold_reads.line("small read during the cold rush"))
    print(warm_pdfs.line(f"{RUSH} agenda PDFs at once, warm"))
    print(warm_reads.line("small read during the warm rush"))
    print(wishes.line(f"{WISHERS} wish submissions at once"))
    failures = [*idle.failures, *cold_pdfs.failures, *cold_reads.failures]
    failures += [*warm_pdfs.failures, *warm_reads.failures, *wishes.failures]
    read_p99 = percentile(cold_reads.seconds, 99) if cold_reads.seconds else float("inf")
    warm_p99 = percentile(warm_pdfs.seconds, 99) if warm_pdfs.seconds else float("inf")
    return [
        Check(f"{label}: every request answered", not failures, ", ".join(failures[:5])),
        Check(
            f"{label}: small read p99 during the rush <= {TARGET_READ_P99:g} s",
            read_p99 <= TARGET_READ_P99,
            f"{read_p99:.2f} s",
        ),
        Check(
            f"{label}: warm agenda PDF p99 <= {TARGET_WARM_PDF_P99:g} s",
            warm_p99 <= TARGET_WARM_PDF_P99,
            f"{warm_p99:.2f} s",
        ),
    ]


def _postgres_server(explicit: str | None) -> str | None:
    url = explicit or os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


def bench_pdf_rush(postgres: str | None = None) -> list[Any]:
    """The rush on SQLite, and on PostgreSQL when DATABASE_URL (or `postgres`) names a server."""
    checks: list[Any] = []
    with tempfile.TemporaryDirectory(prefix="salon-pdf-rush-") as name:
        folder = Path(name)
        sqlite = folder / "sqlite"
        sqlite.mkdir()
        checks += run_on("SQLite", f"sqlite:///{sqlite / 'salon.db'}", sqlite)
        server = _postgres_server(postgres)
        if server is None:
            checks.append(Check("PostgreSQL", None, "set DATABASE_URL to a PostgreSQL server"))
            return checks
        pg = folder / "postgresql"
        pg.mkdir()
        with fresh_postgres(server) as url:
            checks += run_on("PostgreSQL", url, pg)
    return checks


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m examples.bench_pdf_rush")
    parser.add_argument("--postgres", help="a PostgreSQL server URL (a fresh database is made)")
    arguments = parser.parse_args()
    for check in bench_pdf_rush(arguments.postgres):
        print(check.line())
