"""The HTML side: sign-in by magic link, the event form without JavaScript, moderation pages,
language switch, labels on every field, form tokens."""

from __future__ import annotations

import re

from catalogue_helpers import (
    contributor_headers,
    create_event,
    csrf_of,
    magic_token,
    moderator_headers,
    parse_page,
    publish,
    sign_in_on_pages,
)
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.mail import read_outbox
from api.settings import Settings


def assert_accessible(html: str) -> None:
    """lang on <html>, one h1, a label for every field, no script but JSON-LD."""
    page = parse_page(html)
    assert page.html_lang in ("fr", "en")
    assert page.tags.count("h1") == 1
    assert page.tags.count("main") == 1
    unlabelled = [c for c in page.controls if c.get("id") not in page.label_for]
    assert unlabelled == []
    assert all(a.get("type") == "application/ld+json" for a, _ in page.scripts)


def form_fields(html: str) -> dict[str, str]:
    """The form data of a valid on-site event (as a browser would post it)."""
    return {
        "csrf": csrf_of(html),
        "title": "Atelier au formulaire",
        "short_description": "Saisi dans la page.",
        "long_description": "Texte **Markdown**.",
        "format": "atelier",
        "themes": "Design, Numérique",
        "keywords": "usagers",
        "timings-0-start": "2030-11-14T09:30",
        "timings-0-end": "2030-11-14T12:00",
        "timings-1-start": "",
        "timings-1-end": "",
        "attendance_mode": "on_site",
        "online_url": "",
        "place_name": "Mairie",
        "place_address": "1 place de la Mairie",
        "postal_code": "69001",
        "commune": "Lyon",
        "departement": "69",
        "region": "",
        "registration_url": "",
        "registration_email": "inscription@ville.example",
        "organizer_structure": "Ville de Lyon",
        "organizer_contact_name": "",
        "organizer_contact_email": "",
        "track": "",
        "track_step": "",
        "status": "scheduled",
    }


def test_contributor_journey_on_pages(
    client: TestClient, session: Session, settings: Settings
) -> None:
    assert client.get("/catalogue/my", follow_redirects=False).headers["location"] == (
        "/catalogue/login?next=%2Fcatalogue%2Fmy")
    sign_in_on_pages(client, settings, "agent@ville.example")
    mail = read_outbox(settings.outbox_dir)[-1]
    assert mail["Subject"] == "Votre lien de connexion au catalogue des événements"
    assert mail["From"] == settings.mail_from

    new = client.get("/catalogue/my/events/new")
    assert new.status_code == 200
    assert_accessible(new.text)
    fields = form_fields(new.text)

    more = client.post("/catalogue/my/events/new", data=fields | {"add_timing": "1"})
    assert more.status_code == 200 and 'name="timings-2-start"' in more.text

    wrong = client.post("/catalogue/my/events/new", data=fields | {
        "departement": "99", "place_name": "", "timings-0-end": "2030-11-14T08:00"})
    assert wrong.status_code == 422
    assert_accessible(wrong.text)
    assert 'role="alert"' in wrong.text and "La saisie comporte 3 erreurs." in wrong.text
    assert '<a href="#f-departement">Département inconnu : « 99 »' in wrong.text
    assert '<a href="#f-place_name">Le nom du lieu est obligatoire' in wrong.text
    assert '<a href="#f-timings-0-end">La fin (2030-11-14 08:00)' in wrong.text
    assert 'id="f-departement" name="departement" aria-describedby="f-departement-error" ' \
        'aria-invalid="true"' in wrong.text
    assert 'value="Atelier au formulaire"' in wrong.text  # what was typed is kept

    created = client.post("/catalogue/my/events/new", data=fields | {"and_submit": "1"},
                          follow_redirects=False)
    assert created.status_code == 303
    location = created.headers["location"]
    assert re.fullmatch(r"/catalogue/my/events/\d+\?done=submitted", location)
    shown = client.get(location)
    assert "L'événement est soumis à la modération." in shown.text
    assert "Soumis à la modération" in shown.text
    assert_accessible(shown.text)
    listing = client.get("/catalogue/my").text
    assert "Atelier au formulaire" in listing

    withdraw = re.search(r'action="(/catalogue/my/events/\d+/withdraw)"', shown.text)
    assert withdraw
    refused = client.post(withdraw.group(1), data={"csrf": "0" * 32})
    assert refused.status_code == 403
    done = client.post(withdraw.group(1), data={"csrf": csrf_of(shown.text)})
    assert done.status_code == 200 and "Retiré" in done.text

    out = client.post("/catalogue/logout", data={"csrf": csrf_of(listing)}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/catalogue/my", follow_redirects=False).status_code == 303


def test_magic_links_work_once_and_expire(
    client: TestClient, session: Session, settings: Settings
) -> None:
    client.post("/catalogue/api/auth/magic-link", json={"email": "Agent@Ville.Example"})
    token = magic_token(settings.outbox_dir, "agent@ville.example")
    assert client.post("/catalogue/api/auth/session", json={"token": token}).status_code == 200
    again = client.post("/catalogue/api/auth/session", json={"token": token})
    assert again.status_code == 401 and again.json()["detail"]["code"] == "invalid_link"
    bad = client.post("/catalogue/api/auth/magic-link", json={"email": "pas une adresse"})
    assert bad.status_code == 422
    assert bad.json()["detail"]["errors"][0]["field"] == "email"
    page = client.post("/catalogue/login", data={"email": "pas une adresse"})
    assert page.status_code == 422 and "Adresse électronique invalide" in page.text

    import datetime as dt

    from api.catalogue import accounts

    expired = accounts.issue_magic_link(
        session, email="agent@ville.example", now=dt.datetime(2020, 1, 1))
    late = client.post("/catalogue/api/auth/session", json={"token": expired})
    assert late.status_code == 401
    headers = contributor_headers(client, settings.outbox_dir, "agent@ville.example")
    assert client.get("/catalogue/api/me", headers=headers).json()["email"] == "agent@ville.example"
    closed = client.delete("/catalogue/api/auth/session", headers=headers)
    assert closed.status_code == 204
    assert client.get("/catalogue/api/me", headers=headers).status_code == 401


def test_moderation_pages(client: TestClient, session: Session, settings: Settings) -> None:
    agent = contributor_headers(client, settings.outbox_dir)
    event = create_event(client, agent, title="À modérer")
    client.post(f"/catalogue/api/me/events/{event['id']}/submit", headers=agent)
    assert client.get("/catalogue/moderation", follow_redirects=False).headers[
        "location"].startswith("/catalogue/moderation/login")
    wrong = client.post("/catalogue/moderation/login", data={"api_key": "salon_nope"})
    assert wrong.status_code == 401 and "Clé d&#39;API inconnue" in wrong.text
    key = moderator_headers(client, "moderation@example.org")["Authorization"].split()[1]
    client.post("/catalogue/moderation/login", data={"api_key": key})
    queue = client.get("/catalogue/moderation")
    assert queue.status_code == 200 and "À modérer" in queue.text
    assert "Soumis à la modération (1)" in queue.text
    assert_accessible(queue.text)
    review = client.get(f"/catalogue/moderation/events/{event['id']}")
    assert_accessible(review.text)
    decision = f"/catalogue/moderation/events/{event['id']}/decision"
    refused = client.post(decision, data={"csrf": csrf_of(review.text), "decision": "reject"})
    assert refused.status_code == 422
    assert "Un message pour le contributeur est obligatoire" in refused.text
    asked = client.post(decision, data={"csrf": csrf_of(review.text),
                                        "decision": "request_changes",
                                        "message": "Ajoutez le programme."})
    assert asked.status_code == 200 and "Les modifications sont demandées" in asked.text
    mine = client.get(f"/catalogue/my/events/{event['id']}", headers=agent).text
    assert "Modifications demandées par la modération" in mine
    assert "Ajoutez le programme." in mine
    history = client.get(f"/catalogue/moderation/events/{event['id']}").text
    assert "moderation@example.org" in history and "Demande de modifications" in history


def test_language_switch(client: TestClient, session: Session, settings: Settings) -> None:
    moderator = moderator_headers(client)
    agent = contributor_headers(client, settings.outbox_dir)
    event = create_event(client, agent)
    publish(client, moderator, event["id"], agent)
    french = client.get(f"/catalogue/events/{event['id']}")
    assert '<html lang="fr">' in french.text and "Informations pratiques" in french.text
    assert "jeudi 14 novembre 2030, 9 h 30 – 12 h 00" in french.text
    english = client.get(f"/catalogue/events/{event['id']}?lang=en")
    assert '<html lang="en">' in english.text and "Practical information" in english.text
    assert "Thursday 14 November 2030, 09:30 – 12:00" in english.text
    assert english.cookies.get("lang") == "en"
    remembered = client.get("/catalogue/")
    assert '<html lang="en">' in remembered.text and "Event catalogue" in remembered.text
    assert "1 event" in remembered.text and "On site" in remembered.text
    assert_accessible(remembered.text)
    back = client.get("/catalogue/?lang=fr")
    assert "1 événement" in back.text and 'hreflang="en"' in back.text


def test_public_pages_work_without_javascript(
    client: TestClient, session: Session, settings: Settings
) -> None:
    agent = contributor_headers(client, settings.outbox_dir)
    moderator = moderator_headers(client)
    for number in range(25):
        event = create_event(client, agent, title=f"Événement {number:02d}")
        publish(client, moderator, event["id"], agent)
    first = client.get("/catalogue/")
    assert_accessible(first.text)
    page = parse_page(first.text)
    assert page.scripts == []  # search, facets and pagination are plain forms and links
    assert "25 événements" in first.text
    assert 'href="/catalogue/?page=2" rel="next"' in first.text
    second = client.get("/catalogue/?page=2")
    assert "Événement 24" in second.text and "Événement 00" not in second.text
    assert 'aria-current="page"><span class="visually-hidden">Page </span>2' in second.text
    filtered = client.get("/catalogue/?format=atelier&mode=on_site&q=Événement")
    assert "25 événements" in filtered.text
    assert client.get("/catalogue/?format=webinaire").text.count('class="results"') == 0
