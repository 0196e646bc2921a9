"""The participant's agenda on the day (issue 13, items 6 and 9): the next meeting's card by
the service's clock, free slots folded, a banner when the agenda changed since it was last
seen; a wish left out by the limit of meetings in a row says whose limit it was; a request
already in the published agenda is not "pending"."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from pages_helpers import wishes_and_solve
from service_helpers import World, make_salon, new_organiser, wait_for_job

from api.timestamps import set_clock

PARIS_OFFSET = dt.timedelta(hours=1)  # Paris in November: UTC+1


@pytest.fixture(autouse=True)
def real_clock_after() -> Iterator[None]:
    yield
    set_clock(None)


def _publish(world: World) -> dict[str, Any]:
    version = wishes_and_solve(world)
    path = world.url(f"/schedules/{version}/publish")
    assert world.client.post(path, headers=world.organiser).status_code == 200
    schedule: dict[str, Any] = world.client.get(
        world.url(f"/schedules/{version}"), headers=world.organiser
    ).json()
    return schedule


def _meetings_of(schedule: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return sorted(
        (m for m in schedule["meetings"] if code in (m["from"], m["to"])), key=lambda m: m["start"]
    )


def _at(local: str, minutes: int = 0) -> None:
    """The service's clock at a Paris time (plus `minutes`)."""
    moment = dt.datetime.fromisoformat(local) - PARIS_OFFSET + dt.timedelta(minutes=minutes)
    set_clock(moment)


def _card(html: str) -> str:
    found = re.search(
        r'<section[^>]*id="next-meeting".*?</section>|<p[^>]*id="next-meeting".*?</p>', html, re.S
    )
    assert found, "no next-meeting card"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


def test_the_next_meeting_card_follows_the_clock(world: World) -> None:
    schedule = _publish(world)
    first, last = _meetings_of(schedule, "D1")[0], _meetings_of(schedule, "D1")[-1]
    other = first["to"] if first["from"] == "D1" else first["from"]
    path = f"/p/{world.tokens['D1']}/agenda"
    _at(first["start"], -12)
    card = _card(world.client.get(path).text)
    assert "Prochain rendez-vous" in card and "dans 12 minutes" in card
    assert f"Table {first['table']}" in card and f"Nom {other} , Org {other}" in card
    home = _card(world.client.get(f"/p/{world.tokens['D1']}").text)  # on the home page too
    assert "dans 12 minutes" in home and f"Table {first['table']}" in home
    _at(first["start"], -150)
    assert "dans 2 h 30" in _card(world.client.get(path).text)
    _at(first["start"], 5)
    assert "Rendez-vous en cours" in _card(world.client.get(path).text)
    _at(last["end"], 1)
    assert "Vos rendez-vous sont terminés." in _card(world.client.get(path).text)
    english = world.client.get(path, params={"lang": "en"}).text
    assert "Your meetings are over." in english


def test_free_slots_are_folded(world: World) -> None:
    schedule = _publish(world)
    page = world.client.get(f"/p/{world.tokens['D1']}/agenda").text
    assert "<caption>Rendez-vous de Nom D1</caption>" in page
    free_rows = re.findall(r'<tr class="free_run".*?</tr>', page, re.S)
    counts = [int(n) for row in free_rows for n in re.findall(r"Libre : (\d+) créneaux?<", row)]
    assert len(counts) == len(free_rows)
    assert sum(counts) == 8 - len(_meetings_of(schedule, "D1"))  # 8 slots in all
    assert len(free_rows) <= 3  # before, between and after the two meetings at most
    assert 'class="free"' not in page


def test_a_banner_when_the_agenda_changed_since_last_seen(world: World) -> None:
    _publish(world)
    path = f"/p/{world.tokens['D1']}/agenda"
    assert 'id="agenda-changed"' not in world.client.get(path).text  # first visit
    assert 'id="agenda-changed"' not in world.client.get(path).text  # nothing changed
    repair = world.client.post(
        world.url("/repairs"),
        json={"now": "2023-11-28T08:00:00", "changes": [{"kind": "participant_cancelled",
                                                        "participant": "I1"}]},
        headers=world.organiser,
    )
    assert repair.status_code == 201, repair.text
    published = world.client.post(
        world.url(f"/repairs/{repair.json()['id']}/publish"), headers=world.organiser
    )
    assert published.status_code == 200, published.text
    page = world.client.get(path).text
    assert 'id="agenda-changed"' in page and "Votre agenda a changé" in page
    assert "1 rendez-vous retiré ou déplacé." in page
    assert 'id="agenda-changed"' not in world.client.get(path).text  # seen now
    # another participant whose agenda did not change sees no banner after the repair
    assert 'id="agenda-changed"' not in world.client.get(f"/p/{world.tokens['I3']}/agenda").text


def test_requests_in_the_published_agenda_are_not_pending(world: World) -> None:
    path = f"/p/{world.tokens['D1']}/requests"
    for code in ("I1", "I2"):
        world.client.put("/me/wishes", json={"wishes": [{"to": "D1"}]}, headers=world.me(code))
    assert world.client.get(path).text.count("en attente") == 2
    schedule = _publish(world)
    page = world.client.get(path).text
    met = len(_meetings_of(schedule, "D1"))
    assert page.count("dans votre agenda") == met == 2 and "en attente" not in page
    assert world.client.get(path, params={"lang": "en"}).text.count("in your agenda") == 2


def test_the_limit_of_meetings_in_a_row_says_whose_it_was(world: World) -> None:
    """Three industrials ask D1 in a session of three slots where nobody may have more than 2
    meetings in a row: one is left out by D1's run, not by its own (it has none)."""
    client = world.client
    organiser = new_organiser(client)
    sessions = [{"date": "2023-11-28", "start": "09:00", "end": "09:45"}]
    salon_id, _ids, tokens = make_salon(client, organiser, sessions=sessions, max_in_a_row=2)
    for code in ("I1", "I2", "I3"):
        links = {"X-Participant-Token": tokens[code]}
        client.put("/me/wishes", json={"wishes": [{"to": "D1"}]}, headers=links)
    job = client.post(
        f"/salons/{salon_id}/solves", json={"time_limit": 5, "workers": 1}, headers=organiser
    ).json()
    done = wait_for_job(client, organiser, salon_id, job["id"])
    assert done["state"] == "done", done
    version = done["schedule_version"]
    client.post(f"/salons/{salon_id}/schedules/{version}/publish", headers=organiser)
    schedule = client.get(f"/salons/{salon_id}/schedules/{version}", headers=organiser).json()
    [left] = [u for u in schedule["unscheduled"] if u["to"] == "D1"]
    assert left["reason"] == "max_in_a_row", left
    page = client.get(f"/p/{tokens[left['from']]}/agenda").text
    assert (
        "Le placer aurait fait dépasser à Nom D1 sa limite de 2 rendez-vous d'affilée : "
        "la limite était la sienne, pas la vôtre." in page.replace("&#39;", "'")
    )
    director = client.get(f"/p/{tokens['D1']}/agenda").text.replace("&#39;", "'")
    own = "Le placer vous aurait fait dépasser votre limite de 2 rendez-vous d'affilée."
    assert own in director
    english = client.get(f"/p/{tokens[left['from']]}/agenda", params={"lang": "en"}).text
    assert "the limit was theirs, not yours" in english.replace("&#39;", "'")
