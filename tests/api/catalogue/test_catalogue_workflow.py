"""The moderation workflow through the JSON API: transitions allowed and refused, deadline,
rejection reasons, withdrawal, visibility of unpublished events, audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from catalogue_helpers import contributor_headers, create_event, moderator_headers, publish
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.catalogue import service
from api.catalogue.schemas import EditionUpdate
from api.settings import Settings

Headers = dict[str, str]
Drafted = tuple[Headers, Headers, dict[str, Any]]


@pytest.fixture
def drafted(client: TestClient, session: Session, settings: Settings) -> Drafted:
    """A contributor's and a moderator's headers, and a draft of the contributor."""
    agent = contributor_headers(client, settings.outbox_dir)
    return agent, moderator_headers(client), create_event(client, agent)


def move(client: TestClient, headers: dict[str, str], event_id: int, action: str,
         message: str | None = None, *, moderation: bool = False):
    prefix = "moderation/events" if moderation else "me/events"
    body = {"message": message} if message is not None else None
    return client.post(f"/catalogue/api/{prefix}/{event_id}/{action}", json=body, headers=headers)


def test_draft_submitted_published_and_public(
    client: TestClient, drafted: Drafted
) -> None:
    agent, moderator, event = drafted
    assert event["state"] == "draft"
    assert client.get(f"/catalogue/api/events/{event['id']}").status_code == 404

    submitted = move(client, agent, event["id"], "submit")
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    queue = client.get("/catalogue/api/moderation/queue", headers=moderator).json()
    assert [e["id"] for e in queue["data"]] == [event["id"]] and queue["count"] == 1

    published = move(client, moderator, event["id"], "publish", moderation=True)
    assert published.json()["state"] == "published"
    public = client.get(f"/catalogue/api/events/{event['id']}")
    assert public.status_code == 200 and public.json()["title"] == event["title"]
    assert public.json()["moderation_message"] is None
    assert client.get("/catalogue/api/events").json()["count"] == 1


def test_moderation_queue_pages_with_offset_and_limit(
    client: TestClient, drafted: Drafted
) -> None:
    agent, moderator, first = drafted
    others = [create_event(client, agent, title=f"Atelier {n}") for n in (2, 3)]
    for event in (first, *others):
        assert move(client, agent, event["id"], "submit").status_code == 200
    url = "/catalogue/api/moderation/queue"
    whole = client.get(url, headers=moderator).json()
    assert whole["count"] == 3 and len(whole["data"]) == 3
    second = client.get(url, params={"offset": 1, "limit": 1}, headers=moderator).json()
    assert second["count"] == 3 and [e["id"] for e in second["data"]] == [whole["data"][1]["id"]]
    assert client.get(url, params={"limit": 500}, headers=moderator).json()["count"] == 3
    for params, field in (({"limit": 501}, "limit"), ({"offset": -1}, "offset"),
                          ({"page": 2}, "page"), ({"per_page": 10}, "per_page")):
        refused = client.get(url, params=params, headers=moderator)
        assert refused.status_code == 422, params
        assert [e["field"] for e in refused.json()["detail"]["errors"]] == [field], params


def test_changes_requested_then_resubmitted(
    client: TestClient, drafted: Drafted
) -> None:
    agent, moderator, event = drafted
    move(client, agent, event["id"], "submit")
    asked = move(client, moderator, event["id"], "request-changes",
                 "Précisez le public visé.", moderation=True)
    assert asked.json()["state"] == "changes_requested"
    mine = client.get(f"/catalogue/api/me/events/{event['id']}", headers=agent).json()
    assert mine["moderation_message"] == "Précisez le public visé."
    changed = client.patch(f"/catalogue/api/me/events/{event['id']}",
                           json={"audiences": ["agents_publics", "elus"]}, headers=agent)
    assert changed.status_code == 200 and changed.json()["audiences"] == ["agents_publics", "elus"]
    again = move(client, agent, event["id"], "submit")
    assert again.json()["state"] == "submitted" and again.json()["moderation_message"] is None


def test_rejection_needs_a_reason_shown_to_the_contributor(
    client: TestClient, drafted: Drafted
) -> None:
    agent, moderator, event = drafted
    move(client, agent, event["id"], "submit")
    refused = move(client, moderator, event["id"], "reject", moderation=True)
    assert refused.status_code == 422
    assert refused.json()["detail"]["code"] == "message_required"
    rejected = move(client, moderator, event["id"], "reject", "Hors du champ de l'édition.",
                    moderation=True)
    assert rejected.json()["state"] == "rejected"
    mine = client.get("/catalogue/api/me/events", headers=agent).json()["data"][0]
    assert mine["state"] == "rejected"
    assert mine["moderation_message"] == "Hors du champ de l'édition."
    page = client.get(f"/catalogue/my/events/{event['id']}", headers=agent)
    assert "Motif du refus" in page.text and "Hors du champ de l&#39;édition." in page.text


@pytest.mark.parametrize(
    ("path", "who", "action", "code", "status"),
    [
        ([], "moderator", "publish", "transition_not_allowed", 409),  # draft cannot be published
        ([], "contributor", "publish", "not_found", 404),  # no such contributor action
        (["submit"], "contributor", "submit", "transition_not_allowed", 409),
        (["submit", "publish"], "moderator", "reject", "transition_not_allowed", 409),
        (["submit", "publish"], "contributor", "submit", "transition_not_allowed", 409),
        (["withdraw"], "contributor", "submit", "transition_not_allowed", 409),
        (["submit", "reject"], "moderator", "publish", "transition_not_allowed", 409),
        (["submit", "reject"], "contributor", "withdraw", "transition_not_allowed", 409),
        (["submit", "request-changes"], "moderator", "publish", "transition_not_allowed", 409),
    ],
)
def test_refused_transitions(
    client: TestClient, drafted: Drafted,
    path: list[str], who: str, action: str, code: str, status: int,
) -> None:
    agent, moderator, event = drafted
    for step in path:
        by_moderator = step in ("publish", "reject", "request-changes")
        headers = moderator if by_moderator else agent
        answer = move(client, headers, event["id"], step, "motif", moderation=by_moderator)
        assert answer.status_code == 200, answer.text
    headers = moderator if who == "moderator" else agent
    answer = move(client, headers, event["id"], action, "motif", moderation=who == "moderator")
    assert answer.status_code == status, answer.text
    assert answer.json()["detail"]["code"] == code
    assert answer.json()["detail"]["message"]


def test_withdrawn_by_its_contributor_even_once_published(
    client: TestClient, drafted: Drafted
) -> None:
    agent, moderator, event = drafted
    publish(client, moderator, event["id"], agent)
    assert client.get(f"/catalogue/api/events/{event['id']}").status_code == 200
    assert move(client, moderator, event["id"], "withdraw", moderation=True).status_code == 404
    withdrawn = move(client, agent, event["id"], "withdraw")
    assert withdrawn.json()["state"] == "withdrawn"
    assert client.get(f"/catalogue/api/events/{event['id']}").status_code == 404
    assert client.get("/catalogue/api/events").json()["count"] == 0
    assert client.get(f"/catalogue/events/{event['id']}").status_code == 404


def test_contributors_only_reach_their_own_events(
    client: TestClient, session: Session, settings: Settings
) -> None:
    alice = contributor_headers(client, settings.outbox_dir)
    bob = contributor_headers(client, settings.outbox_dir)
    event = create_event(client, alice)
    assert client.get(f"/catalogue/api/me/events/{event['id']}", headers=bob).status_code == 404
    patched = client.patch(f"/catalogue/api/me/events/{event['id']}", json={"title": "x"},
                           headers=bob)
    assert patched.status_code == 404
    assert move(client, bob, event["id"], "submit").status_code == 404
    assert client.get("/catalogue/api/me/events", headers=bob).json() == {"data": [], "count": 0}
    assert client.get("/catalogue/api/me/events").status_code == 401
    assert client.get("/catalogue/api/moderation/queue", headers=alice).status_code == 401


def test_published_events_only_change_status_for_contributors(
    client: TestClient, drafted: Drafted
) -> None:
    agent, moderator, event = drafted
    publish(client, moderator, event["id"], agent)
    refused = client.patch(f"/catalogue/api/me/events/{event['id']}", json={"title": "Autre"},
                           headers=agent)
    assert refused.status_code == 409 and refused.json()["detail"]["code"] == "not_editable"
    full = client.patch(f"/catalogue/api/me/events/{event['id']}", json={"status": "full"},
                        headers=agent)
    assert full.status_code == 200 and full.json()["status"] == "full"
    assert client.get(f"/catalogue/api/events/{event['id']}").json()["status"] == "full"
    moderated = client.patch(f"/catalogue/api/moderation/events/{event['id']}",
                             json={"title": "Titre corrigé"}, headers=moderator)
    assert moderated.status_code == 200 and moderated.json()["title"] == "Titre corrigé"


def test_deadline_stops_contributors_not_moderators(
    client: TestClient, session: Session, settings: Settings
) -> None:
    agent = contributor_headers(client, settings.outbox_dir)
    moderator = moderator_headers(client)
    draft = create_event(client, agent)
    asked = create_event(client, agent, title="Événement à corriger")
    move(client, agent, asked["id"], "submit")
    move(client, moderator, asked["id"], "request-changes", "Ajoutez l'adresse.", moderation=True)
    closed = client.patch("/catalogue/api/moderation/editions/mois-2030",
                          json={"submission_deadline": "2020-01-01T00:00:00+01:00"},
                          headers=moderator)
    assert closed.status_code == 200 and closed.json()["submissions_open"] is False

    late = move(client, agent, draft["id"], "submit")
    assert late.status_code == 409
    assert late.json()["detail"]["code"] == "deadline_passed"
    assert "date limite de dépôt" in late.json()["detail"]["message"]
    english = client.post(f"/catalogue/api/me/events/{draft['id']}/submit", headers=agent,
                          params={"lang": "en"})
    assert "submission deadline" in english.json()["detail"]["message"]
    created = client.post("/catalogue/api/me/events", json=create_payload(), headers=agent)
    assert created.status_code == 409 and created.json()["detail"]["code"] == "deadline_passed"
    page = client.get("/catalogue/my", headers=agent)
    assert "date limite de dépôt" in page.text and "/catalogue/my/events/new" not in page.text

    resubmitted = move(client, agent, asked["id"], "submit")  # not a new event
    assert resubmitted.status_code == 200 and resubmitted.json()["state"] == "submitted"
    by_moderator = move(client, moderator, draft["id"], "submit", moderation=True)
    assert by_moderator.status_code == 200 and by_moderator.json()["state"] == "submitted"
    created = client.post("/catalogue/api/moderation/events", json=create_payload(),
                          headers=moderator)
    assert created.status_code == 201


def create_payload() -> dict[str, object]:
    from catalogue_helpers import event_payload

    return event_payload(title="Proposé après la date limite")


def test_every_change_is_in_the_audit_trail(
    client: TestClient, session: Session, settings: Settings
) -> None:
    agent = contributor_headers(client, settings.outbox_dir, "camille@administration.example")
    moderator = moderator_headers(client, "moderation@example.org")
    event = create_event(client, agent)
    client.patch(f"/catalogue/api/me/events/{event['id']}",
                 json={"title": "Nouveau titre", "timings": [
                     {"start": "2030-11-15T14:00", "end": "2030-11-15T16:00"}]}, headers=agent)
    move(client, agent, event["id"], "submit")
    move(client, moderator, event["id"], "request-changes", "Précisez.", moderation=True)
    move(client, agent, event["id"], "submit")
    move(client, moderator, event["id"], "publish", moderation=True)
    history = client.get(f"/catalogue/api/moderation/events/{event['id']}/history",
                         headers=moderator).json()
    actions = [(entry["action"], entry["actor"]) for entry in history["data"]]
    assert actions == [
        ("create", "camille@administration.example"),
        ("update", "camille@administration.example"),
        ("submit", "camille@administration.example"),
        ("request_changes", "moderation@example.org"),
        ("submit", "camille@administration.example"),
        ("publish", "moderation@example.org"),
    ]
    update = history["data"][1]
    assert update["changes"]["title"] == ["Atelier design des services publics", "Nouveau titre"]
    assert set(update["changes"]) == {"title", "timings"}
    assert history["data"][3]["note"] == "Précisez."
    assert history["data"][5]["changes"] == {"state": ["submitted", "published"]}
    assert all(entry["at"] for entry in history["data"])
    own = client.get(f"/catalogue/api/me/events/{event['id']}/history", headers=agent).json()
    assert own["count"] == 6


def test_moderators_manage_formats_and_deadline_with_audit(
    client: TestClient, session: Session, settings: Settings
) -> None:
    moderator = moderator_headers(client)
    created = client.post("/catalogue/api/moderation/formats", headers=moderator,
                          json={"slug": "visite", "label_fr": "Visite", "label_en": "Visit"})
    assert created.status_code == 201
    assert "visite" in [f["slug"] for f in client.get("/catalogue/api/formats").json()["data"]]
    client.patch("/catalogue/api/moderation/formats/visite", json={"active": False},
                 headers=moderator)
    assert "visite" not in [f["slug"] for f in client.get("/catalogue/api/formats").json()["data"]]
    agent = contributor_headers(client, settings.outbox_dir)
    refused = client.post("/catalogue/api/me/events", json=create_payload() | {"format": "visite"},
                          headers=agent)
    assert refused.status_code == 422
    assert refused.json()["detail"]["errors"] == [
        {"field": "format", "message": "Ce format n'est plus proposé : « visite »."}
    ]
    service.update_edition(session, actor=service.SYSTEM, slug="mois-2030",
                           data=EditionUpdate(title="Mois 2030"))
    from api.catalogue import storage

    visite = storage.get_format(session, slug="visite")
    assert visite is not None
    trail = storage.audit_entries(session, entity="format", entity_id=visite.id)
    assert [entry.action for entry in trail] == ["create", "update"]
    assert trail[1].changes == {"active": [True, False]}
