"""The registration tests' fixture and its world: the app with its own outbox (mails are read
back) on SQLite and PostgreSQL, a small salon (tests/api/service_helpers.make_salon: tables
T1..T3, D1 at T1, D2 at T2, so T3 is free), its organiser signed in on the pages."""

from __future__ import annotations

import html
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from service_helpers import make_salon, new_organiser, settings_for

from api.app import create_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pages"))

from pages_helpers import sign_in  # noqa: E402


@dataclass
class Desk:
    """The app, the salon, its organiser's API headers and page form token, the outbox."""

    client: TestClient
    organiser: dict[str, str]
    salon_id: int
    csrf: str
    outbox: Path
    tokens: dict[str, str]

    @property
    def base(self) -> str:
        return f"/o/salons/{self.salon_id}/registrations"


@pytest.fixture
def desk(database_url: str, tmp_path: Path) -> Iterator[Desk]:
    outbox = tmp_path / "outbox"
    settings = settings_for(database_url, outbox_dir=outbox, secret_file=tmp_path / "secret")
    with TestClient(create_app(settings)) as client:
        organiser = new_organiser(client)
        salon_id, _ids, tokens = make_salon(client, organiser)
        csrf = sign_in(client, organiser)
        yield Desk(client, organiser, salon_id, csrf, outbox, tokens)


PERSON = {
    "name": "Camille Laser",
    "email": "camille@optique.example",
    "organisation": "Optique du Nord",
    "role": "Directrice technique",
}


def enable(desk: Desk, **fields: Any) -> None:
    form = {
        "csrf": desk.csrf,
        "enabled": "yes",
        "sides": "industrial",
        "fields": ["organisation", "role"],
        "consent": "J'accepte que mes coordonnées soient transmises.",
        **fields,
    }
    response = desk.client.post(f"{desk.base}/settings", data=form, follow_redirects=False)
    assert response.status_code == 303, text(response)
    assert response.headers["location"].endswith("done=settings")


def text(response: Any) -> str:
    """A page's text with its HTML entities read (the French apostrophes are escaped)."""
    return html.unescape(response.text)


def register(client: TestClient, salon_id: int, **fields: str) -> Any:
    data = {**PERSON, "consent": "yes", **fields}
    return client.post(f"/register/{salon_id}", data=data, follow_redirects=False)
