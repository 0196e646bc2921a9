"""Real browser, real server, simulated clock (09:20 on the salon's day): the desk's field takes
a badge scanned by a USB reader (its characters then Enter, without a click), the field is ready
for the next badge; a table's staff mark a no-show on a phone from the table sheet's secret
link; the desk proposes the no-shows and opens the repair desk with them recorded. Screenshots
go to test-artifacts/ (dayof-*.png)."""

from __future__ import annotations

import re
import secrets
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from dayof_helpers import code_of
from documents_helpers import salon_data
from service_helpers import running_server

from api.dayof.links import table_url
from api.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "browser"))
from browser_helpers import (  # noqa: E402
    import_salon,
    launched_chromium,
    organiser_database,
    screenshot,
)

pytestmark = pytest.mark.browser
SECRET = secrets.token_urlsafe(32)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The documents' tiny salon served, solved and published, the clock at 09:20 Paris."""
    folder = tmp_path_factory.mktemp("dayof-browser")
    url, key = organiser_database(folder, "desk@example.org")
    env = {"SALON_SECRET_KEY": SECRET, "SALON_CLOCK_START": "2023-11-28T08:20:00"}
    with running_server(url, **env) as server:
        with httpx.Client(
            base_url=server.base_url, timeout=60, headers={"Authorization": f"Bearer {key}"}
        ) as api:
            salon_id = import_salon(api, salon_data())
            job = api.post(f"/salons/{salon_id}/solves", json={"time_limit": 2, "workers": 1})
            job_url = f"/salons/{salon_id}/solves/{job.json()['id']}"
            for _ in range(600):
                state = api.get(job_url).json()["state"]
                if state not in ("queued", "running"):
                    break
                time.sleep(0.1)
            assert state == "done"
            assert api.post(f"/salons/{salon_id}/schedules/1/publish").status_code == 200
            meetings = api.get(f"/salons/{salon_id}/schedules/1").json()["meetings"]
        yield {
            "base_url": server.base_url,
            "key": key,
            "salon_id": salon_id,
            "meetings": sorted(meetings, key=lambda m: m["start"]),
        }


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_chromium() as launched:
        yield launched


def sign_in(page: Any, site: dict[str, Any], path: str) -> None:
    page.goto(f"{site['base_url']}{path}")
    page.get_by_label("Clé d'API d'organisateur").fill(site["key"])
    page.get_by_role("button", name="Se connecter").click()


def test_scanner_table_phone_and_proposed_repair(site: dict[str, Any], browser: Any) -> None:
    salon_id = site["salon_id"]
    desk = browser.new_context(locale="fr-FR")
    page = desk.new_page()
    sign_in(page, site, f"/o/salons/{salon_id}")
    page.get_by_role("navigation", name="Navigation").get_by_role(
        "link", name="Accueil des participants"
    ).click()
    page.wait_for_url(re.compile(rf"/o/salons/{salon_id}/checkin$"))
    assert page.evaluate("document.activeElement.id") == "checkin-code"

    # The USB reader types the QR code's address, then Enter: no click anywhere.
    page.keyboard.type(f"{site['base_url']}/o/salons/{salon_id}/checkin/{code_of('d1')}")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"who=d1"))
    # (the simulated clock runs from 9:20 since the server started: a few minutes at most)
    arrived = page.locator("#last-scan").inner_text()
    assert re.fullmatch(r"Arrivée notée : Anne Directrice, à 9 h 2\d\.", arrived), arrived
    assert page.evaluate("document.activeElement.id") == "checkin-code"  # ready for the next
    page.keyboard.type(code_of("d1"))  # scanned again: nothing changes
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"new=0"))
    assert arrived.split(", à ")[1] in page.locator("#last-scan").inner_text()
    assert "déjà arrivé(e)" in page.locator("#last-scan").inner_text()
    screenshot(page, "dayof-01-desk")

    # On a phone, the staff of d1's table mark a guest who did not come.
    started = [m for m in site["meetings"] if m["start"] <= "2023-11-28T09:20"]
    missed = next(m for m in started if m["table"] == "T1")
    guest = missed["to"] if missed["from"] == "d1" else missed["from"]
    link = table_url(
        Settings(secret_key=SECRET, base_url=site["base_url"]), salon_id=salon_id, table_code="T1"
    )
    phone = browser.new_context(
        locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    table = phone.new_page()
    table.goto(link)
    item = table.locator(f'#meetings li[data-start="{missed["start"]}"]')
    item.get_by_role("button", name=re.compile("^Absent")).click()
    assert "Noté." in table.get_by_role("status").inner_text()
    assert table.locator(f'#meetings li[data-start="{missed["start"]}"]').get_attribute(
        "data-status"
    ) == "no_show"
    screenshot(table, "dayof-02-table-phone")
    phone.close()

    # Back at the desk: the absences are proposed as one change set for the repair desk.
    page.goto(f"{site['base_url']}/o/salons/{salon_id}/checkin")
    proposal = page.locator("#proposal")
    assert guest in {"i1", "i2", "i3"} and proposal.is_visible()
    page.locator("#proposal-link").click()
    page.wait_for_url(re.compile(rf"/o/salons/{salon_id}/repair\?"))
    recorded = page.locator("#recorded li").all_inner_texts()
    assert len(recorded) >= 1
    screenshot(page, "dayof-03-proposed-repair")
    desk.close()
