"""The room display (issue 13, item 4): its secret link, its JSON state (rounds of the salon's
grid, the published meetings by table, the server's clock), the digest that keeps polls small
until a new version is published, halls, and the organiser's page of links."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pages_helpers import sign_in, wishes_and_solve
from service_helpers import World

from api.display.links import display_token
from api.salons.printed_links import site_secret
from api.settings import Settings
from api.timestamps import set_clock

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def real_clock_after() -> Iterator[None]:
    yield
    set_clock(None)


def _settings(world: World) -> Settings:
    settings: Settings = world.client.app.state.settings  # type: ignore[attr-defined]
    return settings


def display_path(world: World, salon_id: int | None = None) -> str:
    salon_id = salon_id or world.salon_id
    token = display_token(site_secret(_settings(world)), salon_id=salon_id)
    return f"/display/{salon_id}/{token}"


def ms(local: str) -> int:
    return int(dt.datetime.fromisoformat(local).replace(tzinfo=PARIS).timestamp() * 1000)


def publish(world: World) -> int:
    version = wishes_and_solve(world)
    path = world.url(f"/schedules/{version}/publish")
    response = world.client.post(path, headers=world.organiser)
    assert response.status_code == 200, response.text
    return version


def state(world: World, **params: str) -> dict[str, Any]:
    response = world.client.get(display_path(world) + "/state.json", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    data: dict[str, Any] = response.json()
    return data


def test_a_wrong_token_or_salon_is_a_404(world: World) -> None:
    client = world.client
    good = display_path(world)
    assert client.get(good).status_code == 200
    wrong = f"/display/{world.salon_id}/{'A' * 32}"
    assert client.get(wrong).status_code == 404
    assert client.get(wrong + "/state.json").status_code == 404
    other = good.replace(f"/display/{world.salon_id}/", f"/display/{world.other_salon_id}/")
    assert client.get(other).status_code == 404  # one salon's token opens no other salon
    assert client.get(display_path(world, 999_999)).status_code == 404


def test_the_page_is_a_full_screen_display_with_its_assets(world: World) -> None:
    page = world.client.get(display_path(world), params={"hall": "Salle A"})
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert 'class="room"' in page.text and 'data-hall="Salle A"' in page.text
    assert f'data-state-url="{display_path(world)}/state.json"' in page.text
    assert 'data-timezone="Europe/Paris"' in page.text and "Tour en cours" in page.text
    assert "<script" in page.text and "<script>" not in page.text  # no inline script (CSP)
    script = world.client.get("/assets/display/room.js")
    assert script.status_code == 200 and "performance.now()" in script.text
    assert world.client.get("/assets/display/room.css").headers["content-type"].startswith(
        "text/css"
    )
    english = world.client.get(display_path(world), params={"lang": "en"}).text
    assert "Current round" in english and "Next round" in english


def test_rounds_are_the_salons_grid_before_publication(world: World) -> None:
    data = state(world)
    assert data["version"] is None and data["timezone"] == "Europe/Paris"
    starts = [r["start"] for r in data["rounds"]]
    assert len(starts) == 8  # 2 sessions of an hour, 15-minute meetings (the salon's default)
    assert starts[0] == ms("2023-11-28T09:00") and starts[4] == ms("2023-11-28T14:00")
    assert data["rounds"][0]["label"] == "9 h 00 – 9 h 15"
    assert all(r["meetings"] == [] for r in data["rounds"])


def test_published_meetings_by_round_and_table(world: World) -> None:
    version = publish(world)
    data = state(world)
    assert data["version"] == version
    meetings = [(r["start"], m) for r in data["rounds"] for m in r["meetings"]]
    assert len(meetings) == 4  # I1 and I2 each meet D1 and D2
    for _start, meeting in meetings:
        assert meeting["table"] in ("T1", "T2")
        director, industrial = meeting["names"]
        assert director == f"Nom D{meeting['table'][1]} (Org D{meeting['table'][1]})"
        assert industrial in ("Nom I1 (Org I1)", "Nom I2 (Org I2)")
    schedule = world.client.get(
        world.url(f"/schedules/{version}"), headers=world.organiser
    ).json()
    expected = sorted(ms(m["start"]) for m in schedule["meetings"])
    assert sorted(start for start, _ in meetings) == expected


def test_the_server_clock_and_the_digest(world: World) -> None:
    set_clock(dt.datetime(2023, 11, 28, 8, 5), speed=1)  # naive UTC: 9:05 in Paris
    first = state(world)
    assert abs(first["now"] - ms("2023-11-28T09:05")) < 5_000 and first["speed"] == 1
    again = state(world, known=first["digest"])
    assert again == {"digest": first["digest"], "now": again["now"], "speed": 1, "unchanged": True}
    publish(world)
    after = state(world, known=first["digest"])
    assert after["unchanged"] is False and after["digest"] != first["digest"]
    assert any(r["meetings"] for r in after["rounds"])


def test_a_published_repair_changes_the_digest_and_the_same_rounds_meetings(
    world: World,
) -> None:
    """The display draws a round's list again when the digest changes (room.js keys it by digest
    and round): a repair keeps the rounds but must change the digest and that round's list."""
    publish(world)
    first = state(world)
    cancel = {"now": "2023-11-28T08:00:00", "changes": [
        {"kind": "participant_cancelled", "participant": "I1"}
    ]}
    repair = world.client.post(world.url("/repairs"), json=cancel, headers=world.organiser)
    assert repair.status_code == 201, repair.text
    published = world.client.post(
        world.url(f"/repairs/{repair.json()['id']}/publish"), headers=world.organiser
    )
    assert published.status_code == 200, published.text
    after = state(world, known=first["digest"])
    assert after["unchanged"] is False and after["digest"] != first["digest"]
    assert after["version"] == first["version"] + 1
    before_by_start = {r["start"]: r["meetings"] for r in first["rounds"]}
    with_i1 = [
        r for r in after["rounds"]
        if any("Nom I1" in n for m in before_by_start.get(r["start"], []) for n in m["names"])
    ]
    assert with_i1  # the rounds where I1 met someone are still there, now without I1
    assert all("Nom I1" not in n for r in with_i1 for m in r["meetings"] for n in m["names"])


def test_one_hall(world: World) -> None:
    tables = [{"id": "T1", "room": "Salle A"}, {"id": "T2", "room": "Salle B"}, {"id": "T3"}]
    response = world.client.patch(world.url(), json={"tables": tables}, headers=world.organiser)
    assert response.status_code == 200, response.text
    publish(world)
    everything = state(world)
    assert everything["halls"] == ["Salle A", "Salle B"]
    hall = state(world, hall="Salle A")
    shown = [m for r in hall["rounds"] for m in r["meetings"]]
    assert len(shown) == 2 and {m["table"] for m in shown} == {"T1"}
    assert {m["hall"] for m in shown} == {"Salle A"} and hall["hall"] == "Salle A"
    assert hall["digest"] != everything["digest"]


def test_the_organisers_page_of_links(world: World) -> None:
    client = world.client
    path = f"/o/salons/{world.salon_id}/display"
    assert client.get(path, follow_redirects=False).status_code == 303  # signed out
    tables = [{"id": "T1", "room": "Salle A"}, {"id": "T2"}, {"id": "T3"}]
    client.patch(world.url(), json={"tables": tables}, headers=world.organiser)
    sign_in(client, world.organiser)
    page = client.get(path)
    assert page.status_code == 200 and "Affichage de salle" in page.text
    links = re.findall(r'href="(http://testserver/display/[^"]+)"', page.text)
    assert links == [f"http://testserver{display_path(world)}"] * 1 + [
        f"http://testserver{display_path(world)}?hall=Salle%20A"
    ]
    assert client.get(f"/o/salons/{world.other_salon_id}/display").status_code == 404
