"""The calendar feed's alarms and absolute URLs (issue 13): a VALARM before each meeting, the URL
only when absolute (RFC 5545), and the participant page's feed linking to SALON_BASE_URL; a
meeting of an earlier publication that the current one no longer holds, a cancelled event."""

from __future__ import annotations

import datetime as dt

from documents_helpers import DAY, tiny_documents
from icalendar import Calendar
from pages_helpers import wishes_and_solve
from service_helpers import World, wait_for_job

from api.documents import CancelledMeeting, meeting_uid, participant_calendar


def _events(feed: bytes) -> list[object]:
    return list(Calendar.from_ical(feed).walk("VEVENT"))


def test_each_meeting_has_an_alarm_before_it() -> None:
    events = _events(participant_calendar(tiny_documents(), "d1", alarm_minutes=15))
    assert events
    for event in events:
        [alarm] = event.walk("VALARM")  # type: ignore[attr-defined]
        assert alarm["ACTION"] == "DISPLAY"
        assert alarm["TRIGGER"].dt == -dt.timedelta(minutes=15)
        assert str(alarm["DESCRIPTION"]) == str(event["SUMMARY"])  # type: ignore[index]


def test_the_default_alarm_is_ten_minutes_and_zero_is_none() -> None:
    [first, *_] = _events(participant_calendar(tiny_documents(), "d1"))
    assert first.walk("VALARM")[0]["TRIGGER"].dt == -dt.timedelta(minutes=10)  # type: ignore[attr-defined]
    assert all(
        not e.walk("VALARM")  # type: ignore[attr-defined]
        for e in _events(participant_calendar(tiny_documents(), "d1", alarm_minutes=0))
    )


def test_a_relative_link_is_left_out_an_absolute_one_kept() -> None:
    relative = tiny_documents(links={"d1": "/p/abc/agenda"})
    assert all("URL" not in e for e in _events(participant_calendar(relative, "d1")))  # type: ignore[operator]
    absolute = tiny_documents(links={"d1": "https://salon.example.org/p/abc/agenda"})
    urls = {str(e["URL"]) for e in _events(participant_calendar(absolute, "d1"))}  # type: ignore[index]
    assert urls == {"https://salon.example.org/p/abc/agenda"}


def test_the_agenda_feed_links_to_the_base_url(world: World) -> None:
    client, token = world.client, world.tokens["D1"]
    version = wishes_and_solve(world)
    client.post(world.url(f"/schedules/{version}/publish"), headers=world.organiser)
    events = _events(client.get(f"/p/{token}/agenda.ics").content)
    assert len(events) == 2
    assert {str(e["URL"]) for e in events} == {f"http://testserver/p/{token}/agenda"}  # type: ignore[index]
    assert all(e.walk("VALARM") for e in events)  # type: ignore[attr-defined]


def test_a_meeting_gone_since_an_earlier_publication_is_a_cancelled_event() -> None:
    at = dt.datetime.fromisoformat(f"{DAY}T11:00")
    gone = CancelledMeeting("i3", "Industriel 3", at, at + dt.timedelta(minutes=15))
    kept = CancelledMeeting("i1", "Industriel 1", at, at + dt.timedelta(minutes=15))
    events = _events(participant_calendar(tiny_documents(), "d1", cancelled=[gone, kept]))
    by_uid = {str(e["UID"]): e for e in events}  # type: ignore[index]
    assert len(by_uid) == len(events) == 3  # i1 and i2 met, i3 cancelled; i1 not twice
    cancelled = by_uid[meeting_uid("Salon test & démo", "d1", "i3")]
    assert cancelled["STATUS"] == "CANCELLED"  # type: ignore[index]
    assert cancelled["DTSTART"].dt.hour == 11  # type: ignore[index]
    assert str(cancelled["SUMMARY"]).startswith("Annulé : ")  # type: ignore[index]
    assert by_uid[meeting_uid("Salon test & démo", "d1", "i1")]["STATUS"] == "CONFIRMED"  # type: ignore[index]


def test_a_wish_withdrawn_after_publication_cancels_its_meeting_in_the_calendar(
    world: World,
) -> None:
    client, token = world.client, world.tokens["D1"]
    first = wishes_and_solve(world)
    client.post(world.url(f"/schedules/{first}/publish"), headers=world.organiser)
    before = {str(e["UID"]): e for e in _events(client.get(f"/p/{token}/agenda.ics").content)}  # type: ignore[index]
    assert {str(e["STATUS"]) for e in before.values()} == {"CONFIRMED"}  # type: ignore[index]
    response = client.put("/me/wishes", json={"wishes": [{"to": "D2"}]}, headers=world.me("I2"))
    assert response.status_code == 200, response.text
    response = client.post(world.url("/solves"), json={"time_limit": 5}, headers=world.organiser)
    job = wait_for_job(client, world.organiser, world.salon_id, response.json()["id"])
    client.post(world.url(f"/schedules/{job['schedule_version']}/publish"), headers=world.organiser)
    after = {str(e["UID"]): e for e in _events(client.get(f"/p/{token}/agenda.ics").content)}  # type: ignore[index]
    assert set(after) == set(before)  # the same two events: one kept, one cancelled
    statuses = sorted(str(e["STATUS"]) for e in after.values())  # type: ignore[index]
    assert statuses == ["CANCELLED", "CONFIRMED"]
    [gone] = [e for e in after.values() if str(e["STATUS"]) == "CANCELLED"]  # type: ignore[index]
    assert gone["DTSTART"].dt == before[str(gone["UID"])]["DTSTART"].dt  # type: ignore[index]
