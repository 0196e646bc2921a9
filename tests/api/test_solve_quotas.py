"""Solve quotas: the longest time limit and the most workers an organiser may ask (422 naming the
field and the limit), and at most `solve_max_active` solves queued or running per organiser
(429 saying how many run), through the API, the organiser's pages and concurrent requests."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from service_helpers import make_salon, new_organiser, settings_for
from sqlalchemy import func, select, update

from api.app import create_app
from api.auth import CurrentOrganiser
from api.errors import DomainError
from api.salons import service
from api.salons.quotas import SolveQuotas
from api.salons.schemas import SolveCreate
from api.salons.tables import SolveJob
from api.timestamps import utc_now

QUOTAS = {"solve_max_time_limit": 30.0, "solve_max_workers": 2, "solve_max_active": 2}


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    """The app with small quotas: 30 s, 2 workers, 2 solves at once per organiser."""
    with TestClient(create_app(settings_for(database_url, **QUOTAS))) as test_client:
        yield test_client


def _solve(client: TestClient, headers: dict[str, str], salon_id: int, **body: object) -> dict:
    response = client.post(f"/salons/{salon_id}/solves", json=body, headers=headers)
    return {"status": response.status_code, **response.json()}


def _running(client: TestClient, salon_id: int) -> int:
    """A job left running by this server's runner (it stays so: its own, beating owner)."""
    now = utc_now()
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        job = SolveJob(
            salon_id=salon_id,
            state="running",
            cancel_requested=False,
            time_limit=10,
            workers=1,
            seed=0,
            phase="timetable",
            elapsed=1.0,
            message="",
            created_at=now,
            started_at=now,
            heartbeat_at=now,
            owner=client.app.state.runner.owner,  # type: ignore[attr-defined]
        )
        session.add(job)
        session.commit()
        return job.id


def _finish(client: TestClient, job_id: int) -> None:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        session.execute(update(SolveJob).where(SolveJob.id == job_id).values(state="done"))
        session.commit()


def _jobs(client: TestClient) -> int:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return int(session.scalar(select(func.count(SolveJob.id))) or 0)


def test_time_limit_and_workers_above_the_quota_are_refused(client: TestClient) -> None:
    organiser = new_organiser(client)
    salon_id, _, _ = make_salon(client, organiser)
    refused = _solve(client, organiser, salon_id, time_limit=31, workers=3)
    assert refused["status"] == 422
    detail = refused["detail"]
    assert detail["code"] == "solve_quota_exceeded"
    errors = {e["field"]: e["message"] for e in detail["errors"]}
    assert errors == {
        "body.time_limit": "Durée maximale (time_limit) : 30 s au plus par calcul "
        "(31 s demandées).",
        "body.workers": "Processus de calcul (workers) : 2 au plus par calcul (3 demandés).",
    }
    english = client.post(
        f"/salons/{salon_id}/solves",
        json={"time_limit": 45.5},
        headers={**organiser, "Accept-Language": "en"},
    ).json()["detail"]
    assert english["errors"] == [
        {
            "field": "body.time_limit",
            "message": "Time limit (time_limit): at most 30 s per solve (45.5 s asked).",
        }
    ]
    assert _jobs(client) == 0
    accepted = _solve(client, organiser, salon_id, time_limit=30, workers=2)
    assert accepted["status"] == 202 and accepted["time_limit"] == 30 and accepted["workers"] == 2


def test_at_most_n_active_solves_per_organiser(client: TestClient) -> None:
    organiser = new_organiser(client)
    salons = [make_salon(client, organiser, name=f"Salon {i}")[0] for i in range(3)]
    first = _running(client, salons[0])
    _running(client, salons[1])
    refused = _solve(client, organiser, salons[2], time_limit=1)
    assert refused["status"] == 429
    assert refused["detail"]["code"] == "too_many_solves"
    assert "déjà 2 calcul(s) en attente ou en cours, sur 2 permis" in refused["detail"]["message"]
    english = client.post(
        f"/salons/{salons[2]}/solves", json={}, headers={**organiser, "Accept-Language": "en"}
    )
    assert "You already have 2 solve(s) queued or running" in english.json()["detail"]["message"]
    other = new_organiser(client)
    other_salon, _, _ = make_salon(client, other)
    assert _solve(client, other, other_salon, time_limit=1)["status"] == 202
    same_salon = _solve(client, organiser, salons[0], time_limit=1)
    assert same_salon["status"] == 409  # that salon's own solve runs: the per-salon rule first
    _finish(client, first)
    assert _solve(client, organiser, salons[2], time_limit=1)["status"] == 202


def test_the_solve_form_shows_the_same_refusals(client: TestClient) -> None:
    organiser = new_organiser(client)
    salons = [make_salon(client, organiser, name=f"Salon {i}")[0] for i in range(3)]
    key = organiser["Authorization"].removeprefix("Bearer ")
    signed = client.post("/o/login", data={"api_key": key})
    dashboard = client.get(f"/o/salons/{salons[2]}").text
    assert 'name="time_limit" min="1" max="30"' in dashboard
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', signed.text)
    assert csrf
    form = f"/o/salons/{salons[2]}/solve"
    too_long = client.post(form, data={"csrf": csrf.group(1), "time_limit": "90"})
    assert too_long.status_code == 422
    assert "30 s au plus par calcul (90 s demandées)" in too_long.text
    for bad in ("abc", "nan", "-1", "0"):
        invalid = client.post(form, data={"csrf": csrf.group(1), "time_limit": bad})
        assert invalid.status_code == 422 and "Durée invalide" in invalid.text, bad
        assert "30 au plus" in invalid.text
    _running(client, salons[0])
    _running(client, salons[1])
    busy = client.post(form, data={"csrf": csrf.group(1), "time_limit": "5"})
    assert busy.status_code == 429
    assert "Vous avez déjà 2 calcul(s) en attente ou en cours" in busy.text
    assert "Traceback" not in busy.text
    assert _jobs(client) == 2


RACERS = 4


def test_concurrent_solves_of_one_organiser_keep_to_the_quota(client: TestClient) -> None:
    """Solves asked at the same moment for several salons: only `max_active` are queued."""
    organiser = new_organiser(client, "racer@example.org")
    salons = [make_salon(client, organiser, name=f"Salon {i}")[0] for i in range(RACERS)]
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        from api.organisers.storage import find_organiser_by_email

        found = find_organiser_by_email(session, email="racer@example.org")
        assert found is not None
        who = CurrentOrganiser(id=found.id, email=found.email, name="")
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []

    def ask(salon_id: int) -> None:
        with factory() as session:
            barrier.wait()
            try:
                service.start_solve(
                    session,
                    organiser=who,
                    salon_id=salon_id,
                    data=SolveCreate(time_limit=1),
                    default_time_limit=1,
                    default_workers=1,
                    submit=lambda _job_id: None,  # left queued: they count as active
                    quotas=SolveQuotas(max_time_limit=30, max_workers=2, max_active=1),
                )
                outcomes.append("queued")
            except DomainError as error:
                outcomes.append(error.code)

    threads = [threading.Thread(target=ask, args=(salon_id,)) for salon_id in salons]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["queued"] + ["too_many_solves"] * (RACERS - 1)
    assert _jobs(client) == 1


def test_the_solve_page_offers_no_more_time_than_the_quota(client: TestClient) -> None:
    organiser = new_organiser(client)
    salon_id, _, _ = make_salon(client, organiser)
    now = utc_now()
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        jobs = [
            SolveJob(
                salon_id=salon_id,
                state="failed",
                cancel_requested=False,
                time_limit=limit,
                workers=1,
                seed=0,
                phase="",
                elapsed=limit,
                message="",
                created_at=now,
                heartbeat_at=now,
                finished_at=now,
                error_code="no_schedule_in_time",
                error_message="Aucun planning trouvé dans le temps imparti.",
            )
            for limit in (20.0, 30.0)
        ]
        session.add_all(jobs)
        session.commit()
        ids = [job.id for job in jobs]
    key = organiser["Authorization"].removeprefix("Bearer ")
    client.post("/o/login", data={"api_key": key})
    shorter = client.get(f"/o/salons/{salon_id}/solves/{ids[0]}").text
    assert 'max="30" step="1" inputmode="numeric" value="30"' in shorter
    longest = client.get(f"/o/salons/{salon_id}/solves/{ids[1]}").text
    assert 'id="longest-solve"' in longest and "plus longue durée permise (30 s)" in longest
    assert "Relancer le calcul avec plus de temps" not in longest
