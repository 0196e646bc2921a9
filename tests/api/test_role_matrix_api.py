"""The role matrix of the JSON API (salons, participants' /me, repairs): every route x role.

Roles: anonymous, the organiser of this salon, the organiser of another salon, the participant
concerned and another participant of the salon. Resources of another salon or participant
answer 404 (never 403), so ids cannot be probed; organiser routes answer 401 to participants
and vice versa. Runs on SQLite and PostgreSQL: the API is what other programs call, and its
ownership checks are queries. That every route is here: tests/api/test_service_role_matrix.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from role_matrix import check, queued_solve_job, refusals_first
from service_helpers import SESSIONS, World, wait_for_job

ROLES = ("anonymous", "organiser", "other_organiser", "participant", "other_participant")
CSV = b"id,name\nN9,Imported\n"
WISH_CSV = b"from,to,priority\nI3,D1,1\n"
EARLY = "2023-11-28T08:00:00"
CANCELLED_I1 = {"now": EARLY, "changes": [{"kind": "participant_cancelled", "participant": "I1"}]}


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    expected: tuple[int, int, int, int, int]  # in the order of ROLES
    body: Any = None
    files: bool = False
    upload: bytes = CSV  # the file sent when `files`
    participant: str = "I1"  # the participant concerned (its token is "participant")
    needs: str = ""  # "schedule", "published", "repair" or "job": resources to create first


ORG = (401, 200, 404, 401, 401)
ORG_CREATES = (401, 201, 404, 401, 401)
ORG_DELETES = (401, 204, 404, 401, 401)
ANY_ORG = (401, 200, 200, 401, 401)
ME = (401, 401, 401, 200, 200)
CASES = [
    Case("GET", "/organisers/me", ANY_ORG),
    Case("POST", "/salons", (401, 201, 201, 401, 401), {"name": "M", "sessions": SESSIONS}),
    Case("GET", "/salons", ANY_ORG),
    Case(
        "POST",
        "/salons/import",
        (401, 201, 201, 401, 401),
        {"name": "M", "meeting_minutes": 15, "sessions": SESSIONS},
    ),
    Case("GET", "/salons/{salon_id}", ORG),
    Case("PATCH", "/salons/{salon_id}", ORG, {"name": "Renamed"}),
    Case("DELETE", "/salons/{salon_id}", ORG_DELETES),
    Case("GET", "/salons/{salon_id}/export", ORG),
    Case("POST", "/salons/{salon_id}/wish-window/open", ORG),
    Case("POST", "/salons/{salon_id}/wish-window/close", ORG),
    Case("GET", "/salons/{salon_id}/participants", ORG),
    Case("POST", "/salons/{salon_id}/participants", ORG_CREATES, {"code": "N1", "name": "New"}),
    Case("POST", "/salons/{salon_id}/participants/import", ORG, files=True),
    Case("GET", "/salons/{salon_id}/participants/{participant_id}", ORG),
    Case("PATCH", "/salons/{salon_id}/participants/{participant_id}", ORG, {"name": "X"}),
    Case("DELETE", "/salons/{salon_id}/participants/{participant_id}", ORG_DELETES),
    Case("GET", "/salons/{salon_id}/participants/{participant_id}/links", ORG),
    Case("POST", "/salons/{salon_id}/participants/{participant_id}/links", ORG_CREATES, {}),
    Case("DELETE", "/salons/{salon_id}/participants/{participant_id}/links/{link_id}", ORG_DELETES),
    Case("GET", "/salons/{salon_id}/wishes", ORG),
    Case("POST", "/salons/{salon_id}/wishes", ORG_CREATES, {"from": "I3", "to": "D2"}),
    Case("POST", "/salons/{salon_id}/wishes/import", ORG, files=True, upload=WISH_CSV),
    Case("GET", "/salons/{salon_id}/wishes/{wish_id}", ORG),
    Case("PATCH", "/salons/{salon_id}/wishes/{wish_id}", ORG, {"priority": 1}),
    Case("DELETE", "/salons/{salon_id}/wishes/{wish_id}", ORG_DELETES),
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
    Case("POST", "/salons/{salon_id}/repairs", ORG_CREATES, CANCELLED_I1, needs="published"),
    Case("GET", "/salons/{salon_id}/repairs", ORG),
    Case("GET", "/salons/{salon_id}/repairs/{repair_id}", ORG, needs="repair"),
    Case("POST", "/salons/{salon_id}/repairs/{repair_id}/publish", ORG, needs="repair"),
    Case("GET", "/salons/{salon_id}/registrations/settings", ORG),
    Case(
        "PUT",
        "/salons/{salon_id}/registrations/settings",
        ORG,
        {"enabled": True, "sides": "industrial", "consent": "J'accepte."},
    ),
    Case("GET", "/salons/{salon_id}/registrations", ORG),
    Case(
        "POST",
        "/salons/{salon_id}/registrations/decisions",
        ORG,
        {"ids": [1], "decision": "refused"},  # no such request: skipped, nothing decided
    ),
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
    Case("GET", "/me/agenda", ME, needs="published"),
    Case("GET", "/me/profile", ME),
    Case("PUT", "/me/profile", ME, {"description": "Nous fabriquons des lasers."}),
    Case("GET", "/me/people/{code}", (401, 401, 401, 200, 404)),  # I1 itself; I2 not I1's
    Case("GET", "/me/suggestions", ME),
]


def _solve(world: World, *, publish: bool) -> None:
    client, organiser = world.client, world.organiser
    job = client.post(
        world.url("/solves"), json={"time_limit": 1, "workers": 1}, headers=organiser
    ).json()
    assert wait_for_job(client, organiser, world.salon_id, job["id"])["state"] == "done"
    if publish:
        published = client.post(world.url("/schedules/1/publish"), headers=organiser)
        assert published.status_code == 200, published.text


def _prepare(world: World, case: Case) -> dict[str, Any]:
    """I1 asks D1; the ids the case's path names, and the resources it needs."""
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
        "repair_id": 0,
        "code": "I1",
    }
    if case.needs in ("schedule", "published", "repair"):
        _solve(world, publish=case.needs != "schedule")
    if case.needs == "repair":
        repair = client.post(world.url("/repairs"), json=CANCELLED_I1, headers=organiser)
        assert repair.status_code == 201, repair.text
        values["repair_id"] = repair.json()["id"]
    if case.needs == "job":
        values["job_id"] = queued_solve_job(world.client, world.salon_id)
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
    values = _prepare(world, case)
    url = case.path.format(**values)
    for index in refusals_first(case.expected):  # the organiser of the salon may change it: last
        role = ROLES[index]
        kwargs: dict[str, Any] = {"headers": _headers(world, role, case)}
        if case.files:
            kwargs["files"] = {"file": ("p.csv", case.upload)}
        elif case.body is not None:
            kwargs["json"] = case.body
        response = client.request(case.method, url, **kwargs)
        check(response, case.expected[index], f"{case.method} {case.path} as {role}", values)
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
