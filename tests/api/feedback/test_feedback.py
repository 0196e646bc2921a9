"""Feedback after a meeting (issue 13, item 7), through the participant's pages on SQLite and
PostgreSQL: a meeting can be rated once ended and not a no-show, each side keeps its own rating,
follow-up and private note, bad input is refused naming the field and loses nothing, and the
report's figures never carry a note."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from service_helpers import World, wait_for_job

from api.dayof.attendance import mark_meeting
from api.feedback.service import salon_figures
from api.salons import storage as salon_storage
from api.timestamps import set_clock
from api.web import csrf_token

# The salon's sessions are 9:00-10:00 and 14:00-15:00 on 28 November 2023, Paris time (UTC+1).
MORNING = dt.datetime(2023, 11, 28, 8, 0)  # naive UTC: 9:00 in Paris, nothing has ended
EVENING = dt.datetime(2023, 11, 28, 17, 0)  # 18:00 in Paris, every meeting has ended


@pytest.fixture(autouse=True)
def real_clock_after() -> Iterator[None]:
    yield
    set_clock(None)


@pytest.fixture
def published(world: World) -> list[dict[str, Any]]:
    """I1 asks D1, I2 asks D1 and D2: solved, published; its meetings."""
    client, organiser = world.client, world.organiser
    for asker, asked in (("I1", ["D1"]), ("I2", ["D1", "D2"])):
        body = {"wishes": [{"to": code} for code in asked]}
        assert client.put("/me/wishes", json=body, headers=world.me(asker)).status_code == 200
    job = client.post(
        f"/salons/{world.salon_id}/solves", json={"time_limit": 2, "workers": 1}, headers=organiser
    ).json()
    assert wait_for_job(client, organiser, world.salon_id, job["id"])["state"] == "done"
    answer = client.post(f"/salons/{world.salon_id}/schedules/1/publish", headers=organiser)
    assert answer.status_code == 200, answer.text
    meetings: list[dict[str, Any]] = client.get(
        f"/salons/{world.salon_id}/schedules/1", headers=organiser
    ).json()["meetings"]
    assert len(meetings) == 3
    return meetings


def form_token(client: TestClient, token: str) -> str:
    """The page's form token (the one every participant page binds to its link)."""
    page = client.get(f"/p/{token}/feedback")
    assert page.status_code == 200, page.text[:300]
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    return found.group(1) if found else csrf_token(token)  # no form open: none in the page


def meeting_with(meetings: list[dict[str, Any]], a: str, b: str) -> dict[str, Any]:
    return next(m for m in meetings if {m["from"], m["to"]} == {a, b})


def post(world: World, code: str, **form: str) -> Any:
    token = world.tokens[code]
    data = {"csrf": form_token(world.client, token), **form}
    return world.client.post(f"/p/{token}/feedback", data=data, follow_redirects=False)


def test_a_meeting_is_rated_once_ended_each_side_on_its_own(
    world: World, published: list[dict[str, Any]]
) -> None:
    meeting = meeting_with(published, "I1", "D1")
    set_clock(MORNING)
    early = post(world, "I1", other="D1", start=meeting["start"], rating="4")
    assert early.status_code == 409
    assert "pas terminé" in early.text
    page = world.client.get(f"/p/{world.tokens['I1']}/feedback")
    assert "Vous pourrez donner votre avis à la fin du rendez-vous" in page.text

    set_clock(EVENING)
    saved = post(
        world, "I1", other="D1", start=meeting["start"], rating="4", follow_up="1",
        note="Devis à envoyer", back="agenda",
    )
    assert saved.status_code == 303
    assert saved.headers["location"].startswith(f"/p/{world.tokens['I1']}/agenda?done=feedback#m-")
    assert post(world, "D1", other="I1", start=meeting["start"], rating="2").status_code == 303

    mine = world.client.get(f"/p/{world.tokens['I1']}/feedback").text
    assert 'value="4" checked' in mine and "Devis à envoyer" in mine
    assert 'name="follow_up" value="1" checked' in mine
    theirs = world.client.get(f"/p/{world.tokens['D1']}/feedback").text
    assert "Devis à envoyer" not in theirs  # a note is private to its author
    assert 'value="2" checked' in theirs

    again = post(world, "I1", other="D1", start=meeting["start"], rating="5")
    assert again.status_code == 303  # replaces: one feedback per side and meeting
    with world.client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        figures = salon_figures(session, salon_id=world.salon_id)
    assert sorted((f.author, f.other, f.rating, f.follow_up) for f in figures) == [
        ("D1", "I1", 2, False),
        ("I1", "D1", 5, False),
    ]
    assert not any(hasattr(f, "note") for f in figures)


def test_bad_input_is_refused_naming_the_field_and_keeps_what_was_saved(
    world: World, published: list[dict[str, Any]]
) -> None:
    meeting = meeting_with(published, "I1", "D1")
    set_clock(EVENING)
    assert post(world, "I1", other="D1", start=meeting["start"], rating="3").status_code == 303
    for form, status, words in (
        ({"rating": "6"}, 422, "Une note de 1 à 5"),
        ({"rating": "trois"}, 422, "Une note de 1 à 5"),
        ({"note": "x" * 2001}, 422, "2000 caractères au plus"),
        ({"start": "hier"}, 404, "Début du rendez-vous invalide"),
        ({"other": "D2"}, 404, "pas dans votre agenda publié"),
        ({"other": "I1"}, 404, "pas dans votre agenda publié"),
    ):
        sent = {"other": "D1", "start": meeting["start"], "rating": "1", **form}
        answer = post(world, "I1", **sent)
        assert answer.status_code == status, (form, answer.status_code)
        assert words in answer.text, form
    page = world.client.get(f"/p/{world.tokens['I1']}/feedback").text
    assert 'value="3" checked' in page
    refused = world.client.post(
        f"/p/{world.tokens['I1']}/feedback",
        data={"other": "D1", "start": meeting["start"], "rating": "1"},
    )
    assert refused.status_code == 403  # no form token


def test_a_no_show_cannot_be_rated(world: World, published: list[dict[str, Any]]) -> None:
    meeting = meeting_with(published, "I2", "D2")
    set_clock(EVENING)
    with world.client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        salon = salon_storage.find_salon(session, salon_id=world.salon_id)
        assert salon is not None
        mark_meeting(
            session, salon=salon, from_=meeting["from"], to=meeting["to"],
            start=dt.datetime.fromisoformat(meeting["start"]), status="no_show",
            absent="D2", marked_by="organiser",
        )
    answer = post(world, "I2", other="D2", start=meeting["start"], rating="1")
    assert answer.status_code == 409 and "pas eu lieu : il ne se note pas" in answer.text
    page = world.client.get(f"/p/{world.tokens['I2']}/feedback").text
    assert 'data-status="no_show"' in page and "Ce rendez-vous n'a pas eu lieu." in page


def test_the_agenda_leads_to_the_feedback_in_english_too(
    world: World, published: list[dict[str, Any]]
) -> None:
    set_clock(EVENING)
    token = world.tokens["I2"]
    agenda = world.client.get(f"/p/{token}/agenda?lang=en")
    assert agenda.status_code == 200
    assert 'id="feedback"' in agenda.text and f'action="/p/{token}/feedback' in agenda.text
    assert "Your feedback on your meetings" in agenda.text
    assert "We will follow up" in agenda.text  # the forms are on the agenda itself
    page = world.client.get(f"/p/{token}/feedback?lang=en").text
    assert "We will follow up" in page and "Private note (only you read it)" in page
    assert world.client.get("/p/NoSuchLinkToken0123/feedback").status_code == 404
