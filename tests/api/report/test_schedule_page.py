"""The organiser's schedule page (issue 13, item 8): the spread of meetings is a chart (SVG by
matplotlib, its figures kept in a table), and the unscheduled wishes are filtered and paged."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi.testclient import TestClient
from service_helpers import World, wait_for_job

from api.report.unscheduled import UNSCHEDULED_PAGE, unscheduled_page


@dataclass(frozen=True)
class Wish:
    from_: str
    to: str
    reason: str
    detail: str = ""
    detail_en: str = ""


@dataclass(frozen=True)
class Named:
    name: str
    organisation: str = ""


NAMES = {
    **{f"i{n}": Named(f"Industriel {n}", "Société Générale d'Optique" if n == 7 else "PME")
       for n in range(60)},
    "d1": Named("Hélène Directrice", "DGA"),
    "d2": Named("Paul Directeur", "DGA"),
}
WISHES = [
    Wish(f"i{n}", "d1" if n % 2 else "d2", "capacity" if n % 3 else "max_in_a_row")
    for n in range(60)
] * 2  # 120 wishes


def test_pages_of_fifty_the_last_one_short_and_past_the_end_the_last() -> None:
    first = unscheduled_page(WISHES, NAMES, "fr")
    assert (first.count, first.total, first.pages, first.page) == (120, 120, 3, 1)
    assert len(first.rows) == UNSCHEDULED_PAGE == 50
    last = unscheduled_page(WISHES, NAMES, "fr", page=3)
    assert len(last.rows) == 20 and last.rows[-1].asker_code == "i59"
    assert unscheduled_page(WISHES, NAMES, "fr", page=99).page == 3
    assert last.link(2) == "?page=2" and first.link(1) == "?"


def test_filters_by_text_accents_and_case_ignored_and_by_reason() -> None:
    by_name = unscheduled_page(WISHES, NAMES, "fr", q="  HELENE ")
    assert by_name.count == 60 and {r.asked_code for r in by_name.rows} == {"d1"}
    by_organisation = unscheduled_page(WISHES, NAMES, "fr", q="générale d'opt")
    assert by_organisation.count == 2 and {r.asker_code for r in by_organisation.rows} == {"i7"}
    by_reason = unscheduled_page(WISHES, NAMES, "fr", reason="max_in_a_row", page=2)
    assert by_reason.count == 40 and {r.reason for r in by_reason.rows} == {"max_in_a_row"}
    assert by_reason.link(1) == "?reason=max_in_a_row"
    assert by_reason.reasons == [("capacity", 80), ("max_in_a_row", 40)]
    nothing = unscheduled_page(WISHES, NAMES, "fr", q="personne")
    assert (nothing.count, nothing.pages, nothing.rows) == (0, 1, [])


def between(html: str, start: str, end: str) -> str:
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def sign_in(client: TestClient, headers: dict[str, str]) -> None:
    key = headers["Authorization"].removeprefix("Bearer ")
    answer = client.post("/o/login", data={"api_key": key, "next": "/o"})
    assert answer.status_code == 200, answer.text[:300]


def test_the_page_draws_the_spread_and_filters_the_unscheduled_wishes(world: World) -> None:
    client = world.client
    one_slot = {"sessions": [{"date": "2023-11-28", "start": "09:00", "end": "09:15"}]}
    assert client.patch(world.url(), json=one_slot, headers=world.organiser).status_code == 200
    for code in ("I1", "I2"):
        body = {"wishes": [{"to": "D1"}, {"to": "D2"}]}
        assert client.put("/me/wishes", json=body, headers=world.me(code)).status_code == 200
    job = client.post(world.url("/solves"), json={"time_limit": 5}, headers=world.organiser)
    done = wait_for_job(client, world.organiser, world.salon_id, job.json()["id"])
    assert done["state"] == "done", done
    sign_in(client, world.organiser)
    path = f"/o/salons/{world.salon_id}/schedules/{done['schedule_version']}"

    page = client.get(path).text
    chart = between(page, 'id="spread-chart"', "</figure>")
    assert "<svg" in chart and 'role="img"' in chart and "Industriels" in chart
    assert 'id="spread"' in page  # the chart's figures stay readable as a table
    assert re.search(r'id="unscheduled-count"[^>]*>2 souhaits sur 2 · page 1 sur 1<', page)
    reason = re.search(r'<option value="(\w+)">\1 \(2\)</option>', page)
    assert reason, page[page.index('id="unscheduled-reason"') :][:500]

    filtered = client.get(path, params={"q": "nom i1"}).text
    rows = between(filtered, 'id="unscheduled"', "</table>")
    assert rows.count("<tr>") == 2 and "Nom I1" in rows and "Nom I2" not in rows  # head + 1
    assert "1 souhaits sur 2" in filtered
    none = client.get(path, params={"reason": "no_such_reason"}).text
    assert "Aucun souhait non programmé ne correspond à ces filtres." in none
    assert client.get(path, params={"page": "0"}).status_code == 422
    english = client.get(path, params={"lang": "en"}).text
    assert "The chart&#39;s figures" in english or "The chart's figures" in english
