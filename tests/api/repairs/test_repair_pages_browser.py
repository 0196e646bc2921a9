"""Real browser, real server, without JavaScript: on the salon day the organiser records a
cancellation, repairs, reads the change list and publishes. Screenshots go to test-artifacts/.

Debian's chromium driven by Playwright, against a real `salon serve` (as tests/browser/).
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from documents_helpers import salon_data
from service_helpers import running_server

from api.mail import read_outbox

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "browser"))
from browser_helpers import (  # noqa: E402
    import_salon,
    launched_chromium,
    organiser_database,
    screenshot,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A served salon (the documents' tiny one), solved and published; its organiser key."""
    folder = tmp_path_factory.mktemp("repair-browser")
    url, key = organiser_database(folder, "desk@example.org")
    data = salon_data()
    data["participants"][1]["email"] = "bruno@example.org"  # d2
    outbox = folder / "outbox"
    with running_server(url, SALON_OUTBOX_DIR=str(outbox)) as server:
        with httpx.Client(
            base_url=server.base_url, timeout=60, headers={"Authorization": f"Bearer {key}"}
        ) as api:
            salon_id = import_salon(api, data)
            job = api.post(f"/salons/{salon_id}/solves", json={"time_limit": 2, "workers": 1})
            job_url = f"/salons/{salon_id}/solves/{job.json()['id']}"
            for _ in range(600):
                state = api.get(job_url).json()["state"]
                if state not in ("queued", "running"):
                    break
                time.sleep(0.1)
            assert state == "done"
            assert api.post(f"/salons/{salon_id}/schedules/1/publish").status_code == 200
        yield {"base_url": server.base_url, "key": key, "salon_id": salon_id, "outbox": outbox}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_chromium() as launched:
        yield launched


def test_organiser_records_a_cancellation_repairs_and_publishes(
    site: dict[str, Any], browser: Any
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    salon_id = site["salon_id"]
    page.goto(f"{site['base_url']}/o/salons/{salon_id}")
    page.get_by_label("Clé d'API d'organisateur").fill(site["key"])
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(rf"/o/salons/{salon_id}$"))
    page.get_by_role("navigation", name="Navigation").get_by_role(
        "link", name="Changements du jour"
    ).click()
    page.wait_for_url(re.compile(rf"/o/salons/{salon_id}/repair$"))

    # The day is 28 November 2023: the repair happens at 8:00, before the first meeting.
    page.get_by_label("Heure de la réparation (vide : l'heure du salon)").fill("2023-11-28T08:00")
    page.get_by_role("button", name="Changer l'heure").click()
    assert "mardi 28 novembre 2023, 8 h 00" in page.locator("main").inner_text()

    absent = page.locator("#form-absent")
    absent.locator("summary").click()
    absent.get_by_label("Participant concerné").select_option("d2")
    screenshot(page, "repair-01-record-cancellation")
    absent.get_by_role("button", name="Noter ce changement").click()
    assert "Changement noté." in page.get_by_role("status").inner_text()
    assert (
        page.locator("#recorded li").first.inner_text().startswith("Bruno Directeur ne vient pas")
    )

    page.get_by_role("button", name="Réparer le planning").click()
    page.wait_for_url(re.compile(rf"/o/salons/{salon_id}/repairs/\d+"))
    assert "Réparation faite" in page.get_by_role("status").inner_text()
    changes = page.locator("#change-list tbody tr").all_inner_texts()
    assert changes and all("Bruno Directeur" in row for row in changes)
    assert all(row.startswith("annulé") for row in changes)
    people = page.locator("#people tbody tr").all_inner_texts()
    assert any(row.startswith("Bruno Directeur") for row in people)
    screenshot(page, "repair-02-change-list")

    page.get_by_role(
        "button", name="Publier le planning réparé et prévenir les participants"
    ).click()
    assert "Planning réparé publié" in page.get_by_role("status").inner_text()
    assert page.locator("#repair-state").inner_text().startswith("publié")
    screenshot(page, "repair-03-published")
    context.close()

    with httpx.Client(
        base_url=site["base_url"], headers={"Authorization": f"Bearer {site['key']}"}
    ) as api:
        schedules = api.get(f"/salons/{salon_id}/schedules").json()["data"]
    assert (schedules[0]["version"], schedules[0]["current"]) == (2, True)
    # Only d2 has an address among the participants whose agenda changed (its mail: a job of
    # the server, sent after the publication answered).
    deadline = time.monotonic() + 60
    while not read_outbox(site["outbox"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [str(m["To"]) for m in read_outbox(site["outbox"])] == ["bruno@example.org"]
