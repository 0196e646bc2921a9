"""Exports of a search: iCalendar parsed back by the icalendar library, CSV, JSON, Atom."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

from catalogue_helpers import contributor_headers, create_event, moderator_headers, publish
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy.orm import Session

from api.settings import Settings

PARIS = ZoneInfo("Europe/Paris")
ATOM = "{http://www.w3.org/2005/Atom}"


def two_published(client: TestClient, settings: Settings) -> tuple[dict, dict]:
    agent = contributor_headers(client, settings.outbox_dir)
    moderator = moderator_headers(client)
    first = create_event(client, agent, title="Atelier du 14", themes=["Design", "Numérique"])
    second = create_event(
        client, agent, title="Webinaire en deux dates", format="webinaire",
        attendance_mode="online", place=None, online_url="https://visio.example/w",
        themes=["Données"],
        timings=[{"start": "2030-11-20T14:00", "end": "2030-11-20T15:00"},
                 {"start": "2030-11-06T10:00", "end": "2030-11-06T11:00"}],
        status="cancelled",
    )
    create_event(client, agent, title="Brouillon jamais publié")
    publish(client, moderator, first["id"], agent)
    publish(client, moderator, second["id"], agent)
    return first, second


def test_icalendar_parsed_back(client: TestClient, session: Session, settings: Settings) -> None:
    first, second = two_published(client, settings)
    answer = client.get("/catalogue/api/export/events.ics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(answer.content)
    assert calendar.get("X-WR-CALNAME") == "Catalogue des événements"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    events = calendar.walk("VEVENT")
    summaries = [str(e["SUMMARY"]) for e in events]
    assert summaries == ["Webinaire en deux dates", "Webinaire en deux dates", "Atelier du 14"]
    atelier = events[2]
    start, end = atelier.decoded("DTSTART"), atelier.decoded("DTEND")
    assert start == dt.datetime(2030, 11, 14, 9, 30, tzinfo=PARIS)
    assert end == dt.datetime(2030, 11, 14, 12, 0, tzinfo=PARIS)
    assert str(atelier["LOCATION"]) == "Hôtel de ville, 1 place de la Mairie, 69001 Lyon"
    assert str(atelier["URL"]) == f"http://testserver/catalogue/events/{first['id']}"
    assert str(atelier["STATUS"]) == "CONFIRMED"
    assert [str(c) for c in atelier["CATEGORIES"].cats] == ["Design", "Numérique"]
    assert "Au programme" in str(atelier["DESCRIPTION"])
    webinar_dates = sorted(e.decoded("DTSTART") for e in events[:2])
    assert webinar_dates == [dt.datetime(2030, 11, 6, 10, 0, tzinfo=PARIS),
                             dt.datetime(2030, 11, 20, 14, 0, tzinfo=PARIS)]
    assert {str(e["STATUS"]) for e in events[:2]} == {"CANCELLED"}
    assert str(events[0]["LOCATION"]) == "https://visio.example/w"
    assert len({str(e["UID"]) for e in events}) == 3
    online = client.get("/catalogue/api/export/events.ics?mode=online")
    filtered = Calendar.from_ical(online.content)
    assert len(filtered.walk("VEVENT")) == 2


def test_csv(client: TestClient, session: Session, settings: Settings) -> None:
    first, second = two_published(client, settings)
    answer = client.get("/catalogue/api/export/events.csv?lang=en")
    assert answer.headers["content-type"].startswith("text/csv")
    text = answer.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [row["title"] for row in rows] == ["Webinaire en deux dates", "Atelier du 14"]
    webinar, atelier = rows
    assert webinar["start"] == "2030-11-06T10:00:00+01:00"
    assert webinar["end"] == "2030-11-20T15:00:00+01:00"
    assert webinar["timings"].count("/") == 2 and webinar["status"] == "Cancelled"
    assert atelier["departement_name"] == "Rhône"
    assert atelier["region_name"] == "Auvergne-Rhône-Alpes"
    assert atelier["attendance_mode"] == "On site" and atelier["format"] == "Workshop"
    assert atelier["accessibility"] == "Motor impairment"
    assert atelier["url"] == f"http://testserver/catalogue/events/{first['id']}"


def test_json(client: TestClient, session: Session, settings: Settings) -> None:
    first, second = two_published(client, settings)
    body = client.get("/catalogue/api/export/events.json?theme=Design").json()
    assert body["count"] == 1 and body["data"][0]["id"] == first["id"]
    assert body["data"][0]["place"]["departement"] == {"code": "69", "name": "Rhône"}
    assert body["data"][0]["timings"] == [
        {"start": "2030-11-14T09:30:00+01:00", "end": "2030-11-14T12:00:00+01:00"}]
    everything = client.get("/catalogue/api/export/events.json").json()
    assert [e["title"] for e in everything["data"]] == ["Webinaire en deux dates", "Atelier du 14"]


def test_atom_feed_newest_first(client: TestClient, session: Session, settings: Settings) -> None:
    first, second = two_published(client, settings)
    answer = client.get("/catalogue/api/feed.atom")
    assert answer.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(answer.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "Nouveaux événements du catalogue"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Webinaire en deux dates", "Atelier du 14"]  # published last, first
    atelier = entries[1]
    assert atelier.findtext(f"{ATOM}id") == f"http://testserver/catalogue/events/{first['id']}"
    assert atelier.find(f"{ATOM}link").get("href").endswith(f"/catalogue/events/{first['id']}")
    assert [c.get("term") for c in atelier.findall(f"{ATOM}category")] == ["Design", "Numérique"]
    assert "<li>immersion</li>" in atelier.findtext(f"{ATOM}content")
    assert atelier.find(f"{ATOM}content").get("type") == "html"
    narrowed = ET.fromstring(client.get("/catalogue/api/feed.atom?format=webinaire").content)
    assert len(narrowed.findall(f"{ATOM}entry")) == 1


def test_search_page_links_to_exports_of_the_same_search(
    client: TestClient, session: Session, settings: Settings
) -> None:
    two_published(client, settings)
    page = client.get("/catalogue/?theme=Design&q=atelier").text
    for path in ("export/events.ics", "export/events.csv", "export/events.json", "feed.atom"):
        assert f"/catalogue/api/{path}?q=atelier&amp;theme=Design" in page
    ics = client.get("/catalogue/api/export/events.ics?q=atelier&theme=Design")
    assert len(Calendar.from_ical(ics.content).walk("VEVENT")) == 1
    assert json.loads(client.get("/catalogue/api/export/events.json?q=zzz").text)["count"] == 0
