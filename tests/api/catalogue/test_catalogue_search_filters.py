"""The search page lists the filters in use, each with a link removing it; a search that finds
nothing suggests the filters to remove, with how many events each removal would show."""

from __future__ import annotations

import html
import re

from catalogue_helpers import contributor_headers, create_event, moderator_headers, publish
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.settings import Settings

ONLINE = {"attendance_mode": "online", "online_url": "https://visio.example/w", "place": None,
          "format": "webinaire", "title": "Webinaire données"}


def links(page: str) -> dict[str, str]:
    """{link text: href} of the page."""
    return {
        " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split()): html.unescape(href)
        for href, text in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', page, re.S)
    }


def test_filters_in_use_and_suggestions_when_nothing_matches(
    client: TestClient, session: Session, settings: Settings
) -> None:
    agent = contributor_headers(client, settings.outbox_dir)
    moderator = moderator_headers(client)
    for overrides in ({}, ONLINE):
        publish(client, moderator, create_event(client, agent, **overrides)["id"], agent)

    found = client.get("/catalogue/", params={"format": "atelier", "q": "atelier"})
    assert found.status_code == 200 and "Filtres actifs" in found.text
    shown = links(found.text)
    assert shown["Format : Atelier ×"] == "/catalogue/?q=atelier"
    assert shown["Mots-clés : atelier ×"] == "/catalogue/?format=atelier"
    assert "Essayez de retirer un filtre" not in found.text

    empty = client.get("/catalogue/", params={"format": "atelier", "mode": "online",
                                               "date_from": "2030-11-14"})
    assert empty.status_code == 200 and "Aucun événement ne correspond" in empty.text
    assert "Essayez de retirer un filtre" in empty.text and "Filtres actifs" not in empty.text
    shown = links(empty.text)
    without_format = "Retirer le filtre Format : Atelier"
    without_mode = "Retirer le filtre Modalité : En ligne"
    assert shown[without_format] == "/catalogue/?date_from=2030-11-14&mode=online"
    assert shown[without_mode] == "/catalogue/?date_from=2030-11-14&format=atelier"
    without_day = shown["Retirer le filtre Du : " + _day(empty.text)]
    assert without_day == "/catalogue/?format=atelier&mode=online"
    assert shown["Voir tous les événements"] == "/catalogue/"
    assert re.search(r"Modalité : En ligne</a> – 1 événement", empty.text)
    for href in (shown[without_format], shown[without_mode]):
        assert "1 événement" in client.get(href).text

    english = client.get("/catalogue/", params={"format": "atelier", "mode": "online",
                                                 "lang": "en"})
    assert "Try removing a filter" in english.text and "Attendance: Online" in english.text
    assert "See every event" in english.text
    nothing = client.get("/catalogue/", params={"q": "introuvable", "lang": "fr"})
    assert "Retirer le filtre Mots-clés : introuvable" in html.unescape(nothing.text)


def _day(page: str) -> str:
    found = re.search(r"Retirer le filtre Du : ([^<]+)</a>", html.unescape(page))
    assert found
    return found.group(1).strip()
