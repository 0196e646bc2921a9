"""No-shows feed the repair (SQLite and PostgreSQL): participants not checked in when their
first meeting starts and meetings marked no-show are proposed as ONE change set that opens the
repair desk with them recorded; nothing changes until the organiser repairs and publishes, and
what a published repair said is not proposed again."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from dayof_helpers import at_salon_time, code_of, meetings
from fastapi.testclient import TestClient
from pages_helpers import sign_in
from repair_pages_helpers import hidden, published_salon
from service_helpers import settings_for

from api.app import create_app
from api.dayof import proposals
from api.dayof.links import table_key
from api.web import csrf_token


@pytest.fixture
def app_client(database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(database_url))) as client:
        yield client


def proposal_link(page: str) -> str | None:
    marker = 'id="proposal-link" href="'
    if marker not in page:
        return None
    start = page.index(marker) + len(marker)
    return html.unescape(page[start : page.index('"', start)])


def test_no_shows_become_one_prepared_change_set(app_client: TestClient) -> None:
    client = app_client
    organiser, salon_id = published_salon(client)
    csrf = sign_in(client, organiser)
    planned = meetings(client, organiser, salon_id)
    desk = f"/o/salons/{salon_id}/checkin"

    at_salon_time("2023-11-28T08:45")
    assert client.post(desk, data={"csrf": csrf, "code": code_of("d1")}).status_code == 200
    assert proposal_link(client.get(desk).text) is None  # nobody is late yet

    now = "2023-11-28T09:20"
    at_salon_time(now)
    first: dict[str, str] = {}
    for m in planned:
        for code in (m["from"], m["to"]):
            first.setdefault(code, m["start"][:16])
    late = sorted(code for code, start in first.items() if start <= now and code != "d1")
    # A meeting of d1 (arrived) whose guest did not come, marked at the table.
    missed = next(m for m in planned if m["table"] == "T1" and m["start"][:16] <= now)
    guest = missed["to"] if missed["from"] == "d1" else missed["from"]
    key = table_key(client.app.state.settings, salon_id=salon_id, table_code="T1")  # type: ignore[attr-defined]
    marked = client.post(
        f"/t/{salon_id}/T1",
        params={"key": key},
        data={
            "csrf": csrf_token(key),
            "from": missed["from"],
            "to": missed["to"],
            "start": missed["start"],
            "status": "no_show",
            "absent": guest,
        },
    )
    assert marked.status_code == 200

    link = proposal_link(client.get(desk).text)
    assert link is not None
    query = parse_qs(urlsplit(link).query)
    assert query["now"] == [now]
    changes = json.loads(query["changes"][0])
    cancelled = [c for c in changes if c["kind"] == "participant_cancelled"]
    assert late and sorted(c["participant"] for c in cancelled) == late
    assert all(set(c) == {"kind", "participant"} for c in cancelled)  # "X ne vient pas"
    assert [c for c in changes if c["kind"] == "no_show"] == [
        {"kind": "no_show", "participant": guest, "at": missed["start"][:16]}
    ]

    # The repair desk opens with them recorded; nothing is repaired or stored yet.
    record = client.get(link)
    assert record.status_code == 200
    recorded = record.text[record.text.index('id="recorded"') :]
    assert recorded.count("<li>") >= len(changes)
    assert "Bruno Directeur ne vient pas" in recorded
    schedules = client.get(f"/salons/{salon_id}/schedules", headers=organiser).json()["data"]
    assert [s["version"] for s in schedules] == [1]

    # The organiser repairs and publishes: the proposal no longer repeats what was said.
    pending = hidden(record.text, "pending")
    repaired = client.post(
        f"/o/salons/{salon_id}/repairs", data={"csrf": csrf, "pending": pending, "now": now}
    )
    assert repaired.status_code == 200, repaired.text[:500]
    published = client.post(f"{repaired.url.path}/publish", data={"csrf": csrf})
    assert published.status_code == 200
    assert proposal_link(client.get(desk).text) is None


def test_a_change_set_too_long_for_a_link_is_posted_as_a_draft(
    app_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = app_client
    organiser, salon_id = published_salon(client)
    csrf = sign_in(client, organiser)
    monkeypatch.setattr(proposals, "MAX_LINK", 10)
    at_salon_time("2023-11-28T09:20")
    page = client.get(f"/o/salons/{salon_id}/checkin").text
    assert proposal_link(page) is None and 'id="proposal-form"' in page
    form = page[page.index('id="proposal-form"') :]
    pending = hidden(form, "pending")
    assert json.loads(pending) and hidden(form, "now") == "2023-11-28T09:20"
    drafted = client.post(
        f"/o/salons/{salon_id}/repairs",
        data={"csrf": csrf, "pending": pending, "now": hidden(form, "now")},
    )
    assert drafted.status_code == 200
    schedules = client.get(f"/salons/{salon_id}/schedules", headers=organiser).json()["data"]
    assert [(s["version"], s["current"]) for s in schedules] == [(2, False), (1, True)]
