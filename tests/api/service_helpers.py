"""Helpers of the salon service tests: settings, organisers, a small salon world, job polling."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from api.organisers.service import create_organiser
from api.settings import Settings


def settings_for(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "base_url": "http://testserver",
        "solve_time_limit": 2.0,
        "solve_workers": 1,
        "job_heartbeat_seconds": 0.2,
        "job_stale_seconds": 10.0,
        "job_cancel_grace_seconds": 2.0,
    }
    values.update(overrides)
    return Settings(**values)


def new_organiser(client: TestClient, email: str | None = None) -> dict[str, str]:
    """Headers of a new organiser's API key."""
    email = email or f"organiser-{secrets.token_hex(3)}@example.org"
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        issued = create_organiser(session, email=email)
    return {"Authorization": f"Bearer {issued.key}"}


SESSIONS = [
    {"date": "2023-11-28", "start": "09:00", "end": "10:00"},
    {"date": "2023-11-28", "start": "14:00", "end": "15:00"},
]


@dataclass
class World:
    """A salon with two directors (D1, D2 at tables T1, T2) and three industrials (I1..I3)."""

    client: TestClient
    organiser: dict[str, str]
    salon_id: int
    ids: dict[str, int]
    tokens: dict[str, str]
    other_organiser: dict[str, str] = field(default_factory=dict)
    other_salon_id: int = 0
    other_ids: dict[str, int] = field(default_factory=dict)
    other_tokens: dict[str, str] = field(default_factory=dict)

    def me(self, code: str) -> dict[str, str]:
        return {"X-Participant-Token": self.tokens[code]}

    def url(self, path: str = "") -> str:
        return f"/salons/{self.salon_id}{path}"


def make_salon(
    client: TestClient, organiser: dict[str, str], name: str = "Salon test", **fields: Any
) -> tuple[int, dict[str, int], dict[str, str]]:
    """A salon with D1, D2 (directors) and I1..I3 (industrials), each with a link; window open."""
    body = {"name": name, "sessions": SESSIONS, "tables": ["T1", "T2", "T3"], **fields}
    response = client.post("/salons", json=body, headers=organiser)
    assert response.status_code == 201, response.text
    salon_id = response.json()["id"]
    people = [("D1", "T1"), ("D2", "T2"), ("I1", None), ("I2", None), ("I3", None)]
    ids, tokens = {}, {}
    for code, table in people:
        body = {"code": code, "name": f"Nom {code}", "organisation": f"Org {code}", "table": table}
        response = client.post(f"/salons/{salon_id}/participants", json=body, headers=organiser)
        assert response.status_code == 201, response.text
        ids[code] = response.json()["id"]
        response = client.post(
            f"/salons/{salon_id}/participants/{ids[code]}/links", json={}, headers=organiser
        )
        assert response.status_code == 201, response.text
        tokens[code] = response.json()["token"]
    response = client.post(f"/salons/{salon_id}/wish-window/open", headers=organiser)
    assert response.status_code == 200, response.text
    return salon_id, ids, tokens


def wait_for_job(
    client: TestClient, headers: dict[str, str], salon_id: int, job_id: int, timeout: float = 60
) -> dict[str, Any]:
    """Poll a solve job until it leaves queued/running; its last state."""
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = client.get(
            f"/salons/{salon_id}/solves/{job_id}", headers=headers
        ).json()
        if job["state"] not in ("queued", "running") or time.monotonic() > deadline:
            return job
        time.sleep(0.1)
