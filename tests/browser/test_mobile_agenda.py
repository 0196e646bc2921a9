"""The participant's agenda on a phone (issue 13, item 6), in Debian's chromium: the next
meeting's card at the top, free slots folded, so a participant with few meetings scrolls little.
Screenshot: test-artifacts/mobile-agenda.png."""

from __future__ import annotations

import time

from browser_helpers import Site, screenshot

PHONE = {"width": 390, "height": 844}


def _published(site: Site) -> None:
    with site.api() as api:
        schedules = api.get(f"/salons/{site.salon_id}/schedules").json()["data"]
        if any(s["current"] for s in schedules):
            return
        job = api.post(f"/salons/{site.salon_id}/solves", json={"time_limit": 5}).json()
        for _ in range(300):
            job = api.get(f"/salons/{site.salon_id}/solves/{job['id']}").json()
            if job["state"] not in ("queued", "running"):
                break
            time.sleep(0.2)
        assert job["state"] == "done", job
        api.post(f"/salons/{site.salon_id}/schedules/{job['schedule_version']}/publish")


def test_an_agenda_with_few_meetings_is_short_on_a_phone(site: Site, browser: object) -> None:
    _published(site)
    page = browser.new_page(locale="fr-FR", viewport=PHONE)  # type: ignore[attr-defined]
    page.goto(f"{site.base_url}/p/{site.tokens['i3']}/agenda")
    table = page.get_by_role("table", name="Rendez-vous de Denis Sanrendezvous")
    assert table.is_visible()
    rows = table.locator("tbody tr")
    meetings = table.locator("tr.meeting").count()
    assert rows.count() <= 2 * meetings + 3  # free runs between meetings, not one row a slot
    assert table.locator("tr.free_run").count() >= 1
    card = page.locator("#next-meeting")
    assert card.is_visible() and card.bounding_box()["y"] < PHONE["height"] / 2  # type: ignore[index]
    height = page.evaluate("document.documentElement.scrollHeight")
    screenshot(page, "mobile-agenda")
    assert height < 3 * PHONE["height"], height
    page.close()
