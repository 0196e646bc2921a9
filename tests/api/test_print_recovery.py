"""Batch print jobs whose server process died are failed cleanly (`interrupted`, a message to
print again) by the job runner's recovery, the same as solves': at start-up and while it
serves, never left running; live ones are kept."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from service_helpers import make_salon, settings_for

from api.app import create_app
from api.db import make_engine, make_session_factory
from api.jobs import HOSTNAME, JobRunner
from api.organisers.service import create_organiser
from api.pages.prints import INTERRUPTED_PRINT, PrintWork
from api.salons.tables import PrintJob
from api.settings import Settings
from api.timestamps import utc_now


def _insert_print(
    settings: Settings,
    salon_id: int,
    *,
    owner: str | None,
    heartbeat: dt.datetime,
    state: str = "running",
) -> int:
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            job = PrintJob(
                salon_id=salon_id,
                state=state,
                cancel_requested=False,
                time_limit=0,
                workers=0,
                seed=0,
                done=3,
                total=10,
                document="grid",
                version=1,
                language="fr",
                filename="salon-v1-grid.pdf",
                owner=owner,
                created_at=heartbeat,
                started_at=heartbeat,
                heartbeat_at=heartbeat,
            )
            session.add(job)
            session.commit()
            return job.id
    finally:
        engine.dispose()


def _run_then_crash(settings: Settings, job_id: int) -> None:
    """In a child process: a job runner of its own claims the queued print and starts it, then
    the process dies without a word (no shutdown, no final state)."""
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    runner = JobRunner(factory, [PrintWork(settings)])
    runner.submit(job_id)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with factory() as session:
            job = session.get(PrintJob, job_id)
            if job is not None and job.state != "queued":
                break
        time.sleep(0.005)
    os._exit(0)


def _crashed_print(settings: Settings, salon_id: int) -> int:
    """A print job left running by a process that died while making it."""
    job_id = _insert_print(settings, salon_id, owner=None, heartbeat=utc_now(), state="queued")
    context = multiprocessing.get_context("fork")
    child = context.Process(target=_run_then_crash, args=(settings, job_id))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    return job_id


def _state(settings: Settings, job_id: int) -> dict[str, Any]:
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            job = session.get(PrintJob, job_id)
            assert job is not None
            return {
                "state": job.state,
                "error_code": job.error_code,
                "error": job.error_message,
                "done": job.done,
                "owner": job.owner,
            }
    finally:
        engine.dispose()


def _dead_pid() -> int:
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid -= 1


def _organiser_and_salon(settings: Settings) -> tuple[str, int]:
    """An organiser (its API key) with a small salon, solved: version 1 to print."""
    with TestClient(create_app(settings)) as client:
        with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
            issued = create_organiser(session, email="printer@example.org")
        headers = {"Authorization": f"Bearer {issued.key}"}
        salon_id, _ids, tokens = make_salon(client, headers)
        client.put(
            "/me/wishes",
            json={"wishes": [{"to": "D1"}, {"to": "D2"}]},
            headers={"X-Participant-Token": tokens["I1"]},
        )
        job = client.post(f"/salons/{salon_id}/solves", json={}, headers=headers).json()
        deadline = time.monotonic() + 60
        while client.get(f"/salons/{salon_id}/solves/{job['id']}", headers=headers).json()[
            "state"
        ] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
    return issued.key, salon_id


def test_print_jobs_of_dead_processes_are_failed_at_start(
    database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(
        database_url, outbox_dir=tmp_path / "var" / "outbox", job_stale_seconds=30
    )
    key, salon_id = _organiser_and_salon(settings)
    now = utc_now()
    dead = _dead_pid()
    jobs = {
        "crashed": _crashed_print(settings, salon_id),
        "dead_here": _insert_print(
            settings, salon_id, owner=f"{HOSTNAME}@{dead}:aa", heartbeat=now
        ),
        "silent": _insert_print(
            settings,
            salon_id,
            owner="elsewhere@42:bb",
            heartbeat=now - dt.timedelta(hours=1),
            state="queued",
        ),
        "alive_elsewhere": _insert_print(
            settings, salon_id, owner="elsewhere@43:cc", heartbeat=now
        ),
        "alive_here": _insert_print(
            settings, salon_id, owner=f"{HOSTNAME}@{os.getppid()}:dd", heartbeat=now
        ),
        "done": _insert_print(
            settings, salon_id, owner=f"{HOSTNAME}@{dead}:ee", heartbeat=now, state="done"
        ),
    }
    crashed = _state(settings, jobs["crashed"])
    assert crashed["state"] == "running" and crashed["owner"].startswith(f"{HOSTNAME}@")
    with TestClient(create_app(settings)) as client:
        states = {name: _state(settings, job_id) for name, job_id in jobs.items()}
        for name in ("crashed", "dead_here", "silent"):
            assert states[name]["state"] == "failed", name
            assert states[name]["error_code"] == "interrupted", name
            assert states[name]["error"] == INTERRUPTED_PRINT
        assert states["dead_here"]["done"] == 3  # how far it got stays shown
        for name in ("alive_elsewhere", "alive_here"):
            assert states[name]["state"] == "running", name
        assert states["done"]["state"] == "done" and states["done"]["error_code"] is None

        signed = client.post("/o/login", data={"api_key": key})
        assert signed.status_code == 200
        path = f"/o/prints/{jobs['crashed']}"
        page = client.get(path)
        assert page.status_code == 200
        assert "échec" in page.text and "relancez l&#39;impression" in page.text
        progress = client.get(f"{path}/progress").json()
        assert progress["state"] == "failed" and progress["error_code"] == "interrupted"
        assert progress["error"] == INTERRUPTED_PRINT and "owner" not in progress
        assert client.get(f"{path}/file").status_code == 409
        english = client.get(path, params={"lang": "en"}).text
        assert "start the printing again" in english


def test_a_print_job_whose_process_dies_while_serving_is_failed_soon(
    database_url: str, tmp_path: Path
) -> None:
    """The runner's monitor fails it within a heartbeat or two, as it does solves."""
    settings = settings_for(database_url, outbox_dir=tmp_path / "var" / "outbox")
    key, salon_id = _organiser_and_salon(settings)
    with TestClient(create_app(settings)) as client:
        client.post("/o/login", data={"api_key": key})
        job_id = _crashed_print(settings, salon_id)
        deadline = time.monotonic() + 20
        while True:
            progress = client.get(f"/o/prints/{job_id}/progress").json()
            if progress["state"] != "running" or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert progress["state"] == "failed" and progress["error_code"] == "interrupted"
