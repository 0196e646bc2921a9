"""The embedded mode (no other process) on SQLite and PostgreSQL: the same queue rules as with
workers, kept by the server's own runner (api.jobs):

- fair sharing: an organiser runs at most `solve_max_running` solves at once, even with free
  slots; its next solve waits (its place shown in the API and on its solve page) while another
  organiser's passes;
- priorities: with one slot, a solve of a salon on its day passes a rehearsal solve queued
  before it, and the queue's places say so;
- each job's runs are recorded (one run each here), with its queue, priority and fair-share
  lock (what a worker would fetch it by).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from queue_helpers import SMALL, medium_salon
from service_helpers import new_organiser, settings_for, wait_for_job

from api.app import create_app
from api.queue import storage as queue_storage
from api.timestamps import local_now


def _app(database_url: str, **overrides: Any) -> TestClient:
    values = {"solve_max_active": 10, **overrides}
    return TestClient(create_app(settings_for(database_url, **values)))


def _import(client: TestClient, headers: dict[str, str], document: dict[str, Any]) -> int:
    response = client.post("/salons/import", json=document, headers=headers)
    assert response.status_code == 201, response.text
    salon_id: int = response.json()["id"]
    return salon_id


def _solve(client: TestClient, headers: dict[str, str], salon_id: int, seconds: float) -> int:
    response = client.post(
        f"/salons/{salon_id}/solves", json={"time_limit": seconds}, headers=headers
    )
    assert response.status_code == 202, response.text
    job_id: int = response.json()["id"]
    return job_id


def _job(client: TestClient, headers: dict[str, str], salon_id: int, job_id: int) -> Any:
    return client.get(f"/salons/{salon_id}/solves/{job_id}", headers=headers).json()


def _running(client: TestClient, headers: dict[str, str], salon_id: int, job_id: int) -> None:
    deadline = time.monotonic() + 30
    while _job(client, headers, salon_id, job_id)["state"] == "queued":
        assert time.monotonic() < deadline
        time.sleep(0.05)


@pytest.fixture
def fair(database_url: str) -> Iterator[TestClient]:
    """Two solve slots, one running solve per organiser."""
    with _app(database_url, solve_concurrency=2, solve_max_running=1) as client:
        yield client


def test_an_organiser_runs_its_share_and_another_passes(fair: TestClient) -> None:
    ada, bob = new_organiser(fair), new_organiser(fair)
    long_salon = _import(fair, ada, medium_salon())
    ada_next = _import(fair, ada, SMALL)
    bob_salon = _import(fair, bob, SMALL)
    # 8 s: Bob's 2-second solve, with its process's start, ends well before it even when the
    # machine is loaded (with 4 s it sometimes did not, and the "running" below failed).
    first = _solve(fair, ada, long_salon, 8)
    _running(fair, ada, long_salon, first)
    second = _solve(fair, ada, ada_next, 2)
    other = _solve(fair, bob, bob_salon, 2)
    bob_done = wait_for_job(fair, bob, bob_salon, other)
    waiting = _job(fair, ada, ada_next, second)
    assert bob_done["state"] == "done"
    assert _job(fair, ada, long_salon, first)["state"] == "running"
    assert waiting["state"] == "queued" and waiting["queue_position"] == 1, waiting
    key = ada["Authorization"].removeprefix("Bearer ")
    assert fair.post("/o/login", data={"api_key": key, "next": "/o"}).status_code == 200
    page = fair.get(f"/o/salons/{ada_next}/solves/{second}").text
    assert "Place dans la file d'attente : 1 (1 : le prochain calcul à démarrer)." in page
    first_done = wait_for_job(fair, ada, long_salon, first)
    second_done = wait_for_job(fair, ada, ada_next, second)
    assert (first_done["state"], second_done["state"]) == ("done", "done")
    assert second_done["started_at"] >= first_done["finished_at"]
    assert second_done["queue_position"] is None
    with fair.app.state.session_factory() as session:  # type: ignore[attr-defined]
        for job_id in (first, second, other):
            runs = queue_storage.job_runs(session, job_id=job_id)
            assert [run.outcome for run in runs] == ["done"]


def test_a_salon_on_its_day_passes_a_rehearsal(database_url: str) -> None:
    with _app(database_url, solve_concurrency=1) as client:
        ada = new_organiser(client)
        today = local_now("Europe/Paris").date().isoformat()
        on_the_day = {
            **SMALL,
            "name": "Le jour même",
            "sessions": [{**s, "date": today} for s in SMALL["sessions"]],
        }
        blocking = _import(client, ada, medium_salon())
        rehearsal = _import(client, ada, {**SMALL, "name": "Répétition"})
        day = _import(client, ada, on_the_day)
        first = _solve(client, ada, blocking, 3)
        _running(client, ada, blocking, first)
        early = _solve(client, ada, rehearsal, 2)
        late = _solve(client, ada, day, 2)
        assert _job(client, ada, day, late)["queue_position"] == 1
        assert _job(client, ada, rehearsal, early)["queue_position"] == 2
        done = {
            salon: wait_for_job(client, ada, salon, job)
            for salon, job in ((blocking, first), (rehearsal, early), (day, late))
        }
        with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
            entries = [queue_storage.find_entry(session, job_id=j) for j in (first, early, late)]
    assert {job["state"] for job in done.values()} == {"done"}
    assert done[day]["started_at"] < done[rehearsal]["started_at"]
    # Priorities and fair-share locks as a worker would fetch them (solve_max_running = 2: the
    # least used of the organiser's two locks).
    assert [(e.queue, e.priority) for e in entries if e] == [
        ("solves", 0),
        ("solves", 0),
        ("solves", 100),
    ]
    organiser = entries[0].organiser_id if entries[0] else None
    assert [e.lock for e in entries if e] == [
        f"organiser-{organiser}-0",
        f"organiser-{organiser}-1",
        f"organiser-{organiser}-0",
    ]
