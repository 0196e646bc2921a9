"""The room display in Debian's chromium (issue 13, item 4), on a server whose clock is
simulated (SALON_CLOCK_START, 20 times as fast): it counts down, changes round by itself with
a rotation, and shows the repaired meetings after a repair is published, without a reload.
Screenshots: test-artifacts/room-display-*.png."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from browser_helpers import Site, import_salon, organiser_database, screenshot
from documents_helpers import salon_data
from playwright.sync_api import expect
from service_helpers import running_server

SPEED = 20


@pytest.fixture(scope="module")
def simulated_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The example salon solved and published on a server whose day starts at 8:45 (Paris)."""
    folder = tmp_path_factory.mktemp("room-display")
    url, key = organiser_database(folder, "display@example.org")
    env = {
        "SALON_OUTBOX_DIR": str(folder / "outbox"),
        "SALON_CLOCK_START": "2023-11-28T07:45:00",  # UTC: 8:45 in Paris, the salon's zone
        "SALON_CLOCK_SPEED": str(SPEED),
        "SALON_DISPLAY_POLL_SECONDS": "1",
    }
    with running_server(url, **env) as server:
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=server.base_url, timeout=60, headers=headers) as api:
            salon_id = import_salon(api, salon_data())
            job = api.post(f"/salons/{salon_id}/solves", json={"time_limit": 5}).json()
            for _ in range(300):
                job = api.get(f"/salons/{salon_id}/solves/{job['id']}").json()
                if job["state"] not in ("queued", "running"):
                    break
                time.sleep(0.2)
            assert job["state"] == "done", job
            version = job["schedule_version"]
            assert api.post(f"/salons/{salon_id}/schedules/{version}/publish").status_code == 200
        yield Site(server.base_url, key, salon_id, {})


def _display_url(site: Site, page: Any) -> str:
    """The organiser signs in and reads the display link from its page."""
    page.goto(f"{site.base_url}/o/login")
    page.get_by_label("Clé d'API d'organisateur").fill(site.api_key)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{site.base_url}/o/salons/{site.salon_id}/display")
    link: str = page.locator("#display-links a").first.get_attribute("href")
    assert link.startswith(f"{site.base_url}/display/{site.salon_id}/")
    return link


def _state(url: str) -> dict[str, Any]:
    data: dict[str, Any] = httpx.get(f"{url}/state.json", timeout=30).json()
    return data


def test_the_display_counts_down_rotates_and_follows_a_repair(
    simulated_site: Site, browser: object
) -> None:
    site = simulated_site
    page = browser.new_page(locale="fr-FR", viewport={"width": 1920, "height": 1080})  # type: ignore[attr-defined]
    url = _display_url(site, page)
    page.goto(url)
    body = page.locator("body")
    expect(body).to_have_attribute("data-version", "1", timeout=15_000)
    page.get_by_role("button", name="Activer le son des rotations").click()
    assert body.get_attribute("data-sound") == "on"
    state = _state(url)
    assert state["version"] == 1 and state["speed"] == SPEED
    if body.get_attribute("data-next") == "0":  # before the first round: its meetings shown
        expect(page.locator("#end-label")).to_have_text("Premier tour dans")
        first = [m["names"] for m in state["rounds"][0]["meetings"]]
        expect(page.locator("#meetings li")).to_have_count(max(1, len(first)))
        screenshot(page, "room-display-0-before-the-first-round")
    # the day at 20x: the next rotation comes within 45 real seconds (a 15-minute round)
    def where() -> tuple[str | None, str | None]:
        return body.get_attribute("data-current"), body.get_attribute("data-next")

    start = where()
    expect(body).to_have_attribute("data-rotations", re.compile(r"^[1-9]"), timeout=60_000)
    assert where() != start
    countdown = page.locator("#countdown-next").inner_text()
    assert countdown.count(":") >= 1, countdown
    now = _state(url)
    upcoming = [r for r in now["rounds"] if r["start"] > now["now"]]
    next_round = upcoming[0]
    shown = page.locator("#meetings li").all_inner_texts()
    expected = [m["names"] for m in next_round["meetings"]]
    assert len(shown) == max(1, len(expected))
    for names, text in zip(expected, shown, strict=False):
        assert all(name in text for name in names)
    screenshot(page, "room-display-1-rotation")

    # a repair: an industrial of the round the display lists as next cancels; the display shows
    # the new version, that same round's list included (not the one drawn before the repair)
    paris = ZoneInfo("Europe/Paris")
    listed = dt.datetime.fromtimestamp(next_round["start"] / 1000, paris).strftime("%Y-%m-%dT%H:%M")
    with site.api() as api:
        schedule = api.get(f"/salons/{site.salon_id}/schedules/1").json()
        later = [m for m in schedule["meetings"] if m["start"][:16] == listed]
        assert later, (listed, schedule["meetings"])
        cancelled = next(c for c in (later[0]["from"], later[0]["to"]) if c.startswith("i"))
        change = {"kind": "participant_cancelled", "participant": cancelled}
        repair = api.post(f"/salons/{site.salon_id}/repairs", json={"changes": [change]})
        assert repair.status_code == 201, repair.text
        published = api.post(f"/salons/{site.salon_id}/repairs/{repair.json()['id']}/publish")
        assert published.status_code == 200, published.text
        version = api.get(f"/salons/{site.salon_id}/schedules").json()["data"]
    current = max(s["version"] for s in version if s["current"])
    expect(body).to_have_attribute("data-version", str(current), timeout=15_000)
    name = next(p["name"] for p in salon_data()["participants"] if p["id"] == cancelled)
    after = _state(url)
    later_rounds = [r for r in after["rounds"] if r["start"] > after["now"]]
    assert all(name not in " ".join(m["names"]) for r in later_rounds for m in r["meetings"])
    assert name not in page.locator("#meetings").inner_text()
    listed_now = next(r for r in after["rounds"] if r["start"] == next_round["start"])
    if body.get_attribute("data-next") == str(after["rounds"].index(listed_now)):
        shown = page.locator("#meetings li").all_inner_texts()
        assert len(shown) == max(1, len(listed_now["meetings"]))
    assert f"Planning version {current}" in page.locator("#status").inner_text()
    screenshot(page, "room-display-2-after-repair")
    page.close()


def test_the_display_is_readable_from_afar(simulated_site: Site, browser: object) -> None:
    """Large type: the countdown is a sixth of a 1080-pixel screen, white or yellow on black."""
    page = browser.new_page(locale="fr-FR", viewport={"width": 1920, "height": 1080})  # type: ignore[attr-defined]
    page.goto(_display_url(simulated_site, page))
    expect(page.locator("body")).to_have_attribute("data-version", re.compile(r"^\d"))
    size = page.locator("#countdown-next").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 150
    colours = page.locator("body").evaluate(
        "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]"
    )
    assert colours == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"]
    # its clock is the server's (simulated) time in the salon's timezone, not the browser's
    server = _state(page.url.split("?")[0])["now"] / 1000
    shown = page.locator("#clock").inner_text()
    paris = dt.datetime.fromtimestamp(server, ZoneInfo("Europe/Paris"))
    hours, minutes, seconds = (int(part) for part in shown.split(":"))
    shown_at = paris.replace(hour=hours, minute=minutes, second=seconds, microsecond=0)
    assert abs((shown_at - paris).total_seconds()) < 3 * SPEED, (shown, paris)
    assert Path(screenshot(page, "room-display-readable")).is_file()
    page.close()
