"""Batch print jobs whose server process died are failed cleanly (`interrupted`, a message to
print again), at start-up and whenever they are read, never left running; live ones are kept."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
from dataclasses import asdict
from pathlib import Path

from fastapi.testclient import TestClient
from service_helpers import settings_for

from api.app import create_app
from api.jobs import HOSTNAME
from api.organisers.service import create_organiser
from api.pages.service import INTERRUPTED_PRINT, PrintJob, print_owner, prints_dir, save_job
from api.settings import Settings


def _job(
    settings: Settings,
    job_id: str,
    organiser_id: int,
    *,
    owner: str,
    heartbeat: dt.datetime,
    state: str = "running",
) -> str:
    job = PrintJob(
        id=job_id,
        organiser_id=organiser_id,
        salon_id=1,
        version=1,
        kind="grid",
        language="fr",
        state=state,
        done=3,
        total=10,
        filename="salon-v1-grid.pdf",
        created_at=heartbeat.isoformat(timespec="seconds"),
        owner=owner,
        heartbeat_at=heartbeat.isoformat(),
    )
    save_job(settings, job)
    return job_id


def _save_then_crash(settings: Settings, job_id: str, organiser_id: int) -> None:
    """In a child process: start a print job as the service does, then die without a word."""
    _job(settings, job_id, organiser_id, owner=print_owner(), heartbeat=dt.datetime.now(dt.UTC))
    os._exit(0)


def _crashed_process_job(settings: Settings, organiser_id: int) -> str:
    context = multiprocessing.get_context("fork")
    child = context.Process(target=_save_then_crash, args=(settings, "crashed", organiser_id))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    return "crashed"


def _state(settings: Settings, job_id: str) -> dict[str, object]:
    status: dict[str, object] = json.loads(
        (prints_dir(settings) / job_id / "status.json").read_text("utf-8")
    )
    return status


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


def _organiser(settings: Settings) -> tuple[int, str]:
    with (
        TestClient(create_app(settings)) as client,
        client.app.state.session_factory() as session,  # type: ignore[attr-defined]
    ):
        issued = create_organiser(session, email="printer@example.org")
    return issued.organiser_id, issued.key


def test_print_jobs_of_dead_processes_are_failed_at_start(
    database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(
        database_url, outbox_dir=tmp_path / "var" / "outbox", job_stale_seconds=30
    )
    organiser_id, key = _organiser(settings)
    now = dt.datetime.now(dt.UTC)
    dead = _dead_pid()
    jobs = {
        "crashed": _crashed_process_job(settings, organiser_id),
        "dead_here": _job(
            settings, "dead-here", organiser_id, owner=f"{HOSTNAME}@{dead}:aa", heartbeat=now
        ),
        "silent": _job(
            settings,
            "silent",
            organiser_id,
            owner="elsewhere@42:bb",
            heartbeat=now - dt.timedelta(hours=1),
            state="queued",
        ),
        "alive_elsewhere": _job(
            settings, "alive-elsewhere", organiser_id, owner="elsewhere@43:cc", heartbeat=now
        ),
        "alive_here": _job(
            settings,
            "alive-here",
            organiser_id,
            owner=f"{HOSTNAME}@{os.getppid()}:dd",
            heartbeat=now,
        ),
        "done": _job(
            settings,
            "done-before",
            organiser_id,
            owner=f"{HOSTNAME}@{dead}:ee",
            heartbeat=now,
            state="done",
        ),
    }
    with TestClient(create_app(settings)) as client:
        states = {name: _state(settings, job_id) for name, job_id in jobs.items()}
        for name in ("crashed", "dead_here", "silent"):
            assert states[name]["state"] == "failed", name
            assert states[name]["error_code"] == "interrupted", name
            assert states[name]["error"] == INTERRUPTED_PRINT
            assert states[name]["done"] == 3, name  # how far it got stays shown
        for name in ("alive_elsewhere", "alive_here"):
            assert states[name]["state"] == "running", name
        assert states["done"]["state"] == "done" and states["done"]["error_code"] == ""

        signed = client.post("/o/login", data={"api_key": key})
        assert signed.status_code == 200
        page = client.get("/o/prints/crashed")
        assert page.status_code == 200
        assert "échec" in page.text and "relancez l&#39;impression" in page.text
        progress = client.get("/o/prints/crashed/progress").json()
        assert progress["state"] == "failed" and progress["error_code"] == "interrupted"
        assert progress["error"] == INTERRUPTED_PRINT and "owner" not in progress
        assert client.get("/o/prints/crashed/file").status_code == 409
        english = client.get("/o/prints/crashed", params={"lang": "en"}).text
        assert "start the printing again" in english


def test_a_print_job_whose_process_dies_while_serving_is_failed_when_read(
    database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(database_url, outbox_dir=tmp_path / "var" / "outbox")
    organiser_id, key = _organiser(settings)
    with TestClient(create_app(settings)) as client:
        client.post("/o/login", data={"api_key": key})
        _crashed_process_job(settings, organiser_id)  # after the start-up: read, then failed
        assert _state(settings, "crashed")["state"] == "running"
        progress = client.get("/o/prints/crashed/progress").json()
        assert progress["state"] == "failed" and progress["error_code"] == "interrupted"
        assert _state(settings, "crashed")["state"] == "failed"


def test_an_unreadable_or_old_print_job_does_not_stop_the_start(
    database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(database_url, outbox_dir=tmp_path / "var" / "outbox")
    folder = prints_dir(settings) / "broken"
    folder.mkdir(parents=True)
    (folder / "status.json").write_text("{not json", "utf-8")
    old = PrintJob(
        id="before-owners",
        organiser_id=1,
        salon_id=1,
        version=1,
        kind="grid",
        language="fr",
        state="running",
        created_at="2023-11-28T10:00:00+00:00",
    )
    legacy = {k: v for k, v in asdict(old).items() if k not in ("owner", "heartbeat_at")}
    (prints_dir(settings) / "before-owners").mkdir()
    (prints_dir(settings) / "before-owners" / "status.json").write_text(json.dumps(legacy))
    with TestClient(create_app(settings)):
        assert _state(settings, "before-owners")["state"] == "failed"
    assert (folder / "status.json").read_text("utf-8") == "{not json"
