"""Solve jobs: background runs, live progress, one at a time, cancel, snapshots, restarts."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from service_helpers import (
    World,
    crowded_salon,
    new_organiser,
    running_server,
    settings_for,
    solve_processes,
    wait_for_job,
)

from api.app import create_app
from api.jobs import HOSTNAME
from api.salons.service.solves import job_error_text
from api.salons.tables import SolveJob
from api.timestamps import utc_now

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def agir() -> dict[str, Any]:
    path = EXAMPLES / "agir-2023.json"
    if not path.exists():
        pytest.skip(f"{path} is not generated (a long solve needs it)")
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def wait_until(check: Any, timeout: float = 60.0, step: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


def test_solve_job_lifecycle(world: World) -> None:
    client, organiser = world.client, world.organiser
    client.put("/me/wishes", json={"wishes": [{"to": "D1"}, {"to": "D2"}]}, headers=world.me("I1"))
    started = client.post(
        world.url("/solves"), json={"time_limit": 2, "workers": 1}, headers=organiser
    )
    assert started.status_code == 202
    job = started.json()
    assert job["state"] in ("queued", "running")
    assert started.headers["location"].endswith(world.url(f"/solves/{job['id']}"))
    done = wait_for_job(client, organiser, world.salon_id, job["id"])
    assert done["state"] == "done", done
    assert done["phase"] == "done" and done["schedule_version"] == 1
    assert done["values"]["coverage"] >= 1 and "coverage" in done["bounds"]
    assert done["wish_count"] == 2 and done["participant_count"] == 5
    assert done["started_at"] and done["finished_at"]
    listed = client.get(world.url("/solves"), headers=organiser).json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == job["id"]
    schedules = client.get(world.url("/schedules"), headers=organiser).json()
    assert schedules["data"][0]["state"] == "preliminary"
    assert schedules["data"][0]["meeting_count"] == 2
    exported = client.get(world.url("/schedules/1/export"), headers=organiser).json()
    assert exported["format"] == "schedule/v1" and len(exported["meetings"]) == 2
    finished = client.delete(world.url(f"/solves/{job['id']}"), headers=organiser)
    assert finished.status_code == 409 and finished.json()["detail"]["code"] == "job_finished"


def test_infeasible_solve_fails_with_the_clashing_requirements(world: World) -> None:
    client, organiser = world.client, world.organiser
    for asker in ("I1", "I2"):
        body = {"from": asker, "to": "D1", "required": True, "pinned": "2023-11-28T09:00:00"}
        assert client.post(world.url("/wishes"), json=body, headers=organiser).status_code == 201
    job = client.post(
        world.url("/solves"), json={"time_limit": 2, "workers": 1}, headers=organiser
    ).json()
    failed = wait_for_job(client, organiser, world.salon_id, job["id"])
    assert failed["state"] == "failed"
    assert failed["error"]["code"] == "infeasible"
    assert failed["error"]["clashes"], failed
    assert all(c["rule"] == "required_meeting" for c in failed["error"]["clashes"])
    assert client.get(world.url("/schedules"), headers=organiser).json()["count"] == 0
    # French first (the core's French wording), English when the request asks for it
    assert failed["error"]["message"].startswith("Les règles impératives")
    french = [c["message"] for c in failed["error"]["clashes"]]
    assert all(m.startswith("le rendez-vous obligatoire I") for m in french), french
    english = client.get(
        world.url(f"/solves/{job['id']}"), headers={**organiser, "Accept-Language": "en"}
    ).json()["error"]
    assert english["message"].startswith("The hard rules (required or pinned meetings, caps)")
    assert all(c["message"].startswith("the required meeting I") for c in english["clashes"])
    assert len(english["clashes"]) == len(french)
    listed = client.get(world.url("/solves?lang=en"), headers=organiser).json()["data"][0]
    assert listed["error"] == english


def test_no_schedule_in_time_fails_as_not_proven_impossible(client: TestClient) -> None:
    """A salon too big for a 1 ms solve: the job fails with `no_schedule_in_time`, says in French
    (English on request) that nothing is proven and that more time may find a schedule; no
    clashes, no schedule, and never the wording of an impossible salon."""
    organiser = new_organiser(client)
    imported = client.post("/salons/import", json=crowded_salon(), headers=organiser)
    assert imported.status_code == 201, imported.text
    salon_id = imported.json()["id"]
    job = client.post(
        f"/salons/{salon_id}/solves", json={"time_limit": 0.001, "workers": 1}, headers=organiser
    ).json()
    failed = wait_for_job(client, organiser, salon_id, job["id"])
    assert failed["state"] == "failed", failed
    assert failed["error"] == {
        "code": "no_schedule_in_time",
        "message": "Aucun planning trouvé dans le temps imparti. Le salon n'est pas prouvé "
        "impossible : relancez le calcul avec une durée maximale plus longue.",
        "clashes": [],
    }
    assert failed["schedule_version"] is None and failed["time_limit"] == 0.001
    assert client.get(f"/salons/{salon_id}/schedules", headers=organiser).json()["count"] == 0
    english = client.get(
        f"/salons/{salon_id}/solves/{job['id']}", headers={**organiser, "Accept-Language": "en"}
    ).json()["error"]
    assert english["message"] == (
        "No schedule was found within the time limit. The salon is not proven impossible: run "
        "the solve again with a longer time limit."
    )
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        row = session.get(SolveJob, job["id"])
        assert row is not None and (row.state, row.error_code) == ("failed", "no_schedule_in_time")


def test_job_errors_in_the_request_language() -> None:
    """Stored French, shown in English on request; a technical detail is kept as it is."""
    assert job_error_text("Le salon a été supprimé.", "fr") == "Le salon a été supprimé."
    assert job_error_text("Le salon a été supprimé.", "en") == "The salon was deleted."
    failed = "Le calcul a échoué : ValueError: x : y"
    assert job_error_text(failed, "fr") == failed
    assert job_error_text(failed, "en") == "The solve failed: ValueError: x : y"
    assert job_error_text("Erreur interne : KeyError: 'a'", "en") == "Internal error: KeyError: 'a'"
    assert job_error_text("Texte inconnu : {x}", "en") == "Texte inconnu : {x}"


def test_wishes_made_after_a_schedule_are_shown_late(world: World) -> None:
    """A wish made after the solve is listed under the schedule with the core's late reason."""
    client, organiser = world.client, world.organiser
    client.put("/me/wishes", json={"wishes": [{"to": "D1"}]}, headers=world.me("I1"))
    job = client.post(
        world.url("/solves"), json={"time_limit": 1, "workers": 1}, headers=organiser
    ).json()
    assert wait_for_job(client, organiser, world.salon_id, job["id"])["state"] == "done"
    before = client.get(world.url("/schedules/1"), headers=organiser).json()
    assert before["unscheduled"] == [] and before["unscheduled_count"] == 0
    # Later: I1 also asks D2, D1 asks I1 back (its pair already meets), I2 asks D2 and D2
    # declines it.
    client.put("/me/wishes", json={"wishes": [{"to": "D1"}, {"to": "D2"}]}, headers=world.me("I1"))
    client.put("/me/wishes", json={"wishes": [{"to": "I1"}]}, headers=world.me("D1"))
    client.put("/me/wishes", json={"wishes": [{"to": "D2"}]}, headers=world.me("I2"))
    [request] = client.get("/me/requests", headers=world.me("D2")).json()["data"][-1:]
    declined = client.put(
        f"/me/requests/{request['id']}", json={"decision": "declined"}, headers=world.me("D2")
    )
    assert declined.status_code == 200, declined.text
    after = client.get(world.url("/schedules/1"), headers=organiser).json()
    reasons = {(u["from"], u["to"]): u for u in after["unscheduled"]}
    assert set(reasons) == {("I1", "D2"), ("I2", "D2")}, reasons
    late = reasons["I1", "D2"]
    assert late["reason"] == "wish_window_closed"
    assert "I1" in late["detail"] and "arrivée après la clôture" in late["detail"]
    assert "came after the wish window closed" in late["detail_en"]
    assert reasons["I2", "D2"]["reason"] == "declined_never_scheduled"
    assert after["unscheduled_count"] == 2 and len(after["meetings"]) == 1
    # The stored version is unchanged: its export is what the solve produced.
    exported = client.get(world.url("/schedules/1/export"), headers=organiser).json()
    assert exported["unscheduled"] == []


def test_publishing_keeps_history(world: World) -> None:
    client, organiser = world.client, world.organiser
    client.put("/me/wishes", json={"wishes": [{"to": "D1"}]}, headers=world.me("I1"))
    first = client.post(
        world.url("/solves"), json={"time_limit": 1, "workers": 1}, headers=organiser
    ).json()
    assert wait_for_job(client, organiser, world.salon_id, first["id"])["state"] == "done"
    client.post(world.url("/schedules/1/publish"), headers=organiser)
    client.put("/me/wishes", json={"wishes": [{"to": "D1"}, {"to": "D2"}]}, headers=world.me("I1"))
    second = client.post(
        world.url("/solves"), json={"time_limit": 1, "workers": 1}, headers=organiser
    ).json()
    assert wait_for_job(client, organiser, world.salon_id, second["id"])["state"] == "done"
    # Version 2 is preliminary: participants still see version 1.
    agenda = client.get("/me/agenda", headers=world.me("I1")).json()
    assert agenda["version"] == 1 and len(agenda["meetings"]) == 1
    published = client.post(world.url("/schedules/2/publish"), headers=organiser).json()
    assert published["current"] is True
    agenda = client.get("/me/agenda", headers=world.me("I1")).json()
    assert agenda["version"] == 2 and len(agenda["meetings"]) == 2
    versions = client.get(world.url("/schedules"), headers=organiser).json()["data"]
    assert [(v["version"], v["state"], v["current"]) for v in versions] == [
        (2, "published", True),
        (1, "published", False),
    ]
    old = client.get(world.url("/schedules/1"), headers=organiser).json()
    assert len(old["meetings"]) == 1
    # A scheduled participant cannot be deleted: the history would lose it.
    refused = client.delete(world.url(f"/participants/{world.ids['I1']}"), headers=organiser)
    assert refused.status_code == 409
    assert refused.json()["detail"]["code"] == "participant_in_schedule"
    salon = client.get(world.url(), headers=organiser).json()
    assert salon["published_version"] == 2


def _import_agir(client: TestClient, organiser: dict[str, str]) -> int:
    response = client.post("/salons/import", json=agir(), headers=organiser)
    assert response.status_code == 201, response.text
    salon_id: int = response.json()["id"]
    return salon_id


def test_long_solve_api_stays_responsive_one_at_a_time_snapshot_and_cancel(
    client: TestClient,
) -> None:
    organiser = new_organiser(client)
    salon_id = _import_agir(client, organiser)
    url = f"/salons/{salon_id}"
    client.post(f"{url}/wish-window/open", headers=organiser)
    started = client.post(
        f"{url}/solves", json={"time_limit": 60, "workers": 1}, headers=organiser
    ).json()
    job_url = f"{url}/solves/{started['id']}"
    running = wait_until(
        lambda: (
            (j := client.get(job_url, headers=organiser).json())["state"] == "running"
            and j["wish_count"] is not None
            and j
        )
    )
    assert running, client.get(job_url, headers=organiser).json()
    # Only one running solve per salon.
    second = client.post(f"{url}/solves", json={}, headers=organiser)
    assert second.status_code == 409 and second.json()["detail"]["code"] == "solve_running"
    deleted = client.delete(url, headers=organiser)
    assert deleted.status_code == 409 and deleted.json()["detail"]["code"] == "solve_running"
    # Live progress: the elapsed time grows while the solve runs.
    first_elapsed = client.get(job_url, headers=organiser).json()["elapsed"]
    time.sleep(0.5)
    assert client.get(job_url, headers=organiser).json()["elapsed"] > first_elapsed
    # The API answers quickly while the solve runs.
    slowest = 0.0
    for _ in range(15):
        begin = time.monotonic()
        assert client.get(f"{url}/participants?limit=5", headers=organiser).status_code == 200
        slowest = max(slowest, time.monotonic() - begin)
    assert slowest < 2.0, f"a request took {slowest:.2f} s during the solve"
    # A wish submitted now is stored, but not in this solve's snapshot.
    link = client.post(
        f"{url}/participants/{_participant_id(client, organiser, salon_id, 'I001')}/links",
        json={},
        headers=organiser,
    ).json()
    mine = client.get("/me/wishes", headers={"X-Participant-Token": link["token"]}).json()
    targets = [w["to"] for w in mine["data"]]
    new_target = next(f"D{i:02d}" for i in range(1, 71) if f"D{i:02d}" not in targets)
    body = {"wishes": [{"to": t} for t in [*targets, new_target]]}
    submitted = client.put("/me/wishes", json=body, headers={"X-Participant-Token": link["token"]})
    assert submitted.status_code == 200, submitted.text
    job = client.get(job_url, headers=organiser).json()
    assert job["state"] == "running"
    assert job["wish_count"] == len(agir()["wishes"])
    assert job["phase"] in ("starting", "selection", "timetable", "exact")
    # Cancel: the job ends as cancelled within seconds, its process is gone.
    cancelled = client.delete(job_url, headers=organiser)
    assert cancelled.status_code == 202 and cancelled.json()["cancel_requested"] is True
    final = wait_for_job(client, organiser, salon_id, started["id"], timeout=20)
    assert final["state"] == "cancelled", final
    assert client.get(f"{url}/schedules", headers=organiser).json()["count"] == 0
    # The next solve reads the new wish.
    total = client.get(f"{url}/wishes?limit=1", headers=organiser).json()["count"]
    assert total == len(agir()["wishes"]) + 1
    again = client.post(
        f"{url}/solves", json={"time_limit": 60, "workers": 1}, headers=organiser
    ).json()
    snap = wait_until(
        lambda: (
            (j := client.get(f"{url}/solves/{again['id']}", headers=organiser).json())["wish_count"]
            is not None
            and j
        )
    )
    assert snap["wish_count"] == total
    client.delete(f"{url}/solves/{again['id']}", headers=organiser)
    assert wait_for_job(client, organiser, salon_id, again["id"], timeout=20)["state"] == (
        "cancelled"
    )


def _participant_id(client: TestClient, organiser: dict[str, str], salon_id: int, code: str) -> int:
    page = client.get(f"/salons/{salon_id}/participants?limit=500", headers=organiser).json()
    return int(next(p["id"] for p in page["data"] if p["code"] == code))


def test_cancel_a_queued_job(database_url: str) -> None:
    """With one solve slot, a second salon's job waits queued and is cancelled at once."""
    app = create_app(settings_for(database_url, solve_concurrency=1))
    with TestClient(app) as client:
        organiser = new_organiser(client)
        first = _import_agir(client, organiser)
        second = client.post(
            "/salons/import", json={**agir(), "name": "Copie"}, headers=organiser
        ).json()["id"]
        long_job = client.post(
            f"/salons/{first}/solves", json={"time_limit": 60, "workers": 1}, headers=organiser
        ).json()
        queued = client.post(
            f"/salons/{second}/solves", json={"time_limit": 1}, headers=organiser
        ).json()
        assert (
            client.get(f"/salons/{second}/solves/{queued['id']}", headers=organiser).json()["state"]
            == "queued"
        )
        cancelled = client.delete(f"/salons/{second}/solves/{queued['id']}", headers=organiser)
        assert cancelled.json()["state"] == "cancelled"
        client.delete(f"/salons/{first}/solves/{long_job['id']}", headers=organiser)
        assert wait_for_job(client, organiser, first, long_job["id"])["state"] == "cancelled"


# -------------------------------------------------------------------- restarts


def _insert_job(
    app: Any, salon_id: int, owner: str, heartbeat: dt.datetime, state: str = "running"
) -> int:
    with app.state.session_factory() as session:
        job = SolveJob(
            salon_id=salon_id,
            state=state,
            cancel_requested=False,
            time_limit=60,
            workers=1,
            seed=0,
            phase="timetable",
            elapsed=3.0,
            message="",
            created_at=heartbeat,
            started_at=heartbeat,
            heartbeat_at=heartbeat,
            owner=owner,
        )
        session.add(job)
        session.commit()
        return job.id


def test_restart_fails_the_jobs_of_dead_processes(database_url: str) -> None:
    settings = settings_for(database_url, job_stale_seconds=30)
    first = create_app(settings)
    with TestClient(first) as client:
        organiser = new_organiser(client)
        salons = [
            client.post(
                "/salons",
                json={
                    "name": f"S{i}",
                    "sessions": [{"date": "2023-11-28", "start": "09:00", "end": "10:00"}],
                },
                headers=organiser,
            ).json()["id"]
            for i in range(4)
        ]
    now = utc_now()
    dead_pid = _dead_pid()
    jobs = {
        # This host, a process that no longer exists: failed at once.
        "dead_here": _insert_job(first, salons[0], f"{HOSTNAME}@{dead_pid}:aa", now),
        # Another host, silent for an hour: failed.
        "silent": _insert_job(
            first, salons[1], "elsewhere@42:bb", now - dt.timedelta(hours=1), state="queued"
        ),
        # Another host, alive a moment ago: left alone.
        "alive_elsewhere": _insert_job(first, salons[2], "elsewhere@43:cc", now),
        # This host, a live process (pytest's parent): left alone.
        "alive_here": _insert_job(first, salons[3], f"{HOSTNAME}@{os.getppid()}:dd", now),
    }
    second = create_app(settings)
    with TestClient(second) as client:
        states = {
            name: client.get(f"/salons/{salons[i]}/solves/{job_id}", headers=organiser).json()
            for i, (name, job_id) in enumerate(jobs.items())
        }
    assert states["dead_here"]["state"] == "failed"
    assert states["dead_here"]["error"]["code"] == "interrupted"
    assert "relancez" in states["dead_here"]["error"]["message"]
    assert states["silent"]["state"] == "failed"
    assert states["alive_elsewhere"]["state"] == "running"
    assert states["alive_here"]["state"] == "running"


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


def test_crashed_server_job_is_failed_on_restart(database_url: str, tmp_path: Path) -> None:
    """A real server is killed mid-solve; restarted, it marks the job failed at once."""
    marker = f"SALON_TEST_MARKER={tmp_path.name}"
    env = {"SALON_TEST_MARKER": tmp_path.name}
    from service_helpers import make_salon  # noqa: F401  (documents the world used elsewhere)

    with running_server(database_url, **env) as server:
        headers = _server_organiser(database_url)
        created = httpx.post(
            f"{server.base_url}/salons/import", json=agir(), headers=headers, timeout=60
        )
        salon_id = created.json()["id"]
        job = httpx.post(
            f"{server.base_url}/salons/{salon_id}/solves",
            json={"time_limit": 60, "workers": 1},
            headers=headers,
        ).json()
        job_url = f"{server.base_url}/salons/{salon_id}/solves/{job['id']}"
        assert wait_until(lambda: httpx.get(job_url, headers=headers).json()["state"] == "running")
        assert wait_until(lambda: solve_processes(marker.split("=")[1]), timeout=20)
        server.kill()
    # The orphaned solve process notices and ends (no CPU left burning).
    assert wait_until(lambda: not solve_processes(tmp_path.name), timeout=20)
    with running_server(database_url) as server:
        job_url = f"{server.base_url}/salons/{salon_id}/solves/{job['id']}"
        after = httpx.get(job_url, headers=headers).json()
    assert after["state"] == "failed", after
    assert after["error"]["code"] == "interrupted"


def _server_organiser(database_url: str) -> dict[str, str]:
    from api.db import make_engine, make_session_factory
    from api.organisers.service import create_organiser

    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            issued = create_organiser(session, email=f"srv-{time.monotonic_ns()}@example.org")
    finally:
        engine.dispose()
    return {"Authorization": f"Bearer {issued.key}"}


def test_cancel_asked_through_another_server_worker(client: TestClient) -> None:
    """A DELETE that reached another worker only sets the flag: the owner's monitor obeys it."""
    from api.salons import storage

    organiser = new_organiser(client)
    salon_id = _import_agir(client, organiser)
    job = client.post(
        f"/salons/{salon_id}/solves", json={"time_limit": 60, "workers": 1}, headers=organiser
    ).json()
    job_url = f"/salons/{salon_id}/solves/{job['id']}"
    assert wait_until(lambda: client.get(job_url, headers=organiser).json()["state"] == "running")
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        storage.update_job(session, job_id=job["id"], cancel_requested=True)
        session.commit()
    final = wait_for_job(client, organiser, salon_id, job["id"], timeout=20)
    assert final["state"] == "cancelled", final
