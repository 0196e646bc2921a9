"""Batch prints are jobs of the shared job runner (api.jobs), like solves: a row of `salon_jobs`
of kind `print`, run in slots of their own (a print never waits behind a solve), with the same
states, progress and cancel; the result is stored in the database and downloads."""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from service_helpers import World, new_organiser, settings_for, wait_for_job

from api.app import create_app
from api.pages import prints
from api.queue import storage as queue_storage
from api.salons import convert
from api.salons.tables import PrintJob
from api.solve_work import read_snapshot
from api.timestamps import utc_now
from examples.bench_print import generated_salon, greedy_schedule

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _sign_in(client: TestClient, headers: dict[str, str]) -> str:
    """Sign the organiser in on the pages; the form token of its pages."""
    key = headers["Authorization"].removeprefix("Bearer ")
    page = client.post("/o/login", data={"api_key": key, "next": "/o"})
    assert page.status_code == 200, page.text[:300]
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert found
    return found.group(1)


def _print(client: TestClient, token: str, salon_id: int, version: int, document: str) -> int:
    """Start a batch print from the schedule page's form; the print job's id."""
    answer = client.post(
        f"/o/salons/{salon_id}/schedules/{version}/prints",
        data={"csrf": token, "kind": document},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:300]
    return int(answer.headers["location"].removeprefix("/o/prints/"))


def _progress(client: TestClient, job_id: int) -> dict[str, Any]:
    answer = client.get(f"/o/prints/{job_id}/progress")
    assert answer.status_code == 200, answer.text[:300]
    progress: dict[str, Any] = answer.json()
    return progress


def _wait(check: Any, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def _wait_print(client: TestClient, job_id: int, timeout: float = 60.0) -> dict[str, Any]:
    return _wait(  # type: ignore[no-any-return]
        lambda: (p := _progress(client, job_id))["state"] not in ("queued", "running") and p,
        timeout,
    ) or _progress(client, job_id)


def _solved(world: World) -> int:
    """I1 asks D1 and D2, a solve runs; the schedule's version."""
    world.client.put(
        "/me/wishes", json={"wishes": [{"to": "D1"}, {"to": "D2"}]}, headers=world.me("I1")
    )
    job = world.client.post(world.url("/solves"), json={}, headers=world.organiser).json()
    done = wait_for_job(world.client, world.organiser, world.salon_id, job["id"])
    assert done["state"] == "done", done
    version: int = done["schedule_version"]
    return version


def _row(client: TestClient, job_id: int) -> PrintJob:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        job = session.get(PrintJob, job_id)
        assert job is not None
        return job


def test_a_print_runs_through_the_shared_runner_to_done_and_downloads(world: World) -> None:
    client = world.client
    version = _solved(world)
    token = _sign_in(client, world.organiser)
    job_id = _print(client, token, world.salon_id, version, "agendas-all")
    page = client.get(f"/o/prints/{job_id}").text
    assert f'data-poll="/o/prints/{job_id}/progress"' in page or "Télécharger le PDF" in page
    finished = _wait_print(client, job_id)
    assert finished["state"] == "done", finished
    assert finished["done"] == finished["total"] == 5 and finished["pages"] == 5
    assert finished["error"] == "" and finished["document"] == "agendas-all"
    row = _row(client, job_id)
    runner = client.app.state.runner  # type: ignore[attr-defined]
    assert (row.kind, row.owner, row.phase) == ("print", runner.owner, "done")
    assert row.started_at is not None and row.finished_at is not None
    assert row.heartbeat_at is not None and row.time_limit == 0
    # The result is in the database (any web process of any machine serves it), not on a disk.
    assert row.file_path == prints.IN_DATABASE
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        stored = queue_storage.print_file(session, job_id=job_id)
    assert stored is not None and stored.startswith(b"%PDF")
    download = client.get(f"/o/prints/{job_id}/file")
    assert download.status_code == 200 and download.headers["content-type"] == "application/pdf"
    assert download.content == stored
    assert f'filename="{row.filename}"' in download.headers["content-disposition"]
    assert len(PdfReader(io.BytesIO(download.content)).pages) == 5
    done_page = client.get(f"/o/prints/{job_id}").text
    assert "Télécharger le PDF" in done_page and "/cancel" not in done_page
    # A print is not a solve: the solves of the salon do not list it, nor answer its id.
    solves = client.get(world.url("/solves"), headers=world.organiser).json()
    assert solves["count"] == 1 and solves["data"][0]["id"] != job_id
    assert client.get(world.url(f"/solves/{job_id}"), headers=world.organiser).status_code == 404
    # Another organiser's print is not found, nor is an unknown one.
    _sign_in(client, world.other_organiser)
    assert client.get(f"/o/prints/{job_id}").status_code == 404
    assert client.get(f"/o/prints/{job_id}/file").status_code == 404
    assert client.get(f"/o/prints/{job_id + 1000}/progress").status_code == 404


def _agir() -> dict[str, Any]:
    path = EXAMPLES / "agir-2023.json"
    if not path.exists():
        pytest.skip(f"{path} is not generated (a long solve needs it)")
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def test_a_print_and_a_solve_at_once_both_finish(world: World) -> None:
    """With one solve slot and one print slot (the defaults), a print started during a long
    solve is done while the solve still runs; then the solve is done too."""
    client, organiser = world.client, world.organiser
    version = _solved(world)
    agir = client.post("/salons/import", json=_agir(), headers=organiser).json()["id"]
    solve = client.post(
        f"/salons/{agir}/solves", json={"time_limit": 12, "workers": 1}, headers=organiser
    ).json()
    solve_url = f"/salons/{agir}/solves/{solve['id']}"
    assert _wait(lambda: client.get(solve_url, headers=organiser).json()["state"] == "running")
    token = _sign_in(client, organiser)
    job_id = _print(client, token, world.salon_id, version, "agendas-all")
    assert _wait_print(client, job_id)["state"] == "done"
    assert client.get(solve_url, headers=organiser).json()["state"] == "running"
    solved = wait_for_job(client, organiser, agir, solve["id"], timeout=90)
    assert solved["state"] == "done" and solved["schedule_version"] == 1, solved


def _generated_salon(client: TestClient, organiser: dict[str, str], size: int) -> int:
    """A generated salon of `size` directors and 5 * `size` industrials, its schedule placed
    greedily (stored as version 1, as a solve stores one): a print of some length."""
    salon = generated_salon(directors=size, industrials=5 * size)
    salon_id: int = client.post(
        "/salons/import", json=salon.to_json_dict(), headers=organiser
    ).json()["id"]
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        snapshot = read_snapshot(session, salon_id=salon_id)
        session.rollback()
    assert snapshot is not None
    with factory() as session:
        convert.store_schedule(
            session,
            salon_id=salon_id,
            job_id=None,
            document=greedy_schedule(salon),
            participant_ids=snapshot.participant_ids,
            table_ids=snapshot.table_ids,
            now=utc_now(),
        )
        session.commit()
    return salon_id


def test_cancel_a_queued_print_and_a_running_one(database_url: str, tmp_path: Path) -> None:
    """With one print slot, a second print waits queued behind a long one: cancelled, it ends
    at once and never runs; the long one, cancelled while it runs, stops before its end."""
    settings = settings_for(
        database_url, outbox_dir=tmp_path / "var" / "outbox", print_concurrency=1
    )
    with TestClient(create_app(settings)) as client:
        organiser = new_organiser(client)
        salon_id = _generated_salon(client, organiser, size=20)
        token = _sign_in(client, organiser)
        long = _print(client, token, salon_id, 1, "agendas-all")
        queued = _print(client, token, salon_id, 1, "grid")
        assert _wait(lambda: _progress(client, long)["state"] == "running")
        assert _progress(client, queued)["state"] == "queued"
        page = client.get(f"/o/prints/{queued}").text
        assert f'action="/o/prints/{queued}/cancel"' in page and "Arrêter l'impression" in page
        cancelled = client.post(
            f"/o/prints/{queued}/cancel", data={"csrf": token}, follow_redirects=False
        )
        assert cancelled.status_code == 303
        assert cancelled.headers["location"] == f"/o/prints/{queued}"
        now = _progress(client, queued)
        assert now["state"] == "cancelled" and now["cancel_requested"] is True
        assert "annulé" in client.get(f"/o/prints/{queued}").text
        again = client.post(f"/o/prints/{queued}/cancel", data={"csrf": token})
        assert again.status_code == 409
        assert _wait(lambda: _progress(client, long)["total"] == 120)  # laying out
        client.post(f"/o/prints/{long}/cancel", data={"csrf": token}, follow_redirects=False)
        stopped = _wait_print(client, long, timeout=60)
        assert stopped["state"] == "cancelled", stopped
        assert stopped["total"] == 120 and stopped["done"] < 120
        assert _progress(client, queued)["state"] == "cancelled"
        for job_id in (long, queued):
            assert client.get(f"/o/prints/{job_id}/file").status_code == 409
            assert _row(client, job_id).file_path is None
        # The slot is free again: the next print runs to its end.
        grid = _print(client, token, salon_id, 1, "grid")
        assert _wait_print(client, grid)["state"] == "done"
