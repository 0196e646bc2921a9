"""The calendar feed's alarms and absolute URLs (issue 13): a VALARM before each meeting, the URL
only when absolute (RFC 5545), and the participant page's feed linking to SALON_BASE_URL."""

from __future__ import annotations

import datetime as dt

from documents_helpers import tiny_documents
from icalendar import Calendar
from pages_helpers import wishes_and_solve
from service_helpers import World

from api.documents import participant_calendar


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
