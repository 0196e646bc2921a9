"""The repair API on SQLite and PostgreSQL: post the changes of the day, get a draft with its
change list, publish it, and the participants whose agenda changed get a mail (outbox).

The salon (service_helpers.make_salon): D1, D2 at tables T1, T2 (T3 is free), I1..I3; sessions
2023-11-28 09:00-10:00 and 14:00-15:00 of 15-minute slots. Every wish fits, so the solved
schedule holds them all, whatever their times.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service_helpers import World, make_salon, new_organiser, settings_for, wait_for_job
from sqlalchemy import select

from api.app import create_app
from api.mail import read_outbox
from api.salons.tables import Job
from scheduler.loading import load_salon, load_schedule
from scheduler.validator import validate

WISHES = [("I1", "D1"), ("I2", "D1"), ("I3", "D1"), ("I1", "D2"), ("I2", "D2")]
EARLY = "2023-11-28T08:00:00"


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def desk(database_url: str, outbox: Path) -> Iterator[World]:
    with published_salon(database_url, outbox) as world:
        yield world


@contextmanager
def published_salon(database_url: str, outbox: Path, **overrides: Any) -> Iterator[World]:
    """A salon whose solved schedule (every wish met) is published as version 1."""
    app = create_app(settings_for(database_url, outbox_dir=outbox, **overrides))
    with TestClient(app) as client:
        organiser = new_organiser(client)
        salon_id, ids, tokens = make_salon(client, organiser)
        world = World(client, organiser, salon_id, ids, tokens, new_organiser(client))
        for code in ("I1", "D1", "D2", "I3"):
            answer = client.patch(
                world.url(f"/participants/{ids[code]}"),
                json={"email": f"{code.lower()}@example.org"},
                headers=organiser,
            )
            assert answer.status_code == 200, answer.text
        for asker, asked in WISHES:
            body = {"from": asker, "to": asked}
            assert (
                client.post(world.url("/wishes"), json=body, headers=organiser).status_code == 201
            )
        job = client.post(
            world.url("/solves"), json={"time_limit": 2, "workers": 1}, headers=organiser
        ).json()
        assert wait_for_job(client, organiser, salon_id, job["id"])["state"] == "done"
        published = client.post(world.url("/schedules/1/publish"), headers=organiser)
        assert published.status_code == 200, published.text
        yield world


def _post(world: World, changes: list[dict[str, Any]], now: str = EARLY) -> Any:
    return world.client.post(
        world.url("/repairs"), json={"now": now, "changes": changes}, headers=world.organiser
    )


def _pairs(world: World, version: int) -> set[frozenset[str]]:
    schedule = world.client.get(world.url(f"/schedules/{version}"), headers=world.organiser)
    return {frozenset((m["from"], m["to"])) for m in schedule.json()["meetings"]}


def test_a_cancellation_gives_a_draft_with_its_change_list(desk: World) -> None:
    # A wish added after the solve waits for a place: D2 gets one when I1 leaves.
    body = {"from": "I3", "to": "D2"}
    assert (
        desk.client.post(desk.url("/wishes"), json=body, headers=desk.organiser).status_code == 201
    )
    answer = _post(desk, [{"kind": "participant_cancelled", "participant": "I1"}])
    assert answer.status_code == 201, answer.text
    repair = answer.json()
    assert (repair["state"], repair["current"], repair["base_version"], repair["version"]) == (
        "draft",
        True,
        1,
        2,
    )
    kinds = sorted((c["kind"], c["from"], c["to"], c["reason"]) for c in repair["change_list"])
    assert kinds == [
        ("added", "I3", "D2", "waiting_list"),
        ("dropped", "I1", "D1", "participant_cancelled"),
        ("dropped", "I1", "D2", "participant_cancelled"),
    ]
    assert (repair["moved"], repair["dropped"], repair["added"]) == (0, 2, 1)
    assert [p["code"] for p in repair["participants"]] == ["D1", "D2", "I1", "I3"]
    assert repair["changes"] == [
        {"kind": "participant_cancelled", "participant": "I1", "from": None}
    ]
    # The draft is an ordinary preliminary version; participants still see version 1.
    assert _pairs(desk, 2) == {frozenset(p) for p in WISHES if "I1" not in p} | {
        frozenset(("I3", "D2"))
    }
    agenda = desk.client.get("/me/agenda", headers=desk.me("I1")).json()
    assert agenda["version"] == 1
    # The draft exports as a schedule/v1 file that keeps every rule of the changed salon.
    exported = desk.client.get(desk.url("/schedules/2/export"), headers=desk.organiser).json()
    salon = load_salon(desk.client.get(desk.url("/export"), headers=desk.organiser).json())
    assert validate(salon, load_schedule(exported)).violations == []


def _notified(world: World, repair_id: int, count: int, seconds: float = 60.0) -> int:
    """The repair's `notified` once its mail job has set it to `count` (or the time is up)."""
    deadline = time.monotonic() + seconds
    while True:
        read = world.client.get(world.url(f"/repairs/{repair_id}"), headers=world.organiser)
        assert read.status_code == 200, read.text
        if read.json()["notified"] == count or time.monotonic() > deadline:
            return int(read.json()["notified"])
        time.sleep(0.05)


def _mail_jobs(world: World) -> list[tuple[str, str, int]]:
    """The repair mail jobs of the world's salon: (state, phase, mails sent)."""
    factory = world.client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        rows = session.scalars(
            select(Job).where(Job.salon_id == world.salon_id, Job.kind == "repair_mail")
        )
        return [(job.state, job.phase, job.done) for job in rows]


def test_publishing_returns_before_the_mails_are_sent(database_url: str, outbox: Path) -> None:
    """The mail server never greets (a listening socket nobody serves): the publication answers
    at once while the repair's mail job still waits for it; the job then gives up, mailing
    nobody, and the repair stays published."""
    with socket.socket() as tarpit:
        tarpit.bind(("127.0.0.1", 0))
        tarpit.listen(16)
        port = tarpit.getsockname()[1]
        smtp = {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_timeout": 1.5}
        with published_salon(database_url, outbox, **smtp) as world:
            repair = _post(world, [{"kind": "participant_cancelled", "participant": "I1"}])
            published = world.client.post(
                world.url(f"/repairs/{repair.json()['id']}/publish"), headers=world.organiser
            )
            assert published.status_code == 200, published.text
            assert published.json()["state"] == "published"
            assert published.json()["notified"] == 0
            # three mails of 1.5 s each at least: the job is still at the first one
            assert _mail_jobs(world) in ([("queued", "", 0)], [("running", "mailing", 0)])
            deadline = time.monotonic() + 30
            while _mail_jobs(world)[0][0] != "done" and time.monotonic() < deadline:
                time.sleep(0.1)
            assert _mail_jobs(world) == [("done", "done", 0)]
            assert _notified(world, repair.json()["id"], 0) == 0
    assert read_outbox(outbox) == []


def test_publishing_a_repair_tells_the_participants(desk: World, outbox: Path) -> None:
    repair = _post(desk, [{"kind": "participant_cancelled", "participant": "I1"}]).json()
    published = desk.client.post(
        desk.url(f"/repairs/{repair['id']}/publish"), headers=desk.organiser
    )
    assert published.status_code == 200, published.text
    assert published.json()["state"] == "published"
    # D1, D2 and I1 have addresses and a changed agenda; I2 and I3 kept theirs: the repair's
    # mail job (run after the request) sends them and counts them.
    assert _notified(desk, repair["id"], 3) == 3
    mails = read_outbox(outbox)
    assert sorted(str(m["To"]) for m in mails) == [
        "d1@example.org",
        "d2@example.org",
        "i1@example.org",
    ]
    mail = next(m for m in mails if str(m["To"]) == "d1@example.org")
    body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Votre agenda du salon « Salon test » a changé" in body
    assert "- annulé : rendez-vous avec I1" in body
    assert "- cancelled: meeting with I1" in body
    # The mail carries D1's personal link, which opens D1's page.
    [link] = set(re.findall(r"http://testserver/p/[A-Za-z0-9_-]{32}", body))
    assert "Nom D1" in desk.client.get(link.removeprefix("http://testserver")).text
    assert desk.client.get("/me/agenda", headers=desk.me("D1")).json()["version"] == 2
    # Publishing again sends nothing more.
    again = desk.client.post(desk.url(f"/repairs/{repair['id']}/publish"), headers=desk.organiser)
    assert again.status_code == 200 and again.json()["notified"] == 3
    assert len(read_outbox(outbox)) == 3


def test_the_days_changes_add_up(desk: World) -> None:
    first = _post(desk, [{"kind": "participant_cancelled", "participant": "I1"}]).json()
    desk.client.post(desk.url(f"/schedules/{first['version']}/publish"), headers=desk.organiser)
    # The next repair starts from version 2 and keeps I1 out (a waiting I1 wish to D2 would
    # otherwise come back).
    second = _post(
        desk,
        [
            {
                "kind": "participant_unavailable",
                "participant": "D2",
                "start": EARLY,
                "end": "2023-11-28T10:00:00",
            }
        ],
    )
    assert second.status_code == 201, second.text
    assert second.json()["base_version"] == 2
    pairs = _pairs(desk, second.json()["version"])
    assert not any("I1" in pair for pair in pairs)
    assert frozenset(("I2", "D2")) in pairs  # moved to the afternoon if it was in the morning
    listed = desk.client.get(desk.url("/repairs"), headers=desk.organiser).json()
    assert listed["count"] == 2
    assert [(r["id"], r["state"]) for r in listed["data"]] == [
        (second.json()["id"], "draft"),
        (first["id"], "published"),
    ]


def test_walk_ins_and_new_wishes_are_stored_in_the_salon(desk: World) -> None:
    answer = _post(
        desk,
        [
            {
                "kind": "participant_added",
                "participant": {"id": "W1", "name": "Visiteur", "email": "w1@example.org"},
            },
            {"kind": "wish_added", "wish": {"from": "W1", "to": "D2", "priority": 1}},
        ],
    )
    assert answer.status_code == 201, answer.text
    [added] = answer.json()["change_list"]
    assert (added["kind"], added["from"], added["to"], added["reason"]) == (
        "added",
        "W1",
        "D2",
        "wish_added",
    )
    participants = desk.client.get(desk.url("/participants"), headers=desk.organiser).json()
    assert "W1" in [p["code"] for p in participants["data"]]
    wishes = desk.client.get(desk.url("/wishes"), headers=desk.organiser).json()["data"]
    assert any(w["from"] == "W1" and w["to"] == "D2" for w in wishes)


def test_an_outdated_draft_cannot_be_published(desk: World) -> None:
    first = _post(desk, [{"kind": "participant_cancelled", "participant": "I1"}]).json()
    second = _post(desk, [{"kind": "participant_cancelled", "participant": "I2"}]).json()
    assert (
        desk.client.post(
            desk.url(f"/repairs/{first['id']}/publish"), headers=desk.organiser
        ).status_code
        == 200
    )
    refused = desk.client.post(desk.url(f"/repairs/{second['id']}/publish"), headers=desk.organiser)
    assert refused.status_code == 409
    assert refused.json()["detail"]["code"] == "repair_outdated"
    read = desk.client.get(desk.url(f"/repairs/{second['id']}"), headers=desk.organiser).json()
    assert (read["state"], read["current"]) == ("draft", False)


def test_bad_changes_are_refused_with_their_field(desk: World) -> None:
    refused = _post(desk, [{"kind": "no_show", "participant": "X9", "at": EARLY}])
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert detail["code"] == "invalid_changes"
    assert detail["errors"] == [
        {
            "field": "changes[0].participant",
            "message": "unknown participant 'X9' [known_participant]",
        }
    ]
    english = desk.client.post(
        desk.url("/repairs"),
        json={"changes": [{"kind": "table_closed", "table": "T9"}]},
        headers={**desk.organiser, "Accept-Language": "en"},
    )
    assert english.json()["detail"]["message"] == (
        "The changes do not apply to the salon: 1 problem(s)."
    )
    for body in (
        {"changes": [{"kind": "moved"}]},
        {"changes": [], "now": 0},
        {"changes": [], "now": "2023-11-28T09:00:00+01:00"},
        {"changes": [{"kind": "participant_cancelled", "participant": "I1", "from": 0}]},
    ):
        malformed = desk.client.post(desk.url("/repairs"), json=body, headers=desk.organiser)
        assert malformed.status_code == 422, body
        assert malformed.json()["detail"]["code"] == "invalid_request"


def test_a_salon_without_a_published_schedule_has_nothing_to_repair(desk: World) -> None:
    salon = desk.client.post(
        "/salons",
        json={
            "name": "Vide",
            "sessions": [{"date": "2023-11-28", "start": "09:00", "end": "10:00"}],
        },
        headers=desk.organiser,
    ).json()
    refused = desk.client.post(
        f"/salons/{salon['id']}/repairs", json={"changes": []}, headers=desk.organiser
    )
    assert refused.status_code == 409
    assert refused.json()["detail"]["code"] == "no_published_schedule"


def test_repairs_are_the_organisers_own(desk: World) -> None:
    repair = _post(desk, []).json()
    assert repair["change_list"] == [] and repair["participants"] == []
    other = desk.other_organiser
    for method, path in (
        ("GET", "/repairs"),
        ("GET", f"/repairs/{repair['id']}"),
        ("POST", f"/repairs/{repair['id']}/publish"),
    ):
        answer = desk.client.request(method, desk.url(path), headers=other)
        assert answer.status_code == 404, (method, path)
        assert desk.client.request(method, desk.url(path)).status_code == 401
    assert (
        desk.client.post(desk.url("/repairs"), json={"changes": []}, headers=other).status_code
        == 404
    )
    missing = desk.client.get(desk.url("/repairs/999"), headers=desk.organiser)
    assert (
        missing.status_code == 404
        and missing.json()["detail"]["message"] == "Réparation introuvable."
    )


def test_now_defaults_to_the_salons_clock(desk: World) -> None:
    answer = desk.client.post(desk.url("/repairs"), json={"changes": []}, headers=desk.organiser)
    assert answer.status_code == 201, answer.text
    # The salon took place in 2023: every meeting is in the past, nothing can change.
    assert answer.json()["change_list"] == []
    assert answer.json()["now"] > "2024"


CODES = ["D1", "D2", "I1", "I2", "I3", "W1", "X9"]
TIMES = st.one_of(
    st.builds(
        lambda h, m: f"2023-11-28T{h:02d}:{m:02d}:00",
        st.integers(7, 18),
        st.sampled_from([0, 5, 15, 20, 45]),
    ),
    st.sampled_from(["0001-01-01T00:00:00", "9999-12-31T23:59:00", "2023-11-28T09:00:00+14:00"]),
)
CHANGE = st.one_of(
    st.fixed_dictionaries(
        {"kind": st.just("participant_cancelled"), "participant": st.sampled_from(CODES)},
        optional={"from": TIMES},
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("participant_unavailable"),
            "participant": st.sampled_from(CODES),
            "start": TIMES,
            "end": TIMES,
        }
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("meeting_cancelled"),
            "from": st.sampled_from(CODES),
            "to": st.sampled_from(CODES),
        }
    ),
    st.fixed_dictionaries(
        {"kind": st.just("no_show"), "participant": st.sampled_from(CODES), "at": TIMES}
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("participant_added"),
            "participant": st.fixed_dictionaries(
                {"id": st.sampled_from(["W1", "W2", "D1"]), "name": st.just("Walk-in")},
                optional={"table": st.sampled_from(["T1", "T3", "T9"])},
            ),
        }
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("wish_added"),
            "wish": st.fixed_dictionaries(
                {"from": st.sampled_from(CODES), "to": st.sampled_from(CODES)},
                optional={
                    "priority": st.integers(1, 3),
                    "required": st.booleans(),
                    "pinned": TIMES,
                },
            ),
        }
    ),
    st.fixed_dictionaries(
        {"kind": st.just("table_closed"), "table": st.sampled_from(["T1", "T2", "T3", "T9"])},
        optional={"from": TIMES},
    ),
)


def test_random_changes_never_break_the_service(database_url: str, outbox: Path) -> None:
    """Any change list is either repaired (a valid draft) or refused with a 4xx, never a 500."""
    if "sqlite" not in database_url:
        pytest.skip("one database is enough for the fuzzing; the flows above run on both")
    statuses: list[int] = []

    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(CHANGE, max_size=5), st.one_of(st.none(), TIMES))
    def post(changes: list[dict[str, Any]], now: str | None) -> None:
        body: dict[str, Any] = {"changes": changes}
        if now is not None:
            body["now"] = now
        answer = world.client.post(world.url("/repairs"), json=body, headers=world.organiser)
        assert answer.status_code in (201, 409, 422), answer.text
        statuses.append(answer.status_code)
        if answer.status_code == 201:
            version = answer.json()["version"]
            exported = world.client.get(
                world.url(f"/schedules/{version}/export"), headers=world.organiser
            )
            assert exported.status_code == 200
        else:
            assert answer.json()["detail"]["code"]

    with published_salon(database_url, outbox) as world:
        post()
    assert 201 in statuses and 422 in statuses  # both the repair and the refusals ran
