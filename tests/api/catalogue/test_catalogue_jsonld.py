"""schema.org JSON-LD of event pages (Event) and track pages (EventSeries)."""

from __future__ import annotations

import json
from typing import Any

from catalogue_helpers import (
    contributor_headers,
    create_event,
    moderator_headers,
    parse_page,
    publish,
)
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.settings import Settings

SCHEMA = "https://schema.org/"
REQUIRED = {"@context", "@type", "name", "startDate", "endDate", "location", "description",
            "eventAttendanceMode", "eventStatus", "organizer"}


def jsonld_of(html: str) -> Any:
    scripts = [text for attributes, text in parse_page(html).scripts
               if attributes.get("type") == "application/ld+json"]
    assert len(scripts) == 1
    return json.loads(scripts[0])


def check_event(data: dict[str, Any]) -> None:
    """The fields search engines require or recommend for an Event."""
    assert REQUIRED - {"@context"} <= set(data), REQUIRED - set(data)
    assert data["@type"] == "Event" and data["name"] and data["description"]
    assert data["startDate"] < data["endDate"]
    assert data["eventAttendanceMode"].startswith(SCHEMA)
    assert data["eventStatus"].startswith(SCHEMA + "Event")
    assert data["organizer"]["@type"] == "Organization" and data["organizer"]["name"]
    locations = data["location"] if isinstance(data["location"], list) else [data["location"]]
    for location in locations:
        if location["@type"] == "Place":
            assert location["name"]
            address = location["address"]
            assert address["@type"] == "PostalAddress"
            assert {"streetAddress", "postalCode", "addressLocality", "addressCountry"} <= set(
                address)
        else:
            assert location["@type"] == "VirtualLocation" and location["url"].startswith("http")


def test_event_pages(client: TestClient, session: Session, settings: Settings) -> None:
    agent = contributor_headers(client, settings.outbox_dir)
    moderator = moderator_headers(client)
    on_site = create_event(client, agent, track="climat", track_step=1, status="full")
    online = create_event(client, agent, title="Webinaire", attendance_mode="online", place=None,
                          online_url="https://visio.example/w", status="moved_online")
    mixed = create_event(
        client, agent, title="Mixte", attendance_mode="mixed",
        online_url="https://visio.example/m", status="cancelled",
        timings=[{"start": "2030-11-05T10:00", "end": "2030-11-05T11:00"},
                 {"start": "2030-11-12T10:00", "end": "2030-11-12T11:00"}],
    )
    for event in (on_site, online, mixed):
        publish(client, moderator, event["id"], agent)

    data = jsonld_of(client.get(f"/catalogue/events/{on_site['id']}").text)
    check_event(data)
    assert data["@context"] == "https://schema.org"
    assert data["name"] == on_site["title"]
    assert data["startDate"] == "2030-11-14T09:30:00+01:00"
    assert data["endDate"] == "2030-11-14T12:00:00+01:00"
    assert data["eventAttendanceMode"] == SCHEMA + "OfflineEventAttendanceMode"
    assert data["eventStatus"] == SCHEMA + "EventScheduled"
    assert data["offers"]["availability"] == SCHEMA + "SoldOut"  # full
    assert data["location"]["address"] == {
        "@type": "PostalAddress", "addressCountry": "FR", "streetAddress": "1 place de la Mairie",
        "postalCode": "69001", "addressLocality": "Lyon", "addressRegion": "Auvergne-Rhône-Alpes",
    }
    assert data["superEvent"] == {
        "@type": "EventSeries", "@id": "http://testserver/catalogue/tracks/climat",
        "name": "Adaptation au changement climatique",
        "url": "http://testserver/catalogue/tracks/climat",
    }
    assert data["url"] == f"http://testserver/catalogue/events/{on_site['id']}"

    data = jsonld_of(client.get(f"/catalogue/events/{online['id']}").text)
    check_event(data)
    assert data["location"] == {"@type": "VirtualLocation", "url": "https://visio.example/w"}
    assert data["eventAttendanceMode"] == SCHEMA + "OnlineEventAttendanceMode"
    assert data["eventStatus"] == SCHEMA + "EventMovedOnline"
    assert "superEvent" not in data

    data = jsonld_of(client.get(f"/catalogue/events/{mixed['id']}").text)
    check_event(data)
    assert [place["@type"] for place in data["location"]] == ["Place", "VirtualLocation"]
    assert data["eventAttendanceMode"] == SCHEMA + "MixedEventAttendanceMode"
    assert data["eventStatus"] == SCHEMA + "EventCancelled"
    assert [sub["startDate"] for sub in data["subEvent"]] == [
        "2030-11-05T10:00:00+01:00", "2030-11-12T10:00:00+01:00"]


def test_track_page_lists_published_steps_in_order(
    client: TestClient, session: Session, settings: Settings
) -> None:
    agent = contributor_headers(client, settings.outbox_dir)
    moderator = moderator_headers(client)
    third = create_event(client, agent, title="Étape trois", track="climat", track_step=3,
                         timings=[{"start": "2030-11-04T10:00", "end": "2030-11-04T12:00"}])
    first = create_event(client, agent, title="Étape une", track="climat", track_step=1,
                         timings=[{"start": "2030-11-20T10:00", "end": "2030-11-20T12:00"}])
    create_event(client, agent, title="Étape deux (brouillon)", track="climat", track_step=2)
    publish(client, moderator, third["id"], agent)
    publish(client, moderator, first["id"], agent)

    page = client.get("/catalogue/tracks/climat")
    assert page.status_code == 200
    assert page.text.index("Étape une") < page.text.index("Étape trois")
    assert "Étape deux" not in page.text
    data = jsonld_of(page.text)
    assert data["@type"] == "EventSeries"
    assert data["name"] == "Adaptation au changement climatique"
    assert [sub["name"] for sub in data["subEvent"]] == ["Étape une", "Étape trois"]
    for sub in data["subEvent"]:
        check_event(sub | {"@context": "https://schema.org"})
    assert data["startDate"] == "2030-11-04T10:00:00+01:00"
    assert data["endDate"] == "2030-11-20T12:00:00+01:00"
    api = client.get("/catalogue/api/tracks/climat").json()
    assert [step["track_step"] for step in api["steps"]] == [1, 3]
    assert client.get("/catalogue/tracks/inconnu").status_code == 404
