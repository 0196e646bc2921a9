"""Bulk decisions at the same moment, on SQLite and PostgreSQL: two organiser pages approving
(or one approving, one refusing) the same requests at once decide each request once: one
participant per approved request, one mail, and the other page counts it already decided."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from registration_fixtures import Desk
from sqlalchemy import select

from api.auth import organiser_for_key
from api.mail import read_outbox
from api.registration import service
from api.registration.tables import RegistrationRequest
from api.salons.tables import Participant


def two_requests(desk: Desk) -> list[int]:
    form = service.FormSettings(enabled=True, fields=[])
    factory = desk.client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        key = desk.organiser["Authorization"].removeprefix("Bearer ")
        organiser = organiser_for_key(session, key)
        assert organiser is not None
        service.save_settings(session, organiser=organiser, salon_id=desk.salon_id, data=form)
        return [
            service.submit(
                session,
                salon_id=desk.salon_id,
                values={"name": name, "email": f"{name}@example.org"},
                consent=True,
                language="fr",
            )
            for name in ("alice", "bruno")
        ]


def decide_at_once(desk: Desk, ids: list[int], approvals: tuple[bool, bool]) -> list[object]:
    factory = desk.client.app.state.session_factory  # type: ignore[attr-defined]
    settings = desk.client.app.state.settings  # type: ignore[attr-defined]
    key = desk.organiser["Authorization"].removeprefix("Bearer ")
    barrier = threading.Barrier(2)

    def decide(approve: bool) -> object:
        with factory() as session:
            organiser = organiser_for_key(session, key)
            assert organiser is not None
            session.commit()
            barrier.wait(timeout=30)
            return service.decide(
                session,
                organiser=organiser,
                salon_id=desk.salon_id,
                ids=ids,
                approve=approve,
                settings=settings,
            )

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(decide, approvals))


def test_two_approvals_at_once_make_one_participant_each(desk: Desk) -> None:
    ids = two_requests(desk)
    reports = decide_at_once(desk, ids, (True, True))
    assert sum(r.approved for r in reports) == 2  # type: ignore[attr-defined]
    assert sum(r.skipped for r in reports) == 2  # type: ignore[attr-defined]
    factory = desk.client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        codes = session.scalars(
            select(Participant.code).where(Participant.salon_id == desk.salon_id)
        ).all()
        assert sorted(c for c in codes if c.startswith("R")) == sorted(f"R{i}" for i in ids)
    assert sorted(m["To"] for m in read_outbox(desk.outbox)) == [
        "alice@example.org",
        "bruno@example.org",
    ]


def test_an_approval_and_a_refusal_at_once_decide_each_request_once(desk: Desk) -> None:
    ids = two_requests(desk)
    approve, refuse = decide_at_once(desk, ids, (True, False))
    assert approve.approved + refuse.refused == 2  # type: ignore[attr-defined]
    assert approve.skipped + refuse.skipped == 2  # type: ignore[attr-defined]
    factory = desk.client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        rows = session.scalars(
            select(RegistrationRequest).where(RegistrationRequest.id.in_(ids))
        ).all()
        made = {p.code for p in session.scalars(select(Participant)).all()}
        for row in rows:
            assert (row.state == "approved") == (row.participant_id is not None)
            assert (row.state == "approved") == (f"R{row.id}" in made)
    assert len(read_outbox(desk.outbox)) == approve.approved  # type: ignore[attr-defined]
