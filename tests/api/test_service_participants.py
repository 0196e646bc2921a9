"""Participant side (personal link): profile, directory, wishes, requests, agenda, privacy."""

from __future__ import annotations

import datetime as dt

from service_helpers import World, wait_for_job


def put_wishes(world: World, code: str, *targets: str, **extra: object) -> object:
    body = {"wishes": [{"to": t} for t in targets]}
    return world.client.put("/me/wishes", json=body, headers={**world.me(code), **extra})


def test_profile_and_directory(world: World) -> None:
    me = world.client.get("/me", headers=world.me("D1")).json()
    assert me["code"] == "D1" and me["kind"] == "director" and me["table"] == "T1"
    assert me["salon"]["wishes_open"] is True and me["salon"]["name"] == "Salon test"
    directory = world.client.get("/me/directory", headers=world.me("I1")).json()
    assert directory["count"] == 4
    assert [p["code"] for p in directory["data"]] == ["D1", "D2", "I2", "I3"]
    assert set(directory["data"][0]) == {"code", "name", "organisation", "role", "kind", "table"}
    directors = world.client.get("/me/directory?kind=director", headers=world.me("I1")).json()
    assert [p["code"] for p in directors["data"]] == ["D1", "D2"]


def test_submit_and_rank_wishes(world: World) -> None:
    response = put_wishes(world, "I1", "D2", "D1", "I3")
    assert response.status_code == 200, response.text
    wishes = response.json()["data"]
    assert [(w["to"], w["rank"], w["priority"]) for w in wishes] == [
        ("D2", 1, 1),
        ("D1", 2, 2),
        ("I3", 3, 3),
    ]
    # A new ranking keeps the wishes (ids) that stay, drops the others.
    ids = {w["to"]: w["id"] for w in wishes}
    body = {"wishes": [{"to": "D1", "priority": 1}, {"to": "D2", "priority": 3}]}
    again = world.client.put("/me/wishes", json=body, headers=world.me("I1")).json()["data"]
    assert [(w["to"], w["rank"], w["priority"]) for w in again] == [("D1", 1, 1), ("D2", 2, 3)]
    assert {w["to"]: w["id"] for w in again} == {"D1": ids["D1"], "D2": ids["D2"]}
    stored = world.client.get(world.url("/wishes"), headers=world.organiser).json()
    assert sorted((w["from"], w["to"]) for w in stored["data"]) == [("I1", "D1"), ("I1", "D2")]
    assert world.client.get("/me", headers=world.me("I1")).json()["wishes_submitted_at"]


def test_domain_rules_have_codes(world: World) -> None:
    client = world.client
    cases = [
        (put_wishes(world, "I1", "I1"), 422, "wish_to_oneself"),
        (put_wishes(world, "I1", "NOBODY"), 422, "unknown_participant"),
        (put_wishes(world, "I1", "D1", "D1"), 422, "duplicate_wish"),
        # A participant of another salon is unknown here.
        (put_wishes(world, "I1", "D1", "X"), 422, "unknown_participant"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, response.text
        assert response.json()["detail"]["code"] == code
        assert response.json()["detail"]["message"]
    assert client.patch(world.url(), json={"max_wishes": 2}, headers=world.organiser).is_success
    too_many = put_wishes(world, "I1", "D1", "D2", "I2")
    assert too_many.status_code == 422
    assert too_many.json()["detail"]["code"] == "too_many_wishes"
    assert "3" in too_many.json()["detail"]["message"]
    english = put_wishes(world, "I1", "D1", "D2", "I2", **{"Accept-Language": "en"})
    assert english.json()["detail"]["message"] == "Too many wishes: 3, at most 2."


def test_deadline_and_window(world: World) -> None:
    client, organiser = world.client, world.organiser
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
    assert client.patch(world.url(), json={"wish_deadline": past}, headers=organiser).is_success
    late = put_wishes(world, "I1", "D1")
    assert late.status_code == 409
    assert late.json()["detail"]["code"] == "wish_deadline_passed"
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    assert client.patch(world.url(), json={"wish_deadline": future}, headers=organiser).is_success
    assert put_wishes(world, "I1", "D1").status_code == 200
    assert (
        client.post(world.url("/wish-window/close"), headers=organiser).json()["wishes_open"]
        is False
    )
    closed = put_wishes(world, "I1", "D2")
    assert closed.status_code == 409
    assert closed.json()["detail"]["code"] == "wish_window_closed"
    request_id = client.get("/me/requests", headers=world.me("D1")).json()["data"][0]["id"]
    decision = client.put(
        f"/me/requests/{request_id}", json={"decision": "declined"}, headers=world.me("D1")
    )
    assert decision.status_code == 409
    assert decision.json()["detail"]["code"] == "wish_window_closed"
    # The wishes made in time are all still there.
    assert client.get("/me/wishes", headers=world.me("I1")).json()["count"] == 1


def test_director_sees_its_requests_and_declines(world: World) -> None:
    client = world.client
    put_wishes(world, "I1", "D1", "D2")
    put_wishes(world, "I2", "D1")
    requests = client.get("/me/requests", headers=world.me("D1")).json()
    assert requests["count"] == 2
    assert [r["from"] for r in requests["data"]] == ["I1", "I2"]
    assert all(r["decision"] == "pending" for r in requests["data"])
    assert "priority" not in requests["data"][0] and "rank" not in requests["data"][0]
    i2 = next(r for r in requests["data"] if r["from"] == "I2")
    declined = client.put(
        f"/me/requests/{i2['id']}", json={"decision": "declined"}, headers=world.me("D1")
    )
    assert declined.status_code == 200
    assert declined.json()["decision"] == "declined"
    # The asker sees the answer; resubmitting keeps it.
    put_wishes(world, "I2", "D1", "D2")
    mine = client.get("/me/wishes", headers=world.me("I2")).json()["data"]
    assert [(w["to"], w["decision"]) for w in mine] == [("D1", "declined"), ("D2", "pending")]
    # The director may not answer a request addressed to another director.
    to_d2 = client.get("/me/requests", headers=world.me("D2")).json()["data"][0]["id"]
    stolen = client.put(
        f"/me/requests/{to_d2}", json={"decision": "declined"}, headers=world.me("D1")
    )
    assert stolen.status_code == 404
    # A director adds its own wishes.
    assert put_wishes(world, "D1", "I3").status_code == 200
    exported = client.get(world.url("/export"), headers=world.organiser).json()
    assert {(w["from"], w["to"], w["declined"]) for w in exported["wishes"]} == {
        ("I1", "D1", False),
        ("I1", "D2", False),
        ("I2", "D1", True),
        ("I2", "D2", False),
        ("D1", "I3", False),
    }


def test_declined_wish_is_never_scheduled_and_agenda_is_private(world: World) -> None:
    client, organiser = world.client, world.organiser
    put_wishes(world, "I1", "D1", "D2")
    put_wishes(world, "I2", "D1")
    request_id = next(
        r["id"]
        for r in client.get("/me/requests", headers=world.me("D1")).json()["data"]
        if r["from"] == "I2"
    )
    client.put(f"/me/requests/{request_id}", json={"decision": "declined"}, headers=world.me("D1"))
    before = client.get("/me/agenda", headers=world.me("I1")).json()
    assert before == {
        "published": False,
        "version": None,
        "published_at": None,
        "meetings": [],
        "unscheduled": [],
    }

    job = client.post(
        world.url("/solves"), json={"time_limit": 2, "workers": 1}, headers=organiser
    ).json()
    done = wait_for_job(client, organiser, world.salon_id, job["id"])
    assert done["state"] == "done", done
    schedule = client.get(world.url("/schedules/1"), headers=organiser).json()
    pairs = {(m["from"], m["to"]) for m in schedule["meetings"]}
    assert pairs == {("I1", "D1"), ("I1", "D2")}
    assert {(u["from"], u["to"], u["reason"]) for u in schedule["unscheduled"]} == {
        ("I2", "D1", "declined_never_scheduled")
    }
    # Not published yet: participants see nothing.
    assert client.get("/me/agenda", headers=world.me("I1")).json()["published"] is False
    assert client.post(world.url("/schedules/1/publish"), headers=organiser).status_code == 200
    agenda = client.get("/me/agenda", headers=world.me("I1")).json()
    assert agenda["published"] is True and agenda["version"] == 1
    assert sorted(m["with"]["code"] for m in agenda["meetings"]) == ["D1", "D2"]
    d1 = client.get("/me/agenda", headers=world.me("D1")).json()
    assert [m["with"]["code"] for m in d1["meetings"]] == ["I1"]
    assert all(m["table"] == "T1" for m in d1["meetings"])
    assert agenda["unscheduled"] == []
    # The declined request is in the agendas of both, each from its side.
    i2 = client.get("/me/agenda", headers=world.me("I2")).json()["unscheduled"]
    assert i2 == [
        {
            "with": {"code": "D1", "name": "Nom D1", "organisation": "Org D1"},
            "asked_by_me": True,
            "reason": "declined_never_scheduled",
        }
    ]
    assert [(u["with"]["code"], u["asked_by_me"]) for u in d1["unscheduled"]] == [("I2", False)]
    # I3 has no meeting and sees none of the others'.
    i3 = client.get("/me/agenda", headers=world.me("I3")).json()
    assert i3["meetings"] == [] and i3["unscheduled"] == []
    # Nobody sees another participant's wishes.
    assert client.get("/me/wishes", headers=world.me("I3")).json() == {"data": [], "count": 0}
    assert client.get("/me/requests", headers=world.me("I1")).json() == {"data": [], "count": 0}


def test_tokens_of_another_salon_see_only_their_salon(world: World) -> None:
    other = {"X-Participant-Token": world.other_tokens["I1"]}
    me = world.client.get("/me", headers=other).json()
    assert me["salon"]["name"] == "Autre salon"
    put_wishes(world, "I1", "D1")
    assert (
        world.client.get(
            "/me/requests", headers={"X-Participant-Token": world.other_tokens["D1"]}
        ).json()["count"]
        == 0
    )
