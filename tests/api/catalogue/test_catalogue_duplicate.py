"""A contributor duplicates one of their events (same content, other dates or place): a new
draft titled "… (copie)", in no track, refused after the deadline, audited as a copy."""

from __future__ import annotations

import html
import re

from catalogue_helpers import (
    contributor_headers,
    create_event,
    csrf_of,
    moderator_headers,
    publish,
    sign_in_on_pages,
)
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.settings import Settings

CONTENT = ("short_description", "long_description", "format", "themes", "keywords", "timings",
           "attendance_mode", "place", "audiences", "accessibility", "registration_url",
           "organizer", "edition")


def test_a_published_event_is_copied_as_a_new_draft(
    client: TestClient, session: Session, settings: Settings
) -> None:
    agent = contributor_headers(client, settings.outbox_dir)
    original = create_event(client, agent, track="climat", track_step=1)
    publish(client, moderator_headers(client), original["id"], agent)
    client.patch(f"/catalogue/api/me/events/{original['id']}", json={"status": "full"},
                 headers=agent)

    copied = client.post(f"/catalogue/api/me/events/{original['id']}/duplicate", headers=agent)
    assert copied.status_code == 201, copied.text
    copy = copied.json()
    assert copy["id"] != original["id"] and copy["state"] == "draft"
    assert copy["title"] == "Atelier design des services publics (copie)"
    assert copy["track"] is None and copy["track_step"] is None and copy["status"] == "scheduled"
    assert {key: copy[key] for key in CONTENT} == {key: original[key] for key in CONTENT}
    assert copy["published_at"] is None and copy["moderation_message"] is None

    mine = client.get("/catalogue/api/me/events", headers=agent).json()
    assert mine["count"] == 2
    public = client.get(f"/catalogue/api/events/{original['id']}").json()
    assert public["state"] == "published" and public["track"]["slug"] == "climat"
    history = client.get(f"/catalogue/api/me/events/{copy['id']}/history", headers=agent).json()
    assert [e["action"] for e in history["data"]] == ["create"]
    assert history["data"][0]["changes"]["copied_from"] == [None, original["id"]]
    changed = client.patch(f"/catalogue/api/me/events/{copy['id']}", headers=agent,
                           json={"timings": [{"start": "2030-11-21T14:00",
                                              "end": "2030-11-21T16:00"}]})
    assert changed.status_code == 200
    assert client.post(f"/catalogue/api/me/events/{copy['id']}/submit",
                       headers=agent).json()["state"] == "submitted"


def test_a_long_title_still_fits_and_others_cannot_copy(
    client: TestClient, session: Session, settings: Settings
) -> None:
    agent = contributor_headers(client, settings.outbox_dir)
    other = contributor_headers(client, settings.outbox_dir)
    original = create_event(client, agent, title="É" * 140)
    copy = client.post(f"/catalogue/api/me/events/{original['id']}/duplicate", headers=agent)
    assert copy.status_code == 201
    assert copy.json()["title"] == "É" * 132 + " (copie)"
    assert len(copy.json()["title"]) == 140
    refused = client.post(f"/catalogue/api/me/events/{original['id']}/duplicate", headers=other)
    assert refused.status_code == 404
    assert client.post("/catalogue/api/me/events/999999/duplicate", headers=agent).status_code \
        == 404
    assert client.post(f"/catalogue/api/me/events/{original['id']}/duplicate").status_code == 401


def test_no_copy_after_the_deadline(
    client: TestClient, session: Session, settings: Settings
) -> None:
    agent = contributor_headers(client, settings.outbox_dir)
    original = create_event(client, agent)
    client.patch("/catalogue/api/moderation/editions/mois-2030", headers=moderator_headers(client),
                 json={"submission_deadline": "2020-01-01T00:00:00+01:00"})
    late = client.post(f"/catalogue/api/me/events/{original['id']}/duplicate", headers=agent)
    assert late.status_code == 409 and late.json()["detail"]["code"] == "deadline_passed"
    english = client.post(f"/catalogue/api/me/events/{original['id']}/duplicate", headers=agent,
                          params={"lang": "en"})
    assert "deadline" in english.json()["detail"]["message"]
    assert client.get("/catalogue/api/me/events", headers=agent).json()["count"] == 1


def test_duplicate_button_on_the_contributor_page(
    client: TestClient, session: Session, settings: Settings
) -> None:
    sign_in_on_pages(client, settings, "camille@administration.example")
    original = client.post("/catalogue/api/me/events", json=_payload()).json()
    page = client.get(f"/catalogue/my/events/{original['id']}")
    action = f'action="/catalogue/my/events/{original["id"]}/duplicate"'
    assert action in page.text and "Dupliquer l'événement" in html.unescape(page.text)
    refused = client.post(f"/catalogue/my/events/{original['id']}/duplicate",
                          data={"csrf": "faux"})
    assert refused.status_code == 403
    copied = client.post(f"/catalogue/my/events/{original['id']}/duplicate",
                         data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert copied.status_code == 303
    location = copied.headers["location"]
    found = re.fullmatch(r"/catalogue/my/events/(\d+)\?done=duplicated", location)
    assert found and int(found.group(1)) != original["id"]
    shown = client.get(location)
    assert "La copie est enregistrée comme brouillon" in html.unescape(shown.text)
    assert 'value="Atelier design des services publics (copie)"' in html.unescape(shown.text)
    english = client.get(location + "&lang=en")
    assert "Duplicate the event" in english.text and "The copy is saved as a draft" in english.text

    client.patch("/catalogue/api/moderation/editions/mois-2030", headers=moderator_headers(client),
                 json={"submission_deadline": "2020-01-01T00:00:00+01:00"})
    closed = client.get(f"/catalogue/my/events/{original['id']}?lang=fr")
    assert action not in closed.text
    late = client.post(f"/catalogue/my/events/{original['id']}/duplicate",
                       data={"csrf": csrf_of(closed.text)})
    assert late.status_code == 409 and "date limite de dépôt" in html.unescape(late.text)


def _payload() -> dict[str, object]:
    from catalogue_helpers import event_payload

    return event_payload()
