"""Guided wishes through the API: ranks given once each (a duplicate is refused, nothing moves),
a short message the asked participant reads, and caps per kind of participant in the settings.

Against both databases (tests/api/conftest.py), through the real app.
"""

from __future__ import annotations

from typing import Any

from service_helpers import World


def put(world: World, code: str, *wishes: dict[str, Any]) -> Any:
    return world.client.put("/me/wishes", json={"wishes": list(wishes)}, headers=world.me(code))


def mine(world: World, code: str) -> list[tuple[str, int, str]]:
    data = world.client.get("/me/wishes", headers=world.me(code)).json()["data"]
    return [(w["to"], w["rank"], w["message"]) for w in data]


def test_ranks_order_the_wishes_and_are_renumbered_without_gaps(world: World) -> None:
    response = put(world, "I1", {"to": "D1", "rank": 5}, {"to": "D2", "rank": 2})
    assert response.status_code == 200, response.text
    assert mine(world, "I1") == [("D2", 1, ""), ("D1", 2, "")]


def test_a_second_wish_at_rank_1_is_refused_and_nothing_moves(world: World) -> None:
    assert put(world, "I1", {"to": "D1", "rank": 1}).status_code == 200
    before = mine(world, "I1")
    response = put(world, "I1", {"to": "D1", "rank": 1}, {"to": "D2", "rank": 1})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["code"] == "duplicate_rank"
    assert "Nom D1" in detail["message"] and "Nom D2" in detail["message"]
    assert "rang 1" in detail["message"].lower()
    assert mine(world, "I1") == before == [("D1", 1, "")]
    english = world.client.put(
        "/me/wishes",
        json={"wishes": [{"to": "D1", "rank": 1}, {"to": "D2", "rank": 1}]},
        headers={**world.me("I1"), "Accept-Language": "en"},
    ).json()["detail"]["message"]
    assert "Rank 1" in english and "Nothing was saved" in english


def test_ranks_are_given_on_every_wish_or_none(world: World) -> None:
    response = put(world, "I1", {"to": "D1", "rank": 1}, {"to": "D2"})
    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "rank_missing"
    assert response.json()["detail"]["errors"][0]["field"] == "wishes[1].rank"
    # Without ranks the list's order is the ranking, as before.
    assert put(world, "I1", {"to": "D2"}, {"to": "D1"}).status_code == 200
    assert [w[0] for w in mine(world, "I1")] == ["D2", "D1"]


def test_the_message_reaches_the_asked_participant(world: World) -> None:
    text = "Nous fabriquons des drones d'observation : 15 minutes pour vous les présenter ?"
    assert put(world, "I1", {"to": "D1", "message": text}).status_code == 200
    requests = world.client.get("/me/requests", headers=world.me("D1")).json()["data"]
    assert [(r["from"], r["message"]) for r in requests] == [("I1", text)]
    organiser_view = world.client.get(world.url("/wishes"), headers=world.organiser).json()
    assert organiser_view["data"][0]["message"] == text
    # Re-sent with another message: the same wish (its id, its answer) with the new message.
    first_id = world.client.get("/me/wishes", headers=world.me("I1")).json()["data"][0]["id"]
    assert put(world, "I1", {"to": "D1", "message": "Autre sujet."}).status_code == 200
    [again] = world.client.get("/me/wishes", headers=world.me("I1")).json()["data"]
    assert (again["id"], again["message"]) == (first_id, "Autre sujet.")
    # The message is not part of salon/v1: the export stays strict.
    export = world.client.get(world.url("/export"), headers=world.organiser)
    assert export.status_code == 200 and "message" not in export.json()["wishes"][0]


def test_a_message_is_length_capped_and_never_binary(world: World) -> None:
    too_long = put(world, "I1", {"to": "D1", "message": "x" * 301})
    assert too_long.status_code == 422
    assert "message" in too_long.text
    nul = put(world, "I1", {"to": "D1", "message": "a\x00b"})
    assert nul.status_code == 422
    assert world.client.get("/me/wishes", headers=world.me("I1")).json()["count"] == 0


def test_the_organiser_sets_and_changes_a_wish_message(world: World) -> None:
    client = world.client
    body = {"from": "I2", "to": "D2", "message": "Au sujet du lot 3."}
    created = client.post(world.url("/wishes"), json=body, headers=world.organiser)
    assert created.status_code == 201, created.text
    assert created.json()["message"] == "Au sujet du lot 3."
    wish_url = world.url(f"/wishes/{created.json()['id']}")
    changed = client.patch(wish_url, json={"message": "Lot 4."}, headers=world.organiser)
    assert changed.status_code == 200, changed.text
    assert changed.json()["message"] == "Lot 4."
    kept = client.patch(wish_url, json={"priority": 1}, headers=world.organiser).json()
    assert (kept["message"], kept["priority"]) == ("Lot 4.", 1)


def test_caps_per_kind_are_salon_settings_exported_in_salon_v1(world: World) -> None:
    client = world.client
    caps = {"director": 14, "industrial": 6}
    changed = client.patch(
        world.url(), json={"max_meetings_by_kind": caps}, headers=world.organiser
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["max_meetings_by_kind"] == caps
    export = client.get(world.url("/export"), headers=world.organiser).json()
    assert export["max_meetings_by_kind"] == caps
    imported = client.post("/salons/import", json=export, headers=world.organiser)
    assert imported.status_code == 201, imported.text
    assert imported.json()["max_meetings_by_kind"] == caps
    bad = client.patch(
        world.url(), json={"max_meetings_by_kind": {"industrials": 6}}, headers=world.organiser
    )
    assert bad.status_code == 422
    no_caps = {"max_meetings_by_kind": None}
    cleared = client.patch(world.url(), json=no_caps, headers=world.organiser)
    assert cleared.json()["max_meetings_by_kind"] is None
    assert "max_meetings_by_kind" not in client.get(
        world.url("/export"), headers=world.organiser
    ).json()
