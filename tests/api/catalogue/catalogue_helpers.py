"""Helpers of the catalogue tests: a small edition, valid payloads, signed-in people."""

from __future__ import annotations

import re
import secrets
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.catalogue import service
from api.catalogue.schemas import EditionCreate, FormatCreate, TrackCreate
from api.mail import read_outbox
from api.organisers.service import create_organiser
from api.settings import Settings

EDITION = {
    "slug": "mois-2030",
    "title": "Mois de l'innovation publique 2030",
    "starts_on": "2030-11-02",
    "ends_on": "2030-11-30",
    "submission_deadline": "2030-10-20T23:59:00+02:00",
}
FORMATS = [
    {"slug": "conference", "label_fr": "Conférence", "label_en": "Conference", "position": 1},
    {"slug": "webinaire", "label_fr": "Webinaire", "label_en": "Webinar", "position": 2},
    {"slug": "atelier", "label_fr": "Atelier", "label_en": "Workshop", "position": 3},
]
TRACKS = [
    {"slug": "climat", "title": "Adaptation au changement climatique"},
    {"slug": "ia", "title": "L'IA au service des agents"},
]


def setup_catalogue(session: Session) -> None:
    """The tests' edition (deadline 2030-10-20), three formats and two tracks (idempotent)."""
    from api.catalogue import storage

    if storage.get_edition(session, slug=EDITION["slug"]) is not None:
        return
    actor = service.SYSTEM
    service.create_edition(session, actor=actor, data=EditionCreate.model_validate(EDITION))
    for entry in FORMATS:
        service.create_format(session, actor=actor, data=FormatCreate.model_validate(entry))
    for track in TRACKS:
        service.create_track(
            session, actor=actor, data=TrackCreate(**track, edition=EDITION["slug"])
        )


def event_payload(**overrides: Any) -> dict[str, Any]:
    """A valid on-site event of the tests' edition (overrides replace top-level fields)."""
    payload: dict[str, Any] = {
        "title": "Atelier design des services publics",
        "short_description": "Un atelier pour concevoir les démarches avec les usagers.",
        "long_description": "Au programme :\n\n- immersion\n- prototypage",
        "format": "atelier",
        "themes": ["Design"],
        "keywords": ["usagers"],
        "timings": [{"start": "2030-11-14T09:30", "end": "2030-11-14T12:00"}],
        "attendance_mode": "on_site",
        "place": {
            "name": "Hôtel de ville",
            "address": "1 place de la Mairie",
            "postal_code": "69001",
            "commune": "Lyon",
            "departement": "69",
        },
        "audiences": ["agents_publics"],
        "accessibility": ["motor"],
        "registration_url": "https://inscription.example/atelier",
        "organizer": {"structure": "Ville de Lyon (exemple)", "contact_email": "lab@ville.example"},
    }
    payload.update(overrides)
    return payload


def moderator_headers(client: TestClient, email: str | None = None) -> dict[str, str]:
    """Headers of a new organiser (moderators are organisers)."""
    email = email or f"moderateur-{secrets.token_hex(3)}@example.org"
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        issued = create_organiser(session, email=email)
    return {"Authorization": f"Bearer {issued.key}"}


def magic_token(outbox: Path, email: str) -> str:
    """The token of the last sign-in link mailed to `email`."""
    for message in reversed(read_outbox(outbox)):
        if message["To"] == email:
            body = message.get_body(preferencelist=("plain",))
            assert body is not None
            found = re.search(r"/catalogue/login/([A-Za-z0-9_-]+)", body.get_content())
            assert found, body.get_content()
            return found.group(1)
    raise AssertionError(f"no mail to {email} in {outbox}")


def csrf_of(html: str) -> str:
    """The form token of a page."""
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "no form token"
    return found.group(1)


def sign_in_on_pages(client: TestClient, settings: Settings, email: str) -> None:
    """Sign a contributor in through the pages (the session cookie stays in the client)."""
    sent = client.post("/catalogue/login", data={"email": email})
    assert sent.status_code == 200 and "Consultez votre messagerie" in sent.text
    token = magic_token(settings.outbox_dir, email)
    confirm = client.get(f"/catalogue/login/{token}")
    assert "Me connecter" in confirm.text  # a button: link scanners do not use the link
    opened = client.post(f"/catalogue/login/{token}", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/catalogue/my"
    assert "catalogue_session" in client.cookies


def contributor_headers(
    client: TestClient, outbox: Path, email: str | None = None
) -> dict[str, str]:
    """Sign a contributor in through the JSON API (magic link read in the outbox)."""
    email = email or f"agent-{secrets.token_hex(3)}@administration.example"
    answer = client.post("/catalogue/api/auth/magic-link", json={"email": email})
    assert answer.status_code == 202, answer.text
    token = magic_token(outbox, email)
    opened = client.post("/catalogue/api/auth/session", json={"token": token})
    assert opened.status_code == 200, opened.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {opened.json()['session_token']}"}


def create_event(client: TestClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    answer = client.post(
        "/catalogue/api/me/events", json=event_payload(**overrides), headers=headers
    )
    assert answer.status_code == 201, answer.text
    event: dict[str, Any] = answer.json()
    return event


def publish(
    client: TestClient,
    moderator: dict[str, str],
    event_id: int,
    contributor: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Submit (as its contributor, or as a moderator) then publish."""
    if contributor is not None:
        submitted = client.post(f"/catalogue/api/me/events/{event_id}/submit", headers=contributor)
    else:
        submitted = client.post(
            f"/catalogue/api/moderation/events/{event_id}/submit", headers=moderator
        )
    assert submitted.status_code == 200, submitted.text
    published = client.post(
        f"/catalogue/api/moderation/events/{event_id}/publish", headers=moderator
    )
    assert published.status_code == 200, published.text
    result: dict[str, Any] = published.json()
    return result


class PageParser(HTMLParser):
    """Collects what the accessibility checks need: inputs, labels, scripts, links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.controls: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.html_lang: str | None = None
        self._script: dict[str, str | None] | None = None
        self._script_text: list[str] = []
        self.event_handlers: list[str] = []
        self.tags: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append(tag)
        self.event_handlers.extend(name for name in attributes if name.startswith("on"))
        self.urls.extend(
            str(value) for name, value in attributes.items()
            if name in ("href", "src", "action", "formaction") and value is not None
        )
        if tag == "html":
            self.html_lang = attributes.get("lang")
        if tag in ("input", "select", "textarea") and attributes.get("type") not in (
            "hidden",
            "submit",
        ):
            self.controls.append(attributes)
        if tag == "label" and attributes.get("for"):
            self.label_for.add(str(attributes["for"]))
        if tag == "script":
            self._script, self._script_text = attributes, []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._script_text)))
            self._script = None


def parse_page(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser
