"""The job queue on PostgreSQL with real processes (issue 12): one `salon serve` and two
`salon worker` started here, SALON_JOB_QUEUE=procrastinate, on a database of their own.

- 20 salons solved at once all end `done`, their runs shared by both workers, and a queued
  solve shows its place in the queue; a second web process whose organisers run one solve at a
  time: theirs never overlap on the two workers, another organiser's passes;
- a cancel sent through the server stops a solve running on a worker;
- a batch print made by a worker is stored in the database and served by the server; a mail
  queued by any process is sent by a worker (here into the database outbox);
- the hourly clean-up, run by a worker, deletes procrastinate's jobs and the mails ended long ago;
- a worker killed with SIGKILL mid-solve: its job is taken over by the other worker and done;
  a worker stopped with SIGTERM gives its solve back at once, and a new worker does it;
- no job ran twice (the database's runs: at most one run ended each job, and a run taken over
  had stopped beating before the next one started).
"""

from __future__ import annotations

import io
import os
import re
import secrets
import signal
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import procrastinate
import psycopg
import pytest
from pypdf import PdfReader
from queue_helpers import (
    QUEUE_ENV,
    SMALL,
    Cluster,
    import_salon,
    medium_salon,
    running_cluster,
    running_worker,
    solve_state,
    start_solve,
    wait_until,
)
from service_helpers import running_server
from sqlalchemy import text

from api.db import make_engine, make_session_factory
from api.mail import read_database_outbox, send_mail
from api.queue import storage as queue_storage
from api.queue.client import conninfo
from api.queue.tables import OutboxMail
from api.queue.tasks import PRUNE
from api.settings import Settings
from api.timestamps import utc_now

PG_ADMIN = os.environ.get("SALON_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN}: {str(exc).strip()}")
    name = f"salon_queue_{secrets.token_hex(4)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        with running_cluster(f"{base}/{name}", workers=2) as running:
            yield running
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _worker_pid(owner: str) -> int:
    """The pid in a run's owner (`host@pid:nonce`)."""
    return int(owner.rpartition("@")[2].partition(":")[0])


def test_twenty_salons_solved_at_once_all_end_done(cluster: Cluster) -> None:
    headers = cluster.organiser(f"many-{secrets.token_hex(3)}@example.org")
    with cluster.client(headers) as client:
        salons = [import_salon(client, SMALL, f"Salon {n}") for n in range(20)]
        jobs = {salon_id: start_solve(client, salon_id, 3)["id"] for salon_id in salons}
        # Four run at once at most (two workers, two each): the last ones wait, in order.
        last = solve_state(client, salons[-1], jobs[salons[-1]])
        if last["state"] == "queued":
            assert last["queue_position"] is not None and 1 <= last["queue_position"] <= 20
        ends = {
            salon_id: wait_until(
                client, salon_id, job_id, lambda j: j["state"] not in ("queued", "running")
            )
            for salon_id, job_id in jobs.items()
        }
    failed = {job["id"]: job["error"] for job in ends.values() if job["state"] != "done"}
    logs = "\n".join(w.log.read_text("utf-8", errors="replace") for w in cluster.workers)
    assert not failed, (failed, [line for line in logs.splitlines() if "rror" in line])
    assert all(job["schedule_version"] == 1 for job in ends.values())
    assert all(job["queue_position"] is None for job in ends.values())
    runs = cluster.query(
        "SELECT job_id, owner, outcome FROM queue_job_runs WHERE job_id = ANY(:ids)",
        ids=list(jobs.values()),
    )
    assert sorted(r.job_id for r in runs) == sorted(jobs.values())  # one run each
    assert {r.outcome for r in runs} == {"done"}
    worker_pids = {w.process.pid for w in cluster.workers}
    assert {_worker_pid(r.owner) for r in runs} == worker_pids  # both workers took a share


def test_an_organiser_runs_its_share_through_the_queue(cluster: Cluster) -> None:
    """A second web process whose organisers run one solve at a time (SALON_SOLVE_MAX_RUNNING=1):
    their solves share one procrastinate lock, so the two workers never run two of them at
    once, while another organiser's solve runs beside them."""
    ada = cluster.organiser(f"share-{secrets.token_hex(3)}@example.org")
    bob = cluster.organiser(f"other-{secrets.token_hex(3)}@example.org")
    with running_server(
        cluster.database_url, **{**QUEUE_ENV, "SALON_SOLVE_MAX_RUNNING": "1"}
    ) as second, httpx.Client(base_url=second.base_url, headers=ada, timeout=30) as client:
        salons = [import_salon(client, medium_salon(), f"Part {n}") for n in range(3)]
        jobs = {salon_id: start_solve(client, salon_id, 3)["id"] for salon_id in salons}
        with cluster.client(bob) as other:
            bob_salon = import_salon(other, SMALL, "Salon de Bob")
            bob_job = start_solve(other, bob_salon, 2)["id"]
            bob_done = wait_until(other, bob_salon, bob_job, lambda j: j["state"] == "done")
        ends = {
            salon_id: wait_until(
                client, salon_id, job_id, lambda j: j["state"] not in ("queued", "running")
            )
            for salon_id, job_id in jobs.items()
        }
    assert {job["state"] for job in ends.values()} == {"done"}
    runs = sorted(
        cluster.query(
            "SELECT job_id, started_at, ended_at FROM queue_job_runs WHERE job_id = ANY(:ids)",
            ids=list(jobs.values()),
        ),
        key=lambda run: run.started_at,
    )
    assert len(runs) == 3
    for before, after in zip(runs, runs[1:], strict=False):
        assert before.ended_at <= after.started_at, runs  # one at a time
    assert bob_done["started_at"] < max(job["finished_at"] for job in ends.values())


def test_a_cancel_through_the_server_stops_a_solve_on_a_worker(cluster: Cluster) -> None:
    headers = cluster.organiser(f"cancel-{secrets.token_hex(3)}@example.org")
    with cluster.client(headers) as client:
        salon_id = import_salon(client, medium_salon(), "Salon annulé")
        job_id = start_solve(client, salon_id, 60)["id"]
        running = wait_until(
            client, salon_id, job_id, lambda j: j["state"] == "running" and j["phase"] not in
            ("", "snapshot", "starting"), timeout=60
        )
        asked = time.monotonic()
        response = client.delete(f"/salons/{salon_id}/solves/{job_id}")
        assert response.status_code == 202, response.text
        ended = wait_until(client, salon_id, job_id, lambda j: j["state"] != "running", 30)
        took = time.monotonic() - asked
    assert running["state"] == "running"
    assert ended["state"] == "cancelled" and ended["cancel_requested"], ended
    assert took < 15, took  # far from the 60 s it asked for
    (run,) = cluster.query(
        "SELECT owner, outcome FROM queue_job_runs WHERE job_id = :id", id=job_id
    )
    assert run.outcome == "cancelled"
    assert _worker_pid(run.owner) in {w.process.pid for w in cluster.workers}


def test_a_print_made_by_a_worker_is_served_by_the_server(cluster: Cluster) -> None:
    headers = cluster.organiser(f"print-{secrets.token_hex(3)}@example.org")
    with cluster.client(headers) as client:
        salon_id = import_salon(client, SMALL, "Salon imprimé")
        job = start_solve(client, salon_id, 3)
        done = wait_until(client, salon_id, job["id"], lambda j: j["state"] != "queued"
                          and j["state"] != "running")
        assert done["state"] == "done", done
        page = client.post(
            "/o/login",
            data={"api_key": headers["Authorization"].removeprefix("Bearer "), "next": "/o"},
            follow_redirects=True,
        )
        assert page.status_code == 200, page.text[:300]
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
        assert token is not None
        answer = client.post(
            f"/o/salons/{salon_id}/schedules/1/prints",
            data={"csrf": token.group(1), "kind": "agendas-all"},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text[:300]
        print_id = int(answer.headers["location"].removeprefix("/o/prints/"))
        deadline = time.monotonic() + 120
        while (progress := client.get(f"/o/prints/{print_id}/progress").json())["state"] in (
            "queued",
            "running",
        ):
            assert time.monotonic() < deadline, progress
            time.sleep(0.2)
        assert progress["state"] == "done", progress
        download = client.get(f"/o/prints/{print_id}/file")
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(download.content)).pages) == progress["pages"] > 0
    (stored,) = cluster.query(
        "SELECT data FROM queue_print_files WHERE job_id = :id", id=print_id
    )[0]
    assert bytes(stored) == download.content
    (run,) = cluster.query("SELECT owner FROM queue_job_runs WHERE job_id = :id", id=print_id)
    assert _worker_pid(run.owner) in {w.process.pid for w in cluster.workers}


def test_a_mail_is_sent_by_a_worker_into_the_database_outbox(cluster: Cluster) -> None:
    settings = Settings(database_url=cluster.database_url, job_queue="procrastinate")
    subject = f"Rappel {secrets.token_hex(3)}"
    assert send_mail(settings, to="ada@example.org", subject=subject, body="Bonjour é") is None
    deadline = time.monotonic() + 60
    while (state := cluster.query(
        "SELECT state, attempts FROM queue_mails WHERE subject = :s", s=subject
    )[0]).state == "queued":
        assert time.monotonic() < deadline, state
        time.sleep(0.2)
    assert (state.state, state.attempts) == ("outbox", 1)
    engine = make_engine(cluster.database_url)
    try:
        with make_session_factory(engine)() as session:
            mails = [m for m in read_database_outbox(session) if m["Subject"] == subject]
    finally:
        engine.dispose()
    assert len(mails) == 1 and str(mails[0]["To"]) == "ada@example.org"
    body = mails[0].get_body()
    assert body is not None and "Bonjour é" in body.get_content()


def test_the_clean_up_deletes_old_queue_rows_on_a_worker(cluster: Cluster) -> None:
    """`salon.prune`, deferred now rather than at its hour: procrastinate's jobs ended more than
    `queue_keep_days` ago (30 by default) go with their events, a maintenance job after an hour,
    and old sent mails; the recent ones stay."""
    settings = Settings(database_url=cluster.database_url, job_queue="procrastinate")
    tag = secrets.token_hex(3)
    for n in (1, 2):  # two mails, so two procrastinate jobs that succeed
        send_mail(settings, to="ada@example.org", subject=f"Envoi {n} {tag}", body="Bonjour")
    ended = (
        "SELECT j.id FROM procrastinate_jobs j JOIN queue_mails m"
        " ON (j.args ->> 'mail_id')::int = m.id"
        " WHERE j.status = 'succeeded' AND m.subject LIKE :s ORDER BY j.id"
    )
    deadline = time.monotonic() + 60
    while len(rows := cluster.query(ended, s=f"Envoi % {tag}")) < 2:
        assert time.monotonic() < deadline, rows
        time.sleep(0.2)
    old, recent = (row.id for row in rows)
    recovered = (
        "SELECT id FROM procrastinate_jobs WHERE status = 'succeeded'"
        " AND queue_name = 'maintenance' ORDER BY id DESC LIMIT 1"
    )
    while not (found := cluster.query(recovered)):
        assert time.monotonic() < deadline, "no maintenance job succeeded"
        time.sleep(0.2)
    maintenance = found[0].id
    engine = make_engine(cluster.database_url)
    try:
        with engine.begin() as connection:
            ago = "UPDATE procrastinate_events SET at = at - CAST(:ago AS interval)"
            ago += " WHERE job_id = :id"
            connection.execute(text(ago), {"id": old, "ago": "40 days"})
            connection.execute(text(ago), {"id": maintenance, "ago": "2 hours"})
        with make_session_factory(engine)() as session:
            for subject, days in (("ancien", 40), ("récent", 1)):
                when = utc_now() - timedelta(days=days)
                mail = OutboxMail(
                    recipient="ada@example.org", subject=f"{subject} {tag}", message=b"x",
                    state="sent", attempts=1, created_at=when, sent_at=when,
                )
                queue_storage.insert_mail(session, mail=mail)
            session.commit()
    finally:
        engine.dispose()
    app = procrastinate.App(
        connector=procrastinate.SyncPsycopgConnector(conninfo=conninfo(cluster.database_url))
    )
    app.open()
    try:
        app.configure_task(PRUNE, queue="maintenance").defer(timestamp=0)
    finally:
        app.close()

    def jobs_left() -> set[int]:
        found = "SELECT id FROM procrastinate_jobs WHERE id IN (:a, :b, :c)"
        return {row.id for row in cluster.query(found, a=old, b=recent, c=maintenance)}

    deadline = time.monotonic() + 60
    while (left := jobs_left()) != {recent}:
        assert time.monotonic() < deadline, f"jobs {left} left of {old}, {recent}, {maintenance}"
        time.sleep(0.2)
    mails = cluster.query(
        "SELECT subject FROM queue_mails WHERE subject IN (:a, :b)", a=f"ancien {tag}",
        b=f"récent {tag}",
    )
    assert [row.subject for row in mails] == [f"récent {tag}"]


def test_a_killed_workers_solve_is_finished_by_the_other(cluster: Cluster) -> None:
    headers = cluster.organiser(f"kill-{secrets.token_hex(3)}@example.org")
    with cluster.client(headers) as client:
        salon_id = import_salon(client, medium_salon(), "Salon repris")
        job_id = start_solve(client, salon_id, 6)["id"]
        wait_until(
            client, salon_id, job_id, lambda j: j["state"] == "running" and j["phase"] not in
            ("", "snapshot", "starting"), timeout=60
        )
        (owner,) = cluster.query("SELECT owner FROM salon_jobs WHERE id = :id", id=job_id)[0]
        victim = next(w for w in cluster.workers if w.process.pid == _worker_pid(owner))
        survivor = next(w for w in cluster.workers if w is not victim)
        victim.kill()
        ended = wait_until(
            client, salon_id, job_id, lambda j: j["state"] not in ("queued", "running"), 120
        )
    assert ended["state"] == "done", (ended, survivor.log_tail())
    assert ended["schedule_version"] == 1
    first, second = cluster.query(
        "SELECT owner, outcome, started_at, last_beat_at, ended_at FROM queue_job_runs "
        "WHERE job_id = :id ORDER BY id",
        id=job_id,
    )
    assert _worker_pid(first.owner) == victim.process.pid and first.outcome == "abandoned"
    assert _worker_pid(second.owner) == survivor.process.pid and second.outcome == "done"
    assert first.last_beat_at <= second.started_at  # the killed run was silent before


def test_a_stopped_worker_gives_its_solve_back(cluster: Cluster) -> None:
    """SIGTERM (a worker stopped on purpose): its running solve is queued again at once, and
    the next worker does it."""
    (survivor,) = [w for w in cluster.workers if w.process.poll() is None]
    headers = cluster.organiser(f"stop-{secrets.token_hex(3)}@example.org")
    with cluster.client(headers) as client:
        salon_id = import_salon(client, medium_salon(), "Salon rendu")
        job_id = start_solve(client, salon_id, 6)["id"]
        wait_until(
            client, salon_id, job_id, lambda j: j["state"] == "running" and j["phase"] not in
            ("", "snapshot", "starting"), timeout=60
        )
        survivor.process.send_signal(signal.SIGTERM)
        survivor.process.wait(timeout=30)
        given_back = solve_state(client, salon_id, job_id)
        assert given_back["state"] == "queued", given_back
        with running_worker(cluster.database_url) as fresh:
            cluster.workers.append(fresh)
            ended = wait_until(
                client, salon_id, job_id, lambda j: j["state"] not in ("queued", "running"), 120
            )
    assert ended["state"] == "done", ended
    first, second = cluster.query(
        "SELECT owner, outcome FROM queue_job_runs WHERE job_id = :id ORDER BY id", id=job_id
    )
    assert (_worker_pid(first.owner), first.outcome) == (survivor.process.pid, "released")
    assert (_worker_pid(second.owner), second.outcome) == (fresh.process.pid, "done")


def test_no_job_ran_twice(cluster: Cluster) -> None:
    """Over every job of this module: at most one run ended each one, one schedule at most per
    job, and a job's runs never overlap (each beat last before the next started)."""
    runs = cluster.query(
        "SELECT job_id, outcome, started_at, last_beat_at FROM queue_job_runs ORDER BY job_id, id"
    )
    assert len(runs) >= 22
    by_job: dict[int, list] = {}  # type: ignore[type-arg]
    for run in runs:
        by_job.setdefault(run.job_id, []).append(run)
    for job_id, job_runs in by_job.items():
        finished = [r for r in job_runs if r.outcome in ("done", "failed", "cancelled")]
        assert len(finished) == 1, (job_id, job_runs)
        for before, after in zip(job_runs, job_runs[1:], strict=False):
            assert before.outcome in ("abandoned", "released")
            assert before.last_beat_at <= after.started_at
    schedules = cluster.query(
        "SELECT job_id, count(*) FROM salon_schedules WHERE job_id IS NOT NULL GROUP BY job_id"
    )
    assert all(count == 1 for _job, count in schedules)
    solves = {row.id for row in cluster.query("SELECT id FROM salon_jobs WHERE kind = 'solve'")}
    assert len(schedules) == sum(
        1 for job, job_runs in by_job.items() if job in solves and job_runs[-1].outcome == "done"
    )
