"""The check-in desk through the real app and database (SQLite and PostgreSQL): a code typed,
or scanned as the QR code's URL, records the arrival with the service's clock; a second scan
changes nothing; a bad code is refused with its reason and nothing stored; the expected list
shrinks; a badge's phone page records nothing until its button is pressed."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from dayof_helpers import at_salon_time, code_of, text_of
from fastapi.testclient import TestClient
from pages_helpers import sign_in
from repair_pages_helpers import published_salon
from service_helpers import new_organiser, settings_for
from sqlalchemy.orm import Session

from api.app import create_app
from api.auth import organiser_for_key
from api.dayof import service


@pytest.fixture
def app_client(database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(database_url))) as client:
        yield client


def arrivals(client: TestClient, salon_id: int) -> dict[str, dt.datetime]:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    session: Session = factory()
    try:
        return service.arrival_times(session, salon_id=salon_id)
    finally:
        session.close()


def test_scan_type_duplicate_and_unknown(app_client: TestClient) -> None:
    client = app_client
    organiser, salon_id = published_salon(client)
    csrf = sign_in(client, organiser)
    desk = f"/o/salons/{salon_id}/checkin"
    page = client.get(desk)
    assert page.status_code == 200
    assert 'id="checkin-code"' in page.text and "autofocus" in page.text
    waiting = text_of(page.text[page.text.index('id="waiting"') :])
    assert "Anne Directrice" in waiting and "Claire Industrielle" in waiting

    moment = at_salon_time("2023-11-28T08:50")
    # A USB scanner types the QR code's URL, then Enter.
    scanned = f"http://testserver/o/salons/{salon_id}/checkin/{code_of('d1')}"
    response = client.post(desk, data={"csrf": csrf, "code": scanned})
    assert response.status_code == 200, text_of(response.text)[:300]
    assert "Arrivée notée : Anne Directrice, à 8 h 50." in text_of(response.text)
    times = arrivals(client, salon_id)
    assert list(times) == ["d1"] and abs(times["d1"] - moment) < dt.timedelta(seconds=5)

    # Typed by hand, lower case with the printed dash; later: the first time stays.
    at_salon_time("2023-11-28T09:05")
    shown = code_of("d1")[:3].lower() + "-" + code_of("d1")[3:].lower()
    again = client.post(desk, data={"csrf": csrf, "code": shown})
    assert "Anne Directrice était déjà arrivé(e), à 8 h 50." in text_of(again.text)
    assert arrivals(client, salon_id) == times

    # Unknown and empty codes: refused with their reason, nothing stored.
    unknown = client.post(desk, data={"csrf": csrf, "code": "ZZZ-ZZZ"})
    assert unknown.status_code == 404
    assert "Aucun badge de ce salon ne porte le code « ZZZ-ZZZ »." in unknown.text
    assert 'value="ZZZ-ZZZ"' in unknown.text  # kept in the field, to correct
    empty = client.post(desk, data={"csrf": csrf, "code": "  "})
    assert empty.status_code == 422 and "Tapez ou scannez le code du badge." in empty.text
    assert list(arrivals(client, salon_id)) == ["d1"]

    # The expected list no longer holds d1; those whose first meeting started are late.
    page = client.get(desk).text
    waiting_part = page[page.index('id="waiting"') : page.index('id="arrived-title"')]
    assert "Anne Directrice" not in waiting_part and "Bruno Directeur" in waiting_part
    assert 'class="late"' in waiting_part
    arrived_part = page[page.index('id="arrived"') :]
    assert "Anne Directrice" in arrived_part and "8 h 50" in arrived_part

    # Undo, then the arrival can be recorded again at the new time.
    undone = client.post(f"{desk}/undo", data={"csrf": csrf, "participant": "d1"})
    assert undone.status_code == 200 and arrivals(client, salon_id) == {}


def test_badge_page_records_only_on_its_button(app_client: TestClient) -> None:
    client = app_client
    organiser, salon_id = published_salon(client)
    csrf = sign_in(client, organiser)
    at_salon_time("2023-11-28T08:40")
    badge = client.get(f"/o/salons/{salon_id}/checkin/{code_of('i2')}")
    assert badge.status_code == 200 and "Claire Industrielle" in badge.text
    assert arrivals(client, salon_id) == {}
    recorded = client.post(
        f"/o/salons/{salon_id}/checkin", data={"csrf": csrf, "code": code_of("i2")}
    )
    assert recorded.status_code == 200 and list(arrivals(client, salon_id)) == ["i2"]
    assert "Arrivé(e) à 8 h 40." in client.get(
        f"/o/salons/{salon_id}/checkin/{code_of('i2')}"
    ).text
    assert client.get(f"/o/salons/{salon_id}/checkin/NOSUCH").status_code == 404


def test_another_organiser_sees_nothing(app_client: TestClient) -> None:
    client = app_client
    _organiser, salon_id = published_salon(client)
    other = new_organiser(client)
    csrf = sign_in(client, other)
    assert client.get(f"/o/salons/{salon_id}/checkin").status_code == 404
    refused = client.post(
        f"/o/salons/{salon_id}/checkin", data={"csrf": csrf, "code": code_of("d1")}
    )
    assert refused.status_code == 404
    assert arrivals(client, salon_id) == {}


def test_two_desks_scanning_the_same_badge_record_one_arrival(app_client: TestClient) -> None:
    """The database decides: of two check-ins at once, one records, the other finds it."""
    client = app_client
    organiser, salon_id = published_salon(client)
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        who = organiser_for_key(session, organiser["Authorization"].removeprefix("Bearer "))
    assert who is not None
    barrier = threading.Barrier(2)

    def scan() -> service.CheckIn:
        with factory() as session:
            barrier.wait()
            return service.check_in(session, organiser=who, salon_id=salon_id, typed=code_of("i1"))

    with ThreadPoolExecutor(2) as pool:
        results = [f.result() for f in [pool.submit(scan), pool.submit(scan)]]
    assert sorted(r.new for r in results) == [False, True]
    assert results[0].arrived_at == results[1].arrived_at
    assert list(arrivals(client, salon_id)) == ["i1"]


def test_the_desk_in_english(app_client: TestClient) -> None:
    client = app_client
    organiser, salon_id = published_salon(client)
    csrf = sign_in(client, organiser)
    at_salon_time("2023-11-28T08:55")
    desk = f"/o/salons/{salon_id}/checkin"
    assert client.get(desk, params={"lang": "en"}).status_code == 200  # remembered (cookie)
    page = client.post(desk, data={"csrf": csrf, "code": code_of("i2")})
    text = text_of(page.text)
    assert "Arrival recorded: Claire Industrielle, at 08:55." in text
    assert "Expected, not yet arrived" in text and "Check-in desk" in text
    refused = client.post(
        f"/o/salons/{salon_id}/checkin", data={"csrf": csrf, "code": "QQ"}
    )
    assert "No badge of this salon carries the code “QQ”." in refused.text
