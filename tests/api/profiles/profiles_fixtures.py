"""The profile and suggestion tests' fixture and its world: the app on SQLite and PostgreSQL, a
small salon (tests/api/service_helpers.make_salon: D1, D2 directors, I1..I3 industrials, each with a
personal link), its organiser signed in on the pages, the salon's themes set."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from service_helpers import make_salon, new_organiser, settings_for
from sqlalchemy import update

from api.app import create_app
from api.salons.tables import Salon as SalonRow
from api.web import csrf_token

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pages"))

from pages_helpers import sign_in  # noqa: E402

THEMES = ["Optronique", "Drones", "Cyberdéfense"]


@dataclass
class Salon:
    client: TestClient
    organiser: dict[str, str]
    salon_id: int
    ids: dict[str, int]
    tokens: dict[str, str]
    csrf: str

    def form_token(self, code: str) -> str:
        """The form token of `code`'s pages (bound to its personal link)."""
        return csrf_token(self.tokens[code])

    def close_wishes(self) -> None:
        """The wish deadline passed (profiles close with the wishes)."""
        with self.client.app.state.session_factory() as session:  # type: ignore[attr-defined]
            session.execute(
                update(SalonRow)
                .where(SalonRow.id == self.salon_id)
                .values(wish_deadline=dt.datetime(2000, 1, 1))
            )
            session.commit()

    def save(self, code: str, files: dict[str, object] | None = None, **fields: object) -> object:
        data = {"csrf": self.form_token(code), **fields}
        return self.client.post(
            f"/p/{self.tokens[code]}/profile", data=data, files=files, follow_redirects=False
        )


@pytest.fixture
def salon(database_url: str, tmp_path: Path) -> Iterator[Salon]:
    settings = settings_for(database_url, outbox_dir=tmp_path / "outbox")
    with TestClient(create_app(settings)) as client:
        organiser = new_organiser(client)
        salon_id, ids, tokens = make_salon(client, organiser)
        csrf = sign_in(client, organiser)
        response = client.post(
            f"/o/salons/{salon_id}/profiles/themes",
            data={"csrf": csrf, "themes": "\n".join(THEMES)},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        yield Salon(client, organiser, salon_id, ids, tokens, csrf)
