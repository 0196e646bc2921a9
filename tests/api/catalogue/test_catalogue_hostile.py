"""Hostile text in titles, descriptions, places, organisers, themes, tracks and moderation
messages stays inert on every page and in every export."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from urllib.parse import quote

from catalogue_helpers import (
    contributor_headers,
    create_event,
    event_payload,
    moderator_headers,
    parse_page,
    publish,
)
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy.orm import Session

from api.settings import Settings

TITLE = "<script>alert(\"t\")</script>\"'&<img src=x onerror=alert(1)>"
SHORT = "</script><svg onload=alert(2)> & </title>"
LONG = (
    "<script>alert(3)</script>\n\n[clic](javascript:alert(4))\n\n"
    '<a href="javascript:alert(5)">x</a>\n\n![image](x" onerror="alert(6))\n\n'
    "**gras** <style>body{display:none}</style>"
)
THEME = "<b onmouseover=alert(7)>thème</b>"
KEYWORD = '"><script>alert(8)</script>'
PLACE = "<iframe src=javascript:alert(9)>"
ORGANIZER = "</script><script>alert(10)</script>"
TRACK = "<script>alert(11)</script> Parcours"
MESSAGE = "<script>alert(12)</script> Merci de corriger"
FORMULA = "=HYPERLINK(\"http://evil.example\",\"clic\")"
FORBIDDEN_TAGS = {"iframe", "svg", "img", "object", "embed", "b", "title"}


def assert_inert_page(html: str, *, jsonld: int = 0, document: bool = True) -> None:
    """No element, attribute, script or URL came from the hostile text: it is all text."""
    assert "<script>alert" not in html and "</script><" not in html.replace(
        "</script>\n</head>", "")
    page = parse_page(html)
    assert page.event_handlers == []
    assert not FORBIDDEN_TAGS & set(page.tags[page.tags.index("body"):] if document else page.tags)
    assert page.tags.count("style") == (1 if document else 0)
    assert page.tags.count("title") == (1 if document else 0)
    assert not [url for url in page.urls if url.strip().lower().startswith("javascript:")]
    assert [a.get("type") for a, _ in page.scripts] == ["application/ld+json"] * jsonld
    for _attributes, text in page.scripts:
        json.loads(text)


def hostile_catalogue(client: TestClient, settings: Settings) -> dict[str, object]:
    moderator = moderator_headers(client)
    created = client.post("/catalogue/api/moderation/tracks", headers=moderator,
                          json={"slug": "hostile", "title": TRACK, "description": TRACK})
    assert created.status_code == 201
    agent = contributor_headers(client, settings.outbox_dir)
    place = event_payload()["place"] | {"name": PLACE}
    event = create_event(
        client, agent, title=TITLE, short_description=SHORT, long_description=LONG,
        themes=[THEME], keywords=[KEYWORD], place=place, track="hostile", track_step=1,
        organizer={"structure": ORGANIZER, "contact_name": TITLE},
        attendance_mode="mixed", online_url="https://visio.example/?q=<script>",
    )
    formula = create_event(client, agent, title=FORMULA,
                           organizer={"structure": "@SUM(1+1)"}, short_description="-2+3")
    publish(client, moderator, event["id"], agent)
    publish(client, moderator, formula["id"], agent)
    pending = create_event(client, agent, title=TITLE + " (à corriger)")
    client.post(f"/catalogue/api/me/events/{pending['id']}/submit", headers=agent)
    asked = client.post(f"/catalogue/api/moderation/events/{pending['id']}/request-changes",
                        json={"message": MESSAGE}, headers=moderator)
    assert asked.status_code == 200
    return {"event": event, "formula": formula, "pending": pending, "agent": agent,
            "moderator": moderator}


def test_public_pages(client: TestClient, session: Session, settings: Settings) -> None:
    world = hostile_catalogue(client, settings)
    event = world["event"]
    assert isinstance(event, dict)
    search = client.get("/catalogue/?q=" + quote("<script>alert(0)</script> alert"))
    assert search.status_code == 200
    assert_inert_page(search.text)
    listing = client.get("/catalogue/").text
    assert_inert_page(listing)
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in listing
    by_theme = client.get("/catalogue/", params={"theme": THEME}).text
    assert_inert_page(by_theme)
    page = client.get(f"/catalogue/events/{event['id']}").text
    assert_inert_page(page, jsonld=1)
    assert "<strong>gras</strong>" in page  # the Markdown still renders
    data = next(json.loads(text) for _a, text in parse_page(page).scripts)
    assert data["name"] == TITLE and data["organizer"]["name"] == ORGANIZER
    track = client.get("/catalogue/tracks/hostile").text
    assert_inert_page(track, jsonld=1)
    missing = client.get("/catalogue/tracks/" + quote("<img src=x onerror=alert(13)>"))
    assert missing.status_code == 404
    assert_inert_page(missing.text)


def test_contributor_and_moderator_pages(
    client: TestClient, session: Session, settings: Settings
) -> None:
    world = hostile_catalogue(client, settings)
    agent, moderator = world["agent"], world["moderator"]
    assert isinstance(agent, dict) and isinstance(moderator, dict)
    pending, event = world["pending"], world["event"]
    assert isinstance(pending, dict) and isinstance(event, dict)
    for path in ("/catalogue/my", f"/catalogue/my/events/{pending['id']}",
                 f"/catalogue/my/events/{event['id']}", "/catalogue/my/events/new"):
        answer = client.get(path, headers=agent)
        assert answer.status_code == 200, path
        assert_inert_page(answer.text)
    client.post("/catalogue/moderation/login",
                data={"api_key": moderator["Authorization"].split()[1]})
    for path in ("/catalogue/moderation?state=published",
                 "/catalogue/moderation?state=changes_requested",
                 f"/catalogue/moderation/events/{pending['id']}",
                 f"/catalogue/moderation/events/{event['id']}"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert_inert_page(answer.text)
    assert "Merci de corriger" in client.get(f"/catalogue/moderation/events/{pending['id']}").text


def test_exports(client: TestClient, session: Session, settings: Settings) -> None:
    world = hostile_catalogue(client, settings)
    event = world["event"]
    assert isinstance(event, dict)
    calendar = Calendar.from_ical(client.get("/catalogue/api/export/events.ics").content)
    summaries = {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
    assert summaries == {TITLE, FORMULA}
    description = next(str(e["DESCRIPTION"]) for e in calendar.walk("VEVENT")
                       if str(e["SUMMARY"]) == TITLE)
    assert description.startswith(SHORT)

    text = client.get("/catalogue/api/export/events.csv").content.decode("utf-8-sig")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    formula_event = world["formula"]
    assert isinstance(formula_event, dict)
    hostile, formula = rows[str(event["id"])], rows[str(formula_event["id"])]
    assert hostile["title"] == TITLE and hostile["themes"] == THEME
    assert formula["title"] == "'" + FORMULA
    assert formula["organizer"] == "'@SUM(1+1)"
    assert formula["short_description"] == "'-2+3"

    exported = client.get("/catalogue/api/export/events.json").json()
    data = {item["id"]: item for item in exported["data"]}[event["id"]]
    assert data["title"] == TITLE and data["long_description"] == LONG
    assert_inert_page(data["long_description_html"], document=False)
    assert "<strong>gras</strong>" in data["long_description_html"]

    feed = ET.fromstring(client.get("/catalogue/api/feed.atom").content)
    atom = "{http://www.w3.org/2005/Atom}"
    entry = next(e for e in feed.findall(f"{atom}entry") if e.findtext(f"{atom}title") == TITLE)
    content = entry.findtext(f"{atom}content") or ""
    assert_inert_page(content, document=False)
    assert "<strong>gras</strong>" in content
    assert entry.findtext(f"{atom}summary") == SHORT
    assert [c.get("term") for c in entry.findall(f"{atom}category")] == [THEME]
