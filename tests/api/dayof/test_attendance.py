"""Attendance through the real app and database (SQLite and PostgreSQL): a table's page by its
secret link (a wrong key or table is a 404), marks only once a meeting started, held or no-show
with who was absent, the organiser's page, a participant's confirmation which never replaces
the staff's mark, and the public read of attendance per meeting."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest
from dayof_helpers import at_salon_time, meetings, participant_token, text_of
from fastapi.testclient import TestClient
from pages_helpers import csrf_of, sign_in
from repair_pages_helpers import published_salon
from service_helpers import settings_for
from sqlalchemy.orm import Session

from api.app import create_app
from api.dayof import service
from api.dayof.links import print_links, table_key
from api.web import csrf_token


@pytest.fixture
def app_client(database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(database_url))) as client:
        yield client


def read(client: TestClient, salon_id: int) -> list[service.MeetingAttendance]:
    session: Session = client.app.state.session_factory()  # type: ignore[attr-defined]
    try:
        return service.meeting_attendance(session, salon_id=salon_id)
    finally:
        session.close()


def statuses(client: TestClient, salon_id: int) -> dict[tuple[str, str, str], tuple[str, str]]:
    return {
        (m.from_, m.to, m.start.isoformat(timespec="minutes")): (m.status, m.absent or "")
        for m in read(client, salon_id)
    }


def test_table_page_marks_meetings(app_client: TestClient) -> None:
    client = app_client
    organiser, salon_id = published_salon(client)
    settings = client.app.state.settings  # type: ignore[attr-defined]
    first = next(m for m in meetings(client, organiser, salon_id) if m["table"] == "T1")
    key = table_key(settings, salon_id=salon_id, table_code="T1")
    page_url = f"/t/{salon_id}/T1"
    # The link printed on the table sheet is the one the page accepts.
    session: Session = client.app.state.session_factory()  # type: ignore[attr-defined]
    with session:
        links = print_links(session, salon_id=salon_id, document="tables", settings=settings)
    assert links["table:T1"].endswith(f"{page_url}?key={key}")

    assert client.get(page_url, params={"key": "wrong"}).status_code == 404
    assert client.get(page_url).status_code == 404
    assert client.get(f"/t/{salon_id}/T9", params={"key": key}).status_code == 404
    assert client.get(f"/t/{salon_id + 99}/T1", params={"key": key}).status_code == 404

    at_salon_time("2023-11-28T08:30")
    page = client.get(page_url, params={"key": key})
    assert page.status_code == 200 and "Anne Directrice" in page.text
    assert "À venir" in text_of(page.text) and 'value="held"' not in page.text
    form = {
        "csrf": csrf_token(key),
        "from": first["from"],
        "to": first["to"],
        "start": first["start"],
        "status": "held",
    }
    early = client.post(page_url, params={"key": key}, data=form)
    assert early.status_code == 409 and "pas encore commencé" in early.text
    assert all(m.status == "unknown" for m in read(client, salon_id))

    at_salon_time(first["start"][:16])
    no_token = client.post(page_url, params={"key": key}, data={**form, "csrf": "x"})
    assert no_token.status_code == 403
    guest = first["to"] if first["from"] == "d1" else first["from"]
    marked = client.post(
        page_url, params={"key": key}, data={**form, "status": "no_show", "absent": guest}
    )
    assert marked.status_code == 200 and "Noté." in marked.text
    key_of = (first["from"], first["to"], first["start"][:16])
    assert statuses(client, salon_id)[key_of] == ("no_show", guest)
    # A mistake corrected: the last staff mark wins, and "held" has nobody absent.
    client.post(page_url, params={"key": key}, data=form)
    assert statuses(client, salon_id)[key_of] == ("held", "")
    held = next(m for m in read(client, salon_id) if m.status == "held")
    assert held.marked_by == "table" and held.marked_at is not None

    # Refusals name what is wrong, nothing stored changes.
    bad = client.post(page_url, params={"key": key}, data={**form, "status": "maybe"})
    assert bad.status_code == 422 and "État inconnu" in bad.text
    stranger = client.post(
        page_url, params={"key": key}, data={**form, "status": "no_show", "absent": "i3"}
    )
    assert stranger.status_code == 422
    key_t2 = table_key(settings, salon_id=salon_id, table_code="T2")
    elsewhere = client.post(
        f"/t/{salon_id}/T2", params={"key": key_t2}, data={**form, "csrf": csrf_token(key_t2)}
    )
    assert elsewhere.status_code == 404
    bad_time = client.post(page_url, params={"key": key}, data={**form, "start": "9h"})
    assert bad_time.status_code == 422
    assert statuses(client, salon_id)[key_of] == ("held", "")


def test_organiser_and_participant_marks(app_client: TestClient) -> None:
    client = app_client
    organiser, salon_id = published_salon(client)
    csrf = sign_in(client, organiser)
    all_meetings = meetings(client, organiser, salon_id)
    first = all_meetings[0]
    at_salon_time("2023-11-28T14:29")
    path = f"/o/salons/{salon_id}/attendance/{first['table']}"
    assert client.get(path).status_code == 200
    form = {"csrf": csrf, "from": first["from"], "to": first["to"], "start": first["start"]}
    response = client.post(path, data={**form, "status": "held"})
    assert response.status_code == 200
    key_of = (first["from"], first["to"], first["start"][:16])
    assert statuses(client, salon_id)[key_of] == ("held", "")
    assert next(m for m in read(client, salon_id) if m.status == "held").marked_by == "organiser"

    # A participant's "not held" does not replace the organiser's mark...
    token = participant_token(client, organiser, salon_id, first["from"])
    page = client.get(f"/p/{token}/attendance")
    assert page.status_code == 200
    agenda = client.get(f"/p/{token}/agenda")  # its meetings can be confirmed from there too
    assert agenda.status_code == 200 and 'id="agenda-attendance"' in agenda.text
    part = agenda.text[agenda.text.index('id="agenda-attendance"') :]
    mine = [m for m in all_meetings if first["from"] in (m["from"], m["to"])]
    assert part.count(f'action="/p/{token}/attendance"') == len(mine)  # all started at 14:29
    at_salon_time("2023-11-28T08:00")
    early = client.get(f"/p/{token}/agenda").text
    assert f'action="/p/{token}/attendance"' not in early  # none started yet: no form
    at_salon_time("2023-11-28T14:29")
    said = client.post(
        f"/p/{token}/attendance",
        data={
            "csrf": csrf_of(page.text),
            "other": first["to"],
            "start": first["start"],
            "status": "no_show",
        },
    )
    assert said.status_code == 200 and "Merci, c'est noté." in said.text
    assert statuses(client, salon_id)[key_of] == ("held", "")
    # ...but confirms an unmarked meeting of its own.
    other = next(
        m for m in all_meetings[1:] if first["from"] in (m["from"], m["to"])
    )
    other_side = other["to"] if other["from"] == first["from"] else other["from"]
    client.post(
        f"/p/{token}/attendance",
        data={
            "csrf": csrf_of(page.text),
            "other": other_side,
            "start": other["start"],
            "status": "held",
        },
    )
    found = next(
        m for m in read(client, salon_id) if m.start.isoformat()[:16] == other["start"][:16]
        and {m.from_, m.to} == {other["from"], other["to"]}
    )
    assert (found.status, found.marked_by) == ("held", "participant")
    # A meeting that is not its own is refused.
    foreign = next(
        (m for m in all_meetings if first["from"] not in (m["from"], m["to"])), None
    )
    if foreign is not None:
        refused = client.post(
            f"/p/{token}/attendance",
            data={"csrf": csrf_of(page.text), "other": foreign["to"], "start": foreign["start"],
                  "status": "held"},
        )
        assert refused.status_code == 404
    assert all(dataclasses.is_dataclass(m) for m in read(client, salon_id))
    assert isinstance(read(client, salon_id)[0].start, dt.datetime)
