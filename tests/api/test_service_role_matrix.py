"""Every route x every role, with the expected status.

Roles: anonymous, the organiser of this salon, the organiser of another salon, the participant
concerned and another participant. Resources of another salon or participant answer 404 (never
403), so ids cannot be probed; organiser routes answer 401 to participants and vice versa.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from service_helpers import SESSIONS, World, wait_for_job

from api.salons import routes as salon_routes
from api.salons.tables import SolveJob
from api.timestamps import utc_now

ROLES = ("anonymous", "organiser", "other_organiser", "participant", "other_participant")
CSV = b"id,name\nN9,Imported\n"


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    expected: tuple[int, int, int, int, int]  # in the order of ROLES
    body: Any = None
    files: bool = False
    participant: str = "I1"  # the participant concerned (its token is "participant")
    needs: str = ""  # "schedule" or "job": resources to create first


ORG = (401, 200, 404, 401, 401)
ME = (401, 401, 401, 200, 200)
CASES = [
    Case("GET", "/organisers/me", (401, 200, 200, 401, 401)),
    Case("POST", "/salons", (401, 201, 201, 401, 401), {"name": "M", "sessions": SESSIONS}),
    Case("GET", "/salons", (401, 200, 200, 401, 401)),
    Case(
        "POST",
        "/salons/import",
        (401, 201, 201, 401, 401),
        {"name": "M", "meeting_minutes": 15, "sessions": SESSIONS},
    ),
    Case("GET", "/salons/{salon_id}", ORG),
    Case("PATCH", "/salons/{salon_id}", ORG, {"name": "Renamed"}),
    Case("DELETE", "/salons/{salon_id}", (401, 204, 404, 401, 401)),
    Case("GET", "/salons/{salon_id}/export", ORG),
    Case("POST", "/salons/{salon_id}/wish-window/open", ORG),
    Case("POST", "/salons/{salon_id}/wish-window/close", ORG),
    Case("GET", "/salons/{salon_id}/participants", ORG),
    Case(
        "POST",
        "/salons/{salon_id}/participants",
        (401, 201, 404, 401, 401),
        {"code": "N1", "name": "New"},
    ),
    Case("POST", "/salons/{salon_id}/participants/import", ORG, files=True),
    Case("GET", "/salons/{salon_id}/participants/{participant_id}", ORG),
    Case("PATCH", "/salons/{salon_id}/participants/{participant_id}", ORG, {"name": "X"}),
    Case("DELETE", "/salons/{salon_id}/participants/{participant_id}", (401, 204, 404, 401, 401)),
    Case("GET", "/salons/{salon_id}/participants/{participant_id}/links", ORG),
    Case(
        "POST",
        "/salons/{salon_id}/participants/{participant_id}/links",
        (401, 201, 404, 401, 401),
        {},
    ),
    Case(
        "DELETE",
        "/salons/{salon_id}/participants/{participant_id}/links/{link_id}",
        (401, 204, 404, 401, 401),
    ),
    Case("GET", "/salons/{salon_id}/wishes", ORG),
    Case(
        "POST", "/salons/{salon_id}/wishes", (401, 201, 404, 401, 401), {"from": "I3", "to": "D2"}
    ),
    Case("GET", "/salons/{salon_id}/wishes/{wish_id}", ORG),
    Case("PATCH", "/salons/{salon_id}/wishes/{wish_id}", ORG, {"priority": 1}),
    Case("DELETE", "/salons/{salon_id}/wishes/{wish_id}", (401, 204, 404, 401, 401)),
    Case(
        "POST",
        "/salons/{salon_id}/solves",
        (401, 202, 404, 401, 401),
        {"time_limit": 1, "workers": 1},
    ),
    Case("GET", "/salons/{salon_id}/solves", ORG),
    Case("GET", "/salons/{salon_id}/solves/{job_id}", ORG, needs="job"),
    Case("DELETE", "/salons/{salon_id}/solves/{job_id}", (401, 202, 404, 401, 401), needs="job"),
    Case("GET", "/salons/{salon_id}/schedules", ORG, needs="schedule"),
    Case("GET", "/salons/{salon_id}/schedules/{version}", ORG, needs="schedule"),
    Case("GET", "/salons/{salon_id}/schedules/{version}/export", ORG, needs="schedule"),
    Case("POST", "/salons/{salon_id}/schedules/{version}/publish", ORG, needs="schedule"),
    Case("GET", "/me", ME),
    Case("GET", "/me/directory", ME),
    Case("GET", "/me/wishes", ME),
    Case("PUT", "/me/wishes", ME, {"wishes": [{"to": "D2"}]}),
    Case("GET", "/me/requests", ME, participant="D1"),
    Case(
        "PUT",
        "/me/requests/{wish_id}",
        (401, 401, 401, 200, 404),
        {"decision": "accepted"},
        participant="D1",
    ),
    Case("GET", "/me/agenda", ME, needs="schedule"),
]


def test_the_matrix_covers_every_route() -> None:
    routes = {
        (method, route.path_format)
        for route in salon_routes.router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    assert routes == {(case.method, case.path) for case in CASES}


def _prepare(world: World, case: Case) -> dict[str, Any]:
    client, organiser = world.client, world.organiser
    client.put("/me/wishes", json={"wishes": [{"to": "D1"}]}, headers=world.me("I1"))
    wish_id = client.get("/me/requests", headers=world.me("D1")).json()["data"][0]["id"]
    links = client.get(
        world.url(f"/participants/{world.ids['I2']}/links"), headers=organiser
    ).json()
    values: dict[str, Any] = {
        "salon_id": world.salon_id,
        "participant_id": world.ids["I2"],
        "link_id": links["data"][0]["id"],
        "wish_id": wish_id,
        "version": 1,
        "job_id": 0,
    }
    if case.needs == "schedule":
        job = client.post(
            world.url("/solves"), json={"time_limit": 1, "workers": 1}, headers=organiser
        ).json()
        assert wait_for_job(client, organiser, world.salon_id, job["id"])["state"] == "done"
        if case.path == "/me/agenda":
            client.post(world.url("/schedules/1/publish"), headers=organiser)
    if case.needs == "job":
        with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
            now = utc_now()
            job_row = SolveJob(
                salon_id=world.salon_id,
                state="queued",
                cancel_requested=False,
                time_limit=1,
                workers=1,
                seed=0,
                phase="",
                elapsed=0.0,
                message="",
                created_at=now,
                heartbeat_at=now,
            )
            session.add(job_row)
            session.commit()
            values["job_id"] = job_row.id
    return values


def _headers(world: World, role: str, case: Case) -> dict[str, str]:
    other_participant = "I2" if case.participant != "I2" else "I3"
    return {
        "anonymous": {},
        "organiser": world.organiser,
        "other_organiser": world.other_organiser,
        "participant": world.me(case.participant),
        "other_participant": world.me("D2" if case.participant == "D1" else other_participant),
    }[role]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
def test_route_for_every_role(world: World, case: Case) -> None:
    client: TestClient = world.client
    url = case.path.format(**_prepare(world, case))
    for index in (0, 2, 3, 4, 1):  # the organiser of the salon may change it: last
        role = ROLES[index]
        kwargs: dict[str, Any] = {"headers": _headers(world, role, case)}
        if case.files:
            kwargs["files"] = {"file": ("p.csv", CSV)}
        elif case.body is not None:
            kwargs["json"] = case.body
        response = client.request(case.method, url, **kwargs)
        assert response.status_code == case.expected[index], (
            f"{case.method} {case.path} as {role}: {response.status_code} {response.text[:300]}"
        )
        if response.status_code in (401, 404):
            detail = response.json()["detail"]
            assert detail["code"] in ("not_authenticated", "not_found") and detail["message"]


def test_ids_of_another_salon_are_not_found(world: World) -> None:
    """The owner of salon B cannot reach salon A's rows through salon B's URLs."""
    client, other = world.client, world.other_organiser
    base = f"/salons/{world.other_salon_id}"
    urls = [
        f"{base}/participants/{world.ids['I1']}",
        f"{base}/participants/{world.ids['I1']}/links",
    ]
    for url in urls:
        assert client.get(url, headers=other).status_code == 404
    link = client.get(
        world.url(f"/participants/{world.ids['I1']}/links"), headers=world.organiser
    ).json()["data"][0]["id"]
    own = world.other_ids["I1"]
    assert (
        client.delete(f"{base}/participants/{own}/links/{link}", headers=other).status_code == 404
    )
    assert client.get("/me", headers=world.me("I1")).status_code == 200  # link still works
