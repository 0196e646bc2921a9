"""The whole day in a real browser (Debian chromium) on a real server, the AGIR example under the
simulated clock (SALON_CLOCK_START, 20 times as fast) (issue 13, "How it is measured"):

1. before the day: the AGIR example imported, solved and published (API);
2. 8:30 on the day: 90 % of the participants check in at the desk (a few typed into the desk's
   field with Enter, as a USB scanner does; the others posted to the same form);
3. once the first round has started: every meeting of the 9:00 round is marked at its table
   (held; missed with who did not come), and at two tables a participant who checked in is
   marked absent through the table's page in the browser;
4. the desk proposes the no-shows as one change set; the organiser opens it on the repair desk,
   repairs and publishes;
5. the room display, open since before the repair, changes round and shows the repaired
   schedule's next round (version 2, no cancelled participant in it);
6. the report's figures are read on its page and checked against what was recorded.

Screenshots of the room display and of the report go to test-artifacts/ (their paths are
printed).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_helpers import organiser_database, screenshot
from service_helpers import Server, running_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROJECT = Path(__file__).resolve().parents[2]
AGIR = PROJECT / "examples" / "agir-2023.json"
SPEED = 20.0  # simulated seconds per real second: a 20-minute round in one real minute
CLOCK_START = dt.datetime(2023, 11, 28, 7, 30)  # naive UTC: 8:30 in Paris on the salon's day
PARIS_OFFSET = dt.timedelta(hours=1)  # Paris is UTC+1 in November
ARRIVING = 0.9
TYPED_AT_THE_DESK = 3
ABSENT_AT_TABLES = 2
SEED = 2023


@dataclass
class Day:
    """The server under the simulated clock, the organiser's signed-in HTTP client and what the
    test recorded."""

    server: Server
    started: float  # time.monotonic() when the server answered (its clock ran already)
    api: httpx.Client
    pages: httpx.Client
    csrf: str
    salon_id: int
    key: str
    arrived: set[str] = field(default_factory=set)
    marks: dict[tuple[str, str, str], tuple[str, str | None]] = field(default_factory=dict)

    def salon_now(self) -> dt.datetime:
        """At least the server's salon time (its clock started before `started`)."""
        elapsed = dt.timedelta(seconds=(time.monotonic() - self.started) * SPEED)
        return CLOCK_START + PARIS_OFFSET + elapsed

    def wait_until(self, local: dt.datetime) -> None:
        while self.salon_now() < local:
            time.sleep(0.5)


def meeting_key(a: str, b: str, start: str) -> tuple[str, str, str]:
    return (min(a, b), max(a, b), start[:16])


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, html[:300]
    return found.group(1)


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Day]:
    folder = tmp_path_factory.mktemp("day-of")
    url, key = organiser_database(folder, "day@example.org")
    env = {
        "SALON_OUTBOX_DIR": str(folder / "outbox"),
        "SALON_CLOCK_START": CLOCK_START.isoformat(),
        "SALON_CLOCK_SPEED": str(SPEED),
    }
    with running_server(url, **env) as server:
        started = time.monotonic()
        headers = {"Authorization": f"Bearer {key}"}
        with (
            httpx.Client(base_url=server.base_url, timeout=60, headers=headers) as api,
            httpx.Client(base_url=server.base_url, timeout=60) as pages,
        ):
            answer = api.post(
                "/salons/import",
                content=AGIR.read_bytes(),
                headers={"Content-Type": "application/json"},
            )
            assert answer.status_code == 201, answer.text
            salon_id = answer.json()["id"]
            job = api.post(f"/salons/{salon_id}/solves", json={"time_limit": 20, "workers": 1})
            assert job.status_code == 202, job.text
            deadline = time.monotonic() + 240
            while (state := api.get(f"/salons/{salon_id}/solves/{job.json()['id']}").json())[
                "state"
            ] in ("queued", "running"):
                assert time.monotonic() < deadline, state
                time.sleep(1)
            assert state["state"] == "done", state
            version = state["schedule_version"]
            published = api.post(f"/salons/{salon_id}/schedules/{version}/publish")
            assert published.status_code == 200, published.text
            signed = pages.post(
                "/o/login", data={"api_key": key, "next": "/o"}, follow_redirects=True
            )
            assert signed.status_code == 200, signed.text[:300]
            yield Day(server, started, api, pages, csrf_of(signed.text), salon_id, key)


def sign_in(page: Any, day: Day) -> None:
    page.goto(f"{day.server.base_url}/o/login")
    page.get_by_label("Clé d'API d'organisateur").fill(day.key)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/o/?$"))


def check_in_ninety_percent(day: Day, page: Any) -> tuple[set[str], dict[str, str]]:
    """90 % of the participants check in: a few typed at the desk, the others posted."""
    desk = day.pages.get(f"/o/salons/{day.salon_id}/checkin").text
    codes = dict(re.findall(r'<tr data-code="([^"]+)".*?<td><code>([^<]+)</code>', desk, re.S))
    assert len(codes) == 370, len(codes)
    rng = random.Random(SEED)
    arriving = sorted(rng.sample(sorted(codes), round(ARRIVING * len(codes))))
    typed, posted = arriving[:TYPED_AT_THE_DESK], arriving[TYPED_AT_THE_DESK:]
    page.goto(f"{day.server.base_url}/o/salons/{day.salon_id}/checkin")
    for code in typed:
        field = page.locator("#checkin-code")
        assert field.evaluate("node => node === document.activeElement")  # ready for a scanner
        field.type(codes[code].lower())
        field.press("Enter")
        assert "Arrivée notée" in page.locator("#last-scan").inner_text()
    for code in posted:
        answer = day.pages.post(
            f"/o/salons/{day.salon_id}/checkin", data={"csrf": day.csrf, "code": codes[code]}
        )
        assert answer.status_code == 303, answer.text[:300]
    again = day.pages.post(
        f"/o/salons/{day.salon_id}/checkin", data={"csrf": day.csrf, "code": codes[typed[0]]}
    )
    assert again.status_code == 303 and "new=0" in again.headers["location"]  # harmless
    page.reload()
    counts = page.locator("#checkin-counts").inner_text()
    assert counts.startswith(f"{len(arriving)} arrivé(s) sur 370 attendu(s)"), counts
    return set(arriving), codes


def mark(day: Day, meeting: dict[str, Any], status: str, absent: str | None) -> None:
    form = {
        "csrf": day.csrf,
        "from": meeting["from"],
        "to": meeting["to"],
        "start": meeting["start"],
        "status": status,
        **({"absent": absent} if absent else {}),
    }
    answer = day.pages.post(
        f"/o/salons/{day.salon_id}/attendance/{meeting['table']}", data=form
    )
    assert answer.status_code == 303, answer.text[:300]
    day.marks[meeting_key(meeting["from"], meeting["to"], meeting["start"])] = (status, absent)


def mark_the_first_round(day: Day, page: Any, names: dict[str, str]) -> None:
    """Every meeting of the first round marked; at two tables, in the browser, a participant
    who checked in is marked absent."""
    meetings = day.api.get(f"/salons/{day.salon_id}/schedules/1").json()["meetings"]
    first = min(m["start"] for m in meetings)
    round_one = [m for m in meetings if m["start"] == first]
    both_here = [m for m in round_one if m["from"] in day.arrived and m["to"] in day.arrived]
    in_browser = both_here[:ABSENT_AT_TABLES]
    for meeting in round_one:
        if meeting in in_browser:
            continue
        missing = [c for c in (meeting["from"], meeting["to"]) if c not in day.arrived]
        mark(day, meeting, "no_show" if missing else "held", missing[0] if missing else None)
    for meeting in in_browser:
        absent = meeting["from"]  # the industrial who asked: checked in, yet not at the table
        page.goto(f"{day.server.base_url}/o/salons/{day.salon_id}/attendance/{meeting['table']}")
        item = page.locator(f'#meetings li[data-start="{meeting["start"]}"]')
        item.get_by_role("button", name=f"Absent(e) : {names[absent]}").click()
        assert page.locator(f'#meetings li[data-start="{meeting["start"]}"]').get_attribute(
            "data-status"
        ) == "no_show"
        day.marks[meeting_key(meeting["from"], meeting["to"], meeting["start"])] = (
            "no_show", absent,
        )


def test_the_whole_day(day: Day, browser: Any) -> None:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, day)
    day.arrived, _codes = check_in_ninety_percent(day, page)
    people = day.api.get(f"/salons/{day.salon_id}/participants", params={"limit": 500}).json()
    names = {p["code"]: p["name"] for p in people["data"]}

    # The room display, open from before the first round.
    links = day.pages.get(f"/o/salons/{day.salon_id}/display").text
    display_path = re.search(rf'href="([^"]*/display/{day.salon_id}/[^"?]+)"', links)
    assert display_path, links[:500]
    display_url = display_path.group(1)
    room = context.new_page()
    room.goto(display_url if display_url.startswith("http") else day.server.base_url + display_url)
    room.wait_for_selector('body[data-version="1"]')

    day.wait_until(dt.datetime(2023, 11, 28, 9, 5))
    mark_the_first_round(day, page, names)

    # The desk proposes the no-shows; the organiser repairs and publishes.
    page.goto(f"{day.server.base_url}/o/salons/{day.salon_id}/checkin")
    proposal = page.locator("#proposal")
    assert proposal.is_visible()
    missed = [absent for status, absent in day.marks.values() if status == "no_show"]
    assert proposal.locator("li").count() >= len(missed)
    page.locator("#proposal-link").click()
    page.wait_for_url(re.compile(rf"/o/salons/{day.salon_id}/repair"))
    page.get_by_role("button", name="Réparer le planning").click()
    page.wait_for_url(re.compile(rf"/o/salons/{day.salon_id}/repairs/\d+"), timeout=120_000)
    page.get_by_role(
        "button", name="Publier le planning réparé et prévenir les participants"
    ).click()
    page.wait_for_url(re.compile(r"done=published"), timeout=60_000)
    versions = day.api.get(f"/salons/{day.salon_id}/schedules").json()["data"]
    version = next(s["version"] for s in versions if s["current"])
    assert version >= 2

    # The room display takes the repaired schedule and changes round.
    room.wait_for_selector(f'body[data-version="{version}"]', timeout=60_000)
    rotations = int(room.locator("body").get_attribute("data-rotations") or "0")
    deadline = time.monotonic() + 120  # a round is 20 simulated minutes: a real minute
    while int(room.locator("body").get_attribute("data-rotations") or "0") <= rotations:
        assert time.monotonic() < deadline, "the room display never changed round"
        room.wait_for_timeout(500)  # (the page's CSP forbids wait_for_function's eval)
    repaired = day.api.get(f"/salons/{day.salon_id}/schedules/{version}").json()["meetings"]
    state = json.loads(
        day.pages.get(display_url.replace(day.server.base_url, "") + "/state.json").text
    )
    while True:  # what the display shows of its next round, read between two rotations
        before = room.locator("body").get_attribute("data-next")
        shown = room.locator("#meetings li .table").all_inner_texts()
        who = " ".join(room.locator("#meetings li .who").all_inner_texts())
        if room.locator("body").get_attribute("data-next") == before and before:
            break
        room.wait_for_timeout(200)
    round_start = state["rounds"][int(before)]["start"]
    local_start = (
        dt.datetime.fromtimestamp(round_start / 1000, dt.UTC).replace(tzinfo=None) + PARIS_OFFSET
    )
    expected = sorted(
        m["table"] for m in repaired if m["start"][:16] == local_start.isoformat()[:16]
    )
    assert sorted(shown) == expected and expected, (local_start, shown, expected)
    repaired_people = {
        c for m in repaired if m["start"][:16] == local_start.isoformat()[:16]
        for c in (m["from"], m["to"])
    }
    # those who never came to their 9:00 meeting were proposed as cancelled from 9:00
    cancelled = {a for _, a in day.marks.values() if a is not None and a not in day.arrived}
    assert cancelled and not repaired_people & cancelled  # the repair took them out
    assert all(f"{names[c]} (" not in who for c in cancelled)
    room_shot = screenshot(room, "day-of-room-display")

    # A participant of a meeting held at 9:00 rates it from its agenda, on a phone.
    held_meeting = next(key for key, (status, _) in day.marks.items() if status == "held")
    rater = held_meeting[0]
    rater_id = next(p["id"] for p in people["data"] if p["code"] == rater)
    link = day.api.post(f"/salons/{day.salon_id}/participants/{rater_id}/links", json={})
    assert link.status_code == 201, link.text
    phone = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    mobile = phone.new_page()
    mobile.goto(f"{day.server.base_url}/p/{link.json()['token']}/agenda")

    def rated_item() -> Any:  # the agenda holds the feedback forms inline
        return mobile.locator("#feedback li.feedback-item", has=mobile.locator("form")).filter(
            has_text=names[held_meeting[1]]
        ).first

    item = rated_item()
    item.get_by_label("5", exact=True).check()
    item.get_by_label("Nous donnerons suite").check()
    item.get_by_label("Note privée (vous seul la lisez)").fill("Rappeler en janvier")
    item.get_by_role("button", name=re.compile("Enregistrer")).click()
    mobile.wait_for_url(re.compile(r"/agenda\?.*done=feedback"))  # back on the agenda
    saved = rated_item()  # the page reloaded: read what was stored, not what was typed
    assert "Avis enregistré." in saved.inner_text()
    assert saved.get_by_label("5", exact=True).is_checked()
    assert saved.get_by_label("Nous donnerons suite").is_checked()
    assert saved.get_by_label("Note privée (vous seul la lisez)").input_value() == (
        "Rappeler en janvier"
    )
    phone.close()

    # The report, read against what was recorded.
    page.goto(f"{day.server.base_url}/o/salons/{day.salon_id}/report")
    planned = {meeting_key(m["from"], m["to"], m["start"]) for m in repaired} | set(day.marks)
    expected_people = {c for key in planned for c in key[:2]}
    held = sum(1 for status, _ in day.marks.values() if status == "held")
    missed_count = sum(1 for status, _ in day.marks.values() if status == "no_show")

    def figure(name: str) -> str:
        cell = page.locator(f'tr[data-figure="{name}"] td')
        return cell.get_attribute("data-value") or cell.inner_text()

    assert int(figure("held")) == held
    assert int(figure("missed")) == missed_count
    assert int(figure("planned")) == len(planned)
    assert int(figure("unknown")) == len(planned) - held - missed_count
    assert int(figure("expected")) == len(expected_people)
    assert int(figure("arrived")) == len(expected_people & day.arrived)
    rate = missed_count / (held + missed_count)
    assert figure("no_show_rate").startswith(f"{rate * 100:.1f}".replace(".", ",")), figure(
        "no_show_rate"
    )
    assert figure("mean_rating").startswith("5,0") and "1 avis" in figure("mean_rating")
    assert figure("follow_up_rate").startswith("100,0")
    assert "Rappeler en janvier" not in page.content()  # a private note stays private
    assert page.locator("#chart-hours svg").count() == 1
    assert page.locator("#chart-arrivals svg").count() == 1
    report_shot = screenshot(page, "day-of-report")
    print(f"\nroom display screenshot: {room_shot}\nreport screenshot: {report_shot}")
    context.close()
