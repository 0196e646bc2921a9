"""The post-event report on a real salon (SQLite and PostgreSQL): attendance marked, arrivals
checked in and feedback given through their services, then the organiser's page, its PDF
(pypdf: metadata, text, vector charts) and XLSX (openpyxl) say the same figures."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from service_helpers import World, wait_for_job

from api.auth import organiser_for_key, participant_for_token
from api.dayof.attendance import mark_meeting
from api.dayof.service import check_in, checkin_code_of
from api.feedback.service import give_feedback
from api.salons import storage as salon_storage
from api.timestamps import set_clock

EVENING = dt.datetime(2023, 11, 28, 17, 0)  # naive UTC: 18:00 in Paris, the day is over


@pytest.fixture(autouse=True)
def real_clock_after() -> Iterator[None]:
    yield
    set_clock(None)


def meeting_with(meetings: list[dict[str, Any]], a: str, b: str) -> dict[str, Any]:
    return next(m for m in meetings if {m["from"], m["to"]} == {a, b})


@pytest.fixture
def day(world: World) -> World:
    """I1 asks D1, I2 asks D1 and D2 (published); at the end of the day: I1, D1, D2 checked
    in; I1-D1 held, I2-D2 missed (I2 absent), I2-D1 unrecorded; I1 rated its meeting 5 with a
    follow-up, D1 rated it 3; every wish received counted (D1: 2, D2: 1)."""
    client, organiser = world.client, world.organiser
    for asker, asked in (("I1", ["D1"]), ("I2", ["D1", "D2"])):
        body = {"wishes": [{"to": code} for code in asked]}
        assert client.put("/me/wishes", json=body, headers=world.me(asker)).status_code == 200
    job = client.post(
        f"/salons/{world.salon_id}/solves", json={"time_limit": 2, "workers": 1}, headers=organiser
    ).json()
    assert wait_for_job(client, organiser, world.salon_id, job["id"])["state"] == "done"
    assert client.post(
        f"/salons/{world.salon_id}/schedules/1/publish", headers=organiser
    ).status_code == 200
    meetings = client.get(f"/salons/{world.salon_id}/schedules/1", headers=organiser).json()[
        "meetings"
    ]
    set_clock(EVENING)
    key = organiser["Authorization"].removeprefix("Bearer ")
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        me = organiser_for_key(session, key)
        assert me is not None
        codes = checkin_code_of(session, salon_id=world.salon_id)
        for code in ("I1", "D1", "D2"):
            check_in(session, organiser=me, salon_id=world.salon_id, typed=codes[code])
        salon = salon_storage.find_salon(session, salon_id=world.salon_id)
        assert salon is not None
        for a, b, status, absent in (("I1", "D1", "held", None), ("I2", "D2", "no_show", "I2")):
            m = meeting_with(meetings, a, b)
            mark_meeting(
                session, salon=salon, from_=m["from"], to=m["to"],
                start=dt.datetime.fromisoformat(m["start"]), status=status, absent=absent,
                marked_by="organiser",
            )
        held = meeting_with(meetings, "I1", "D1")
        for author, other, rating, follow_up in (("I1", "D1", "5", True), ("D1", "I1", "3", False)):
            who = participant_for_token(session, world.tokens[author])
            assert who is not None
            give_feedback(
                session, participant=who, other=other, start=held["start"], rating=rating,
                follow_up=follow_up, note="privé",
            )
    return world


def signed_in(client: TestClient, organiser: dict[str, str]) -> dict[str, str]:
    key = organiser["Authorization"].removeprefix("Bearer ")
    answer = client.post("/o/login", data={"api_key": key, "next": "/o"}, follow_redirects=False)
    assert answer.status_code == 303, answer.text[:300]
    return dict(answer.cookies)


def figures(html: str) -> dict[str, str]:
    """The key figures of the report's page: name -> its cell's text (or data-value)."""
    found = {}
    for name, cell in re.findall(r'<tr data-figure="(\w+)"><th[^>]*>.*?</th><td(.*?)</td>', html):
        value = re.search(r'data-value="(\d+)"', cell)
        found[name] = value.group(1) if value else re.sub(r"<.*?>", "", cell.split(">", 1)[1])
    return found


def test_the_report_page_pdf_and_xlsx_say_what_was_recorded(day: World) -> None:
    client = day.client
    cookies = signed_in(client, day.organiser)
    base = f"/o/salons/{day.salon_id}/report"
    page = client.get(base, cookies=cookies)
    assert page.status_code == 200, page.text[:500]
    shown = figures(page.text)
    names = ("planned", "held", "missed", "unknown", "expected", "arrived")
    assert [shown[name] for name in names] == ["3", "1", "1", "1", "4", "3"]
    assert shown["no_show_rate"].startswith("50,0")
    assert shown["participant_no_show_rate"].startswith("25,0")  # I2 of I1, I2, D1, D2
    assert shown["mean_rating"].startswith("4,0")
    assert shown["follow_up_rate"].startswith("100,0")
    assert "privé" not in page.text  # notes stay private
    assert page.text.count("<svg") >= 3 and 'role="img"' in page.text
    assert re.search(r'<tr data-code="D1">.*?data-value="2"', page.text)

    pdf = client.get(base + ".pdf", cookies=cookies)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    assert reader.metadata is not None
    assert reader.metadata.title == "Salon test — Bilan du salon"
    assert reader.metadata.author == "Salon test"
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Rendez-vous tenus" in text and "Courbe des arrivées" in text
    for p in reader.pages:  # the charts are vector drawings, not pictures
        xobjects = p["/Resources"].get("/XObject", {})
        assert all(xobjects[name].get("/Subtype") != "/Image" for name in xobjects)

    xlsx = client.get(base + ".xlsx?lang=en", cookies=cookies)
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Meetings planned"] == 3 and summary["Meetings held"] == 1
    assert summary["Meeting no-show rate"] == 0.5 and summary["Mean rating (out of 5)"] == 4.0
    assert [r[0] for r in book["Most requested"].iter_rows(min_row=2, values_only=True)] == [
        "D1", "D2",
    ]


def test_only_the_salons_organiser_reads_its_report(day: World) -> None:
    client = day.client
    base = f"/o/salons/{day.salon_id}/report"
    anonymous = client.get(base, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/o/login")
    other = signed_in(client, day.other_organiser)
    for suffix in ("", ".pdf", ".xlsx"):
        assert client.get(base + suffix, cookies=other).status_code == 404
    english = client.get(base + "?lang=en", cookies=signed_in(client, day.organiser))
    assert "Event report" in english.text and "Meetings by hour" in english.text
