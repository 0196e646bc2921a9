"""Races closed by the database, on SQLite and PostgreSQL: requests sent truly at once (threads
released together) to a real server, then what the database holds is counted.

- Wishes: a participant replacing its list ten times at once keeps at most `max_wishes` wishes
  (one of the lists it sent, whole), and the salon's wish positions stay distinct while
  participants and the organiser add wishes at once.
- Repairs: two drafts of the same published version published at once: one wins, the other is
  refused (409, `repair_outdated`), stays a draft and mails nobody.
- Magic links: one link used at once from the API and the pages signs in once.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import psycopg
import pytest
from alembic import command
from alembic.config import Config
from service_helpers import SESSIONS, Server, running_server, wait_for_job
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.auth import CurrentOrganiser
from api.catalogue import accounts
from api.catalogue.tables import ContributorSession, LoginToken
from api.db import MIGRATIONS_DIR, make_engine, make_session_factory, migrate
from api.mail import read_outbox
from api.organisers.service import create_organiser
from api.salons import service
from api.salons.schemas import SalonUpdate
from api.salons.tables import Participant, Wish
from scheduler.format import Salon

T = TypeVar("T")

DIRECTORS = 10
INDUSTRIALS = 10
MAX_WISHES = 3
LISTS_EACH = 4  # lists each industrial sends at once
EARLY = "2023-11-28T08:00:00"
PG_ADMIN = os.environ.get("SALON_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def at_once(calls: list[Callable[[], T]]) -> list[T]:
    """Run every call in its own thread, all released together; their results, in order."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        return [future.result() for future in futures]


def clients(server: Server, count: int) -> list[httpx.Client]:
    """`count` clients, each already connected (the first request does not open the socket)."""
    opened = [httpx.Client(base_url=server.base_url, timeout=120) for _ in range(count)]
    for client in opened:
        assert client.get("/openapi.json").status_code == 200
    return opened


def sessions(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


# ------------------------------------------------------------------ wishes


def _wish_salon(database_url: str) -> tuple[int, dict[str, str], dict[str, str]]:
    """10 directors, 10 industrials with a link each, `max_wishes` 3, window open; the
    salon id, the links' tokens and an organiser's API key headers."""
    document = Salon.model_validate(
        {
            "name": "Course aux souhaits",
            "meeting_minutes": 15,
            "sessions": SESSIONS,
            "tables": [f"T{i}" for i in range(DIRECTORS)],
            "participants": [
                {"id": f"D{i}", "name": f"Directeur {i}", "table": f"T{i}"}
                for i in range(DIRECTORS)
            ]
            + [{"id": f"I{i}", "name": f"Industriel {i}"} for i in range(INDUSTRIALS)],
        }
    )
    for session in sessions(database_url):
        issued = create_organiser(session, email="races@example.org")
        organiser = CurrentOrganiser(id=issued.organiser_id, email="", name="")
        salon = service.import_salon(session, organiser=organiser, document=document)
        service.update_salon(
            session,
            organiser=organiser,
            salon_id=salon.id,
            data=SalonUpdate(max_wishes=MAX_WISHES),
        )
        service.set_wish_window(session, organiser=organiser, salon_id=salon.id, open_=True)
        page = service.list_participants(
            session, organiser=organiser, salon_id=salon.id, offset=0, limit=100, kind="industrial"
        )
        tokens = {
            p.code: service.issue_link(
                session, participant_id=p.id, expires_at=None, base_url="http://x"
            ).token
            for p in page.data
        }
    return salon.id, tokens, {"Authorization": f"Bearer {issued.key}"}


def _list_of(industrial: int, variant: int) -> list[str]:
    """The `variant`-th list an industrial sends: 3 directors in a row (lists overlap)."""
    first = industrial + 2 * variant
    return [f"D{(first + k) % DIRECTORS}" for k in range(MAX_WISHES)]


def _stored_wishes(database_url: str, salon_id: int) -> tuple[dict[str, list[str]], list[int]]:
    """Each asker's wishes (most wanted first) and every wish position of the salon."""
    asker = Participant.__table__.alias("asker")
    asked = Participant.__table__.alias("asked")
    lists: dict[str, list[str]] = {}
    for session in sessions(database_url):
        rows: Any = session.execute(
            select(asker.c.code, asked.c.code, Wish.position)
            .join(asker, asker.c.id == Wish.from_id)
            .join(asked, asked.c.id == Wish.to_id)
            .where(Wish.salon_id == salon_id)
            .order_by(Wish.from_id, Wish.rank)
        ).all()
    for from_code, to_code, _ in rows:
        lists.setdefault(from_code, []).append(to_code)
    return lists, [position for _, _, position in rows]


def test_parallel_wish_lists_keep_the_limit_and_distinct_positions(database_url: str) -> None:
    salon_id, tokens, organiser = _wish_salon(database_url)
    requests: list[tuple[str, dict[str, Any], dict[str, str]]] = []
    for code, token in sorted(tokens.items()):
        for variant in range(LISTS_EACH):
            body = {"wishes": [{"to": to} for to in _list_of(int(code[1:]), variant)]}
            requests.append(("/me/wishes", body, {"X-Participant-Token": token}))
    # The organiser adds a wish of each director at the same moment (positions of both paths).
    for d in range(DIRECTORS):
        body = {"from": f"D{d}", "to": f"I{d}"}
        requests.append((f"/salons/{salon_id}/wishes", body, organiser))
    with running_server(database_url, workers=2) as server:
        opened = clients(server, len(requests))
        try:
            calls = [
                (lambda c=client, r=request: _send(c, *r))
                for client, request in zip(opened, requests, strict=True)
            ]
            answers = at_once(calls)
        finally:
            for client in opened:
                client.close()
    assert [(a.status_code, a.text[:200]) for a in answers if a.status_code not in (200, 201)] == []
    lists, positions = _stored_wishes(database_url, salon_id)
    for code in tokens:
        sent = [_list_of(int(code[1:]), variant) for variant in range(LISTS_EACH)]
        assert len(lists[code]) <= MAX_WISHES, (code, lists[code])
        assert lists[code] in sent, (code, lists[code])  # one list, whole: the last committed
    for d in range(DIRECTORS):
        assert lists[f"D{d}"] == [f"I{d}"]
    assert len(positions) == MAX_WISHES * INDUSTRIALS + DIRECTORS
    assert len(set(positions)) == len(positions), sorted(positions)


def _send(client: httpx.Client, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    if path == "/me/wishes":
        return client.put(path, json=body, headers=headers)
    return client.post(path, json=body, headers=headers)


# ------------------------------------------------------------------ repairs


def _published_salon(database_url: str, server: Server) -> tuple[int, dict[str, str]]:
    """D1, D2 (tables T1, T2), I1..I3, all with an address; I1..I3 ask D1 and D2; solved,
    version 1 published. The salon id and the organiser's headers."""
    for session in sessions(database_url):
        issued = create_organiser(session, email="desk@example.org")
    headers = {"Authorization": f"Bearer {issued.key}"}
    with httpx.Client(base_url=server.base_url, timeout=120, headers=headers) as client:
        body = {"name": "Salon du jour", "sessions": SESSIONS, "tables": ["T1", "T2", "T3"]}
        answer = client.post("/salons", json=body)
        assert answer.status_code == 201, answer.text
        salon_id = answer.json()["id"]
        for code, table in [("D1", "T1"), ("D2", "T2"), ("I1", None), ("I2", None), ("I3", None)]:
            person = {
                "code": code,
                "name": f"Nom {code}",
                "table": table,
                "email": f"{code.lower()}@example.org",
            }
            answer = client.post(f"/salons/{salon_id}/participants", json=person)
            assert answer.status_code == 201, answer.text
        for asker in ("I1", "I2", "I3"):
            for asked in ("D1", "D2"):
                wish = {"from": asker, "to": asked}
                answer = client.post(f"/salons/{salon_id}/wishes", json=wish)
                assert answer.status_code == 201, answer.text
        job = client.post(f"/salons/{salon_id}/solves", json={"time_limit": 2, "workers": 1})
        assert job.status_code in (201, 202), job.text
        done = wait_for_job(client, headers, salon_id, job.json()["id"])  # type: ignore[arg-type]
        assert done["state"] == "done", done
        published = client.post(f"/salons/{salon_id}/schedules/1/publish")
        assert published.status_code == 200, published.text
    return salon_id, headers


def _draft(client: httpx.Client, salon_id: int, cancelled: str) -> dict[str, Any]:
    body = {"now": EARLY, "changes": [{"kind": "participant_cancelled", "participant": cancelled}]}
    answer = client.post(f"/salons/{salon_id}/repairs", json=body)
    assert answer.status_code == 201, answer.text
    draft: dict[str, Any] = answer.json()
    return draft


def test_two_repairs_published_at_once_one_wins(database_url: str, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    with running_server(database_url, workers=2, SALON_OUTBOX_DIR=str(outbox)) as server:
        salon_id, headers = _published_salon(database_url, server)
        remaining = ["I1", "I2", "I3"]
        for _round in range(2):
            with httpx.Client(base_url=server.base_url, timeout=120, headers=headers) as client:
                first, second = remaining[0], remaining[1]
                drafts = {code: _draft(client, salon_id, code) for code in (first, second)}
                base = {d["base_version"] for d in drafts.values()}
                assert len(base) == 1  # both built on the same published version
            mailed_before = len(read_outbox(outbox))
            opened = clients(server, 2)
            try:
                answers = at_once(
                    [
                        (
                            lambda c=client, d=draft: c.post(
                                f"/salons/{salon_id}/repairs/{d['id']}/publish", headers=headers
                            )
                        )
                        for client, draft in zip(opened, drafts.values(), strict=True)
                    ]
                )
            finally:
                for client in opened:
                    client.close()
            codes = dict(zip(drafts, answers, strict=True))
            assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
            [winner] = [code for code, a in codes.items() if a.status_code == 200]
            [loser] = [code for code, a in codes.items() if a.status_code == 409]
            refused = codes[loser].json()["detail"]
            assert refused["code"] == "repair_outdated", refused
            assert "refaites la réparation" in refused["message"]
            with httpx.Client(base_url=server.base_url, timeout=120, headers=headers) as client:
                won_url = f"/salons/{salon_id}/repairs/{drafts[winner]['id']}"
                deadline = time.monotonic() + 60  # the winner's mails: a job, after the answer
                while True:
                    won = client.get(won_url).json()
                    sent = read_outbox(outbox)[mailed_before:]
                    if (won["notified"] and len(sent) >= won["notified"]) or (
                        time.monotonic() > deadline
                    ):
                        break
                    time.sleep(0.05)
                lost = client.get(f"/salons/{salon_id}/repairs/{drafts[loser]['id']}").json()
                summaries = client.get(f"/salons/{salon_id}/schedules").json()["data"]
            assert (won["state"], won["current"]) == ("published", True)
            assert (lost["state"], lost["current"]) == ("draft", False)
            published = [s["version"] for s in summaries if s.get("published_at")]
            assert drafts[loser]["version"] not in published
            # The winner's participants got their mail; nobody got the loser's.
            mails = read_outbox(outbox)[mailed_before:]
            assert sorted(str(m["To"]) for m in mails) == sorted(
                p["email"] for p in won["participants"]
            )
            assert won["notified"] == len(mails) > 0
            bodies = [m.get_body(("plain",)).get_content() for m in mails]  # type: ignore[union-attr]
            assert not any(f"avec {loser} " in body for body in bodies)
            assert f"{loser.lower()}@example.org" not in [str(m["To"]) for m in mails]
            remaining.remove(winner)


# ------------------------------------------------------------------ magic links


def test_a_magic_link_used_at_once_signs_in_once(database_url: str) -> None:
    for session in sessions(database_url):
        token = accounts.issue_magic_link(session, email="agent@administration.example")
    uses = 8
    with running_server(database_url, workers=2) as server:
        opened = clients(server, uses)
        try:
            calls: list[Callable[[], httpx.Response]] = []
            for i, client in enumerate(opened):
                if i % 2:
                    calls.append(
                        lambda c=client: c.post(
                            "/catalogue/api/auth/session", json={"token": token}
                        )
                    )
                else:
                    calls.append(lambda c=client: c.post(f"/catalogue/login/{token}"))
            answers = at_once(calls)
        finally:
            for client in opened:
                client.close()
    signed_in = [a for a in answers if a.status_code in (200, 303)]
    refused = [a for a in answers if a.status_code == 401]
    assert (len(signed_in), len(refused)) == (1, uses - 1), [a.status_code for a in answers]
    for session in sessions(database_url):
        assert session.scalar(select(func.count()).select_from(ContributorSession)) == 1
        used = session.scalar(select(LoginToken.used_at))
        assert used is not None


# ------------------------------------------------------------------ the migration


@pytest.fixture
def own_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database of the same kind as `database_url` for this test alone (it migrates down)."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'own.db'}"
        migrate(url)
        yield url
        return
    name = f"salon_races_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = f"{database_url.rsplit('/', 1)[0]}/{name}"
        migrate(url)
        yield url
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _alembic(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def test_the_migration_numbers_duplicate_positions_again(own_database: str) -> None:
    """Positions left equal by the race are numbered again in their order; then refused."""
    wishes = [{"from": f"I{i}", "to": f"D{d}"} for i in range(3) for d in range(2)]
    document = {
        "name": "Avant la migration",
        "meeting_minutes": 15,
        "sessions": SESSIONS,
        "tables": ["T0", "T1"],
        "participants": [{"id": f"D{d}", "name": f"D{d}", "table": f"T{d}"} for d in range(2)]
        + [{"id": f"I{i}", "name": f"I{i}"} for i in range(3)],
        "wishes": wishes,
    }
    for session in sessions(own_database):
        issued = create_organiser(session, email="migration@example.org")
        organiser = CurrentOrganiser(id=issued.organiser_id, email="", name="")
        raced, kept = (
            service.import_salon(
                session, organiser=organiser, document=Salon.model_validate(document | {"name": n})
            ).id
            for n in ("Salon disputé", "Salon tranquille")
        )
    command.downgrade(_alembic(own_database), "salon_0002")
    # As the race left them: equal positions (and gaps, in the other salon).
    raced_positions = [1, 0, 1, 0, 2, 1]
    for session in sessions(own_database):
        ids = list(session.scalars(select(Wish.id).where(Wish.salon_id == raced).order_by(Wish.id)))
        for wish_id, position in zip(ids, raced_positions, strict=True):
            session.execute(update(Wish).where(Wish.id == wish_id).values(position=position))
        session.execute(
            update(Wish).where(Wish.salon_id == kept).values(position=Wish.position * 10)
        )
        session.commit()
    command.upgrade(_alembic(own_database), "heads")
    for session in sessions(own_database):
        after = session.execute(
            select(Wish.id, Wish.position).where(Wish.salon_id == raced).order_by(Wish.id)
        ).all()
        assert [position for _, position in after] == [2, 0, 3, 1, 5, 4]  # by (position, id)
        untouched = session.scalars(
            select(Wish.position).where(Wish.salon_id == kept).order_by(Wish.id)
        ).all()
        assert list(untouched) == [0, 10, 20, 30, 40, 50]
        with pytest.raises(IntegrityError):
            session.execute(update(Wish).where(Wish.id == after[0][0]).values(position=0))
            session.flush()
