"""The guide page: editions, tracks (with their published steps) and formats, each a link."""

from __future__ import annotations

import re

from catalogue_helpers import contributor_headers, create_event, moderator_headers, publish
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.settings import Settings


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</ul>", start)]


def test_guide_lists_editions_tracks_and_formats(
    client: TestClient, session: Session, settings: Settings
) -> None:
    agent = contributor_headers(client, settings.outbox_dir)
    moderator = moderator_headers(client)
    step = create_event(client, agent, title="Étape publiée", track="climat", track_step=1)
    create_event(client, agent, title="Étape en brouillon", track="climat", track_step=2)
    publish(client, moderator, step["id"], agent)

    page = client.get("/catalogue/guide")
    assert page.status_code == 200
    editions = client.get("/catalogue/api/editions").json()["data"]
    listed = _section(page.text, "editions")
    for edition in editions:
        assert f'href="/catalogue/?edition={edition["slug"]}"' in listed
    tracks = _section(page.text, "tracks")
    climat = tracks[tracks.index('href="/catalogue/tracks/climat"') :]
    assert re.search(r'<p class="meta">1 étape</p>', climat)  # the draft is not counted
    formats = client.get("/catalogue/api/formats").json()["data"]
    links = re.findall(r'href="/catalogue/\?format=([a-z0-9-]+)"', _section(page.text, "formats"))
    assert links == [f["slug"] for f in formats]
    english = client.get("/catalogue/guide", params={"lang": "en"}).text
    assert "Editions, tracks and formats" in english and formats[0]["label_en"] in english
    search = client.get("/catalogue/", params={"format": formats[0]["slug"]})
    assert search.status_code == 200
