"""The organiser's pages: sign-in, import, dashboard, solve, schedule, publish, documents."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from pathlib import Path

import openpyxl
from documents_helpers import salon_data
from fastapi.testclient import TestClient
from pages_helpers import csrf_of, sign_in, wait_print, wishes_and_solve
from pypdf import PdfReader
from service_helpers import (
    World,
    crowded_salon,
    make_salon,
    new_organiser,
    settings_for,
    wait_for_job,
)

from api.app import create_app
from api.pages import prints
from api.salons.tables import PrintJob
from api.timestamps import utc_now


def test_pages_need_a_sign_in_and_refuse_a_bad_key(world: World) -> None:
    client = world.client
    response = client.get(f"/o/salons/{world.salon_id}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/o/login")
    refused = client.post("/o/login", data={"api_key": "salon_nope"})
    assert refused.status_code == 401 and "Clé d&#39;API inconnue ou révoquée." in refused.text
    assert '<label for="api_key">' in client.get("/o/login").text


def test_another_organisers_salon_is_not_found(world: World) -> None:
    sign_in(world.client, world.organiser)
    assert world.client.get(f"/o/salons/{world.other_salon_id}").status_code == 404


def test_import_a_salon_file_and_see_its_dashboard(world: World) -> None:
    client = world.client
    token = sign_in(client, world.organiser)
    data = json.dumps(salon_data(), ensure_ascii=False).encode()
    response = client.post(
        "/o/import", data={"csrf": token}, files={"file": ("salon.json", data, "application/json")}
    )
    assert response.status_code == 200, response.text[:500]
    page = response.text
    assert "Salon importé." in page and "Salon test &amp; démo" in page
    assert "Demandes reçues par les Directeurs de programme" in page
    assert 'id="loads"' in page and "Anne Directrice" in page


def test_import_of_a_bad_file_lists_its_problems(world: World) -> None:
    client = world.client
    token = sign_in(client, world.organiser)
    bad = salon_data()
    bad["wishes"].append({"from": "i1", "to": "ghost"})
    response = client.post(
        "/o/import",
        data={"csrf": token},
        files={"file": ("s.json", json.dumps(bad).encode(), "application/json")},
    )
    assert response.status_code == 422
    assert "$.wishes[6].to" in response.text and "Traceback" not in response.text


def test_dashboard_highlights_over_requested_directors_and_shows_bounds(world: World) -> None:
    client = world.client
    sign_in(client, world.organiser)
    client.patch(
        world.url(),
        json={"sessions": [{"date": "2023-11-28", "start": "09:00", "end": "09:30"}]},
        headers=world.organiser,
    )
    for code in ("I1", "I2", "I3"):
        client.put("/me/wishes", json={"wishes": [{"to": "D1"}]}, headers=world.me(code))
    page = client.get(f"/o/salons/{world.salon_id}").text
    row = page[page.index('id="loads"') :]
    assert '<tr class="over"><th scope="row">Nom D1' in row and "trop demandé" in row
    with_bounds = client.get(f"/o/salons/{world.salon_id}", params={"bounds": 1}).text
    assert "Bornes (relaxation)" in with_bounds and "rendez-vous ≤ 2" in with_bounds


def test_labels_of_the_two_sides(world: World) -> None:
    client = world.client
    token = sign_in(client, world.organiser)
    client.post(
        f"/o/salons/{world.salon_id}/labels",
        data={"csrf": token, "director": "Acheteurs", "industrial": "Fournisseurs"},
    )
    page = client.get(f"/o/salons/{world.salon_id}").text
    assert "Demandes reçues par les Acheteurs" in page
    assert "Fournisseurs" in client.get(f"/p/{world.tokens['I1']}").text


def test_solve_publish_and_download_every_document(world: World) -> None:
    client = world.client
    token = sign_in(client, world.organiser)
    for code in ("I1", "I2"):
        client.put(
            "/me/wishes", json={"wishes": [{"to": "D1"}, {"to": "D2"}]}, headers=world.me(code)
        )
    started = client.post(
        f"/o/salons/{world.salon_id}/solve",
        data={"csrf": token, "time_limit": "5"},
        follow_redirects=False,
    )
    assert started.status_code == 303
    job_id = int(started.headers["location"].rsplit("/", 1)[1])
    progress_page = client.get(started.headers["location"]).text
    assert 'data-poll="' in progress_page or "Voir le planning" in progress_page
    job = wait_for_job(client, world.organiser, world.salon_id, job_id)
    assert job["state"] == "done"
    done_page = client.get(started.headers["location"]).text
    version = job["schedule_version"]
    assert f"/o/salons/{world.salon_id}/schedules/{version}" in done_page
    schedule_page = client.get(f"/o/salons/{world.salon_id}/schedules/{version}").text
    assert 'id="objectives"' in schedule_page and "coverage" in schedule_page
    assert "Version provisoire" in schedule_page
    published = client.post(
        f"/o/salons/{world.salon_id}/schedules/{version}/publish", data={"csrf": token}
    ).text
    assert "Planning publié" in published
    base = f"/o/salons/{world.salon_id}/schedules/{version}"
    xlsx = openpyxl.load_workbook(io.BytesIO(client.get(f"{base}/meetings.xlsx").content))
    assert xlsx["Rendez-vous"].max_row == 1 + 4
    assert client.get(f"{base}/meetings.csv").text.startswith("\ufeffDate;")
    assert "Nom D1" in client.get(f"{base}/agendas/D1").text
    for kind, pages in (
        ("agendas-director", 2),
        ("agendas-industrial", 3),
        ("tables", 3),
        ("grid", 2),
    ):
        response = client.post(
            f"{base}/prints", data={"csrf": token, "kind": kind}, follow_redirects=False
        )
        assert response.status_code == 303
        job_path = response.headers["location"]
        finished = wait_print(client, job_path)
        assert finished["state"] == "done" and finished["done"] == finished["total"] > 0
        assert "Télécharger le PDF" in client.get(job_path).text
        pdf = client.get(f"{job_path}/file")
        assert pdf.headers["content-type"] == "application/pdf"
        assert len(PdfReader(io.BytesIO(pdf.content)).pages) == pages


def test_solve_page_of_no_schedule_in_time_offers_more_time(world: World) -> None:
    """A solve of 1 ms on a crowded salon finds nothing: the page says that the salon is not
    proven impossible (French, English on request) and offers to solve again with more time."""
    client = world.client
    token = sign_in(client, world.organiser)
    imported = client.post("/salons/import", json=crowded_salon(), headers=world.organiser)
    assert imported.status_code == 201, imported.text
    salon_id = imported.json()["id"]
    started = client.post(
        f"/o/salons/{salon_id}/solve",
        data={"csrf": token, "time_limit": "0.001"},
        follow_redirects=False,
    )
    assert started.status_code == 303
    page_path = started.headers["location"]
    job_id = int(page_path.rsplit("/", 1)[1])
    job = wait_for_job(client, world.organiser, salon_id, job_id)
    assert job["error"]["code"] == "no_schedule_in_time", job
    french = client.get(page_path, params={"lang": "fr"}).text
    assert "temps écoulé sans planning" in french
    assert 'id="no-schedule-in-time"' in french
    assert "Le salon n&#39;est pas prouvé impossible" in french
    assert "relancez le calcul avec une durée maximale plus longue" in french
    assert "Ce calcul disposait de 0.001 s." in french
    assert 'name="time_limit" min="1" max="1800" step="1" inputmode="numeric" value="1"' in french
    assert "Relancer le calcul avec plus de temps" in french
    assert "Les règles impératives" not in french
    english = client.get(page_path, params={"lang": "en"}).text
    assert "time ran out, no schedule" in english
    assert "The salon is not proven impossible: run the solve again with a longer time limit." in (
        english.replace("&#39;", "'")
    )
    assert "Solve again with more time" in english and "Aucun planning" not in english
    again = client.post(
        f"/o/salons/{salon_id}/solve",
        data={"csrf": token, "time_limit": "0.001"},
        follow_redirects=False,
    )
    assert again.status_code == 303 and again.headers["location"] != page_path
    wait_for_job(client, world.organiser, salon_id, int(again.headers["location"].rsplit("/")[-1]))


def test_the_dashboard_links_to_the_solve_under_way(world: World) -> None:
    """While a solve is queued or running, the salon's dashboard links to its progress; once it
    ended, no more."""
    client = world.client
    sign_in(client, world.organiser)
    imported = client.post("/salons/import", json=crowded_salon(), headers=world.organiser)
    salon_id = imported.json()["id"]
    job = client.post(
        f"/salons/{salon_id}/solves", json={"time_limit": 60, "workers": 1}, headers=world.organiser
    ).json()
    link = f'<a href="/o/salons/{salon_id}/solves/{job["id"]}">Un calcul est en cours'
    assert link in client.get(f"/o/salons/{salon_id}").text
    client.delete(f"/salons/{salon_id}/solves/{job['id']}", headers=world.organiser)
    assert wait_for_job(client, world.organiser, salon_id, job["id"])["state"] == "cancelled"
    assert "Un calcul est en cours" not in client.get(f"/o/salons/{salon_id}").text


def test_print_jobs_are_private(world: World) -> None:
    client = world.client
    version = wishes_and_solve(world)
    token = sign_in(client, world.organiser)
    base = f"/o/salons/{world.salon_id}/schedules/{version}"
    job_path = client.post(
        f"{base}/prints", data={"csrf": token, "kind": "grid"}, follow_redirects=False
    ).headers["location"]
    wait_print(client, job_path)
    sign_in(client, world.other_organiser)
    assert client.get(job_path).status_code == 404
    assert client.get(f"{job_path}/file").status_code == 404


def test_unscheduled_wishes_are_listed_with_their_reason(world: World) -> None:
    client = world.client
    client.patch(
        world.url(),
        json={"sessions": [{"date": "2023-11-28", "start": "09:00", "end": "09:15"}]},
        headers=world.organiser,
    )
    version = wishes_and_solve(world)
    sign_in(client, world.organiser)
    page = client.get(f"/o/salons/{world.salon_id}/schedules/{version}").text
    section = page[page.index('id="unscheduled-title"') :]
    assert 'id="unscheduled"' in section and "<code>" in section
    assert csrf_of(page)


def test_old_print_jobs_are_forgotten(database_url: str, tmp_path: Path) -> None:
    """Starting a print forgets the finished prints older than two days (row and result) and
    the folders left that long (the state files of the prints made before they were jobs)."""
    settings = settings_for(database_url, outbox_dir=tmp_path / "var" / "outbox")
    with TestClient(create_app(settings)) as client:
        organiser = new_organiser(client)
        salon_id, _ids, _tokens = make_salon(client, organiser)
        now = utc_now()
        folders = {}
        with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
            ids = {}
            for name, age in (("old", dt.timedelta(days=3)), ("recent", dt.timedelta(hours=1))):
                folders[name] = prints.prints_dir(settings) / f"{name}-job"
                folders[name].mkdir(parents=True)
                (folders[name] / "result.pdf").write_bytes(b"%PDF-1.7")
                job = _print_row(salon_id, now - age, folders[name] / "result.pdf")
                session.add(job)
                session.flush()
                ids[name] = job.id
            legacy = {"old": dt.timedelta(days=3), "recent": dt.timedelta(hours=1)}
            for name, age in legacy.items():
                folder = prints.prints_dir(settings) / f"legacy-{name}"
                folder.mkdir()
                (folder / "status.json").write_text("{}", "utf-8")
                moment = (now - age).replace(tzinfo=dt.UTC).timestamp()
                os.utime(folder, (moment, moment))
            session.commit()
            assert prints.forget_old_prints(session, settings=settings, now=now) == 1
            session.commit()
            assert session.get(PrintJob, ids["old"]) is None
            assert session.get(PrintJob, ids["recent"]) is not None
        kept = sorted(p.name for p in prints.prints_dir(settings).iterdir())
        assert kept == ["legacy-recent", "recent-job"]


def _print_row(salon_id: int, created: dt.datetime, result: Path) -> PrintJob:
    return PrintJob(
        salon_id=salon_id,
        state="done",
        cancel_requested=False,
        time_limit=0,
        workers=0,
        seed=0,
        document="grid",
        version=1,
        language="fr",
        filename="salon-v1-grid.pdf",
        file_path=str(result),
        created_at=created,
        started_at=created,
        finished_at=created,
    )
