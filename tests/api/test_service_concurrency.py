"""100 participants submit wishes at the same moment to a real server: none lost or doubled."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from service_helpers import SESSIONS, running_server, settings_for
from sqlalchemy import func, select

from api.app import create_app
from api.auth import CurrentOrganiser
from api.db import make_engine, make_session_factory
from api.organisers.service import ensure_organiser
from api.salons import service
from api.salons.tables import Participant, Wish
from scheduler.format import Salon

INDUSTRIALS = 100
DIRECTORS = 10


def _setup(database_url: str) -> tuple[int, dict[str, str]]:
    """A salon of 10 directors and 100 industrials, window open; a link per industrial."""
    document = Salon.model_validate(
        {
            "name": "Concurrence",
            "meeting_minutes": 15,
            "sessions": SESSIONS,
            "tables": [f"T{i}" for i in range(DIRECTORS)],
            "participants": [
                {"id": f"D{i}", "name": f"Directeur {i}", "table": f"T{i}"}
                for i in range(DIRECTORS)
            ]
            + [{"id": f"I{i:03d}", "name": f"Industriel {i}"} for i in range(INDUSTRIALS)],
        }
    )
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            organiser_id = ensure_organiser(session, email="concurrency@example.org")
            organiser = CurrentOrganiser(id=organiser_id, email="", name="")
            salon = service.import_salon(session, organiser=organiser, document=document)
            service.set_wish_window(session, organiser=organiser, salon_id=salon.id, open_=True)
            page = service.list_participants(
                session,
                organiser=organiser,
                salon_id=salon.id,
                offset=0,
                limit=500,
                kind="industrial",
            )
            tokens = {
                p.code: service.issue_link(
                    session, participant_id=p.id, expires_at=None, base_url="http://x"
                ).token
                for p in page.data
            }
    finally:
        engine.dispose()
    return salon.id, tokens


def _wishes_of(code: str) -> list[str]:
    n = int(code[1:])
    return [f"D{n % DIRECTORS}", f"D{(n + 3) % DIRECTORS}", f"D{(n + 7) % DIRECTORS}"]


async def _submit_all(base_url: str, tokens: dict[str, str]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=INDUSTRIALS, max_keepalive_connections=INDUSTRIALS)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        start = asyncio.Event()

        async def submit(code: str, token: str) -> httpx.Response:
            await start.wait()
            body = {"wishes": [{"to": target} for target in _wishes_of(code)]}
            return await client.put("/me/wishes", json=body, headers={"X-Participant-Token": token})

        tasks = [asyncio.create_task(submit(code, token)) for code, token in tokens.items()]
        await asyncio.sleep(0.2)
        start.set()
        return list(await asyncio.gather(*tasks))


def test_100_concurrent_wish_submissions(database_url: str) -> None:
    salon_id, tokens = _setup(database_url)
    assert len(tokens) == INDUSTRIALS
    with running_server(database_url, workers=2) as server:
        responses = asyncio.run(_submit_all(server.base_url, tokens))
    failures = [(r.status_code, r.text[:200]) for r in responses if r.status_code != 200]
    assert not failures
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            stored: dict[str, list[tuple[int, str]]] = {}
            asker = Participant.__table__.alias("asker")
            asked = Participant.__table__.alias("asked")
            rows: Any = session.execute(
                select(asker.c.code, Wish.rank, asked.c.code)
                .join(asker, asker.c.id == Wish.from_id)
                .join(asked, asked.c.id == Wish.to_id)
                .where(Wish.salon_id == salon_id)
            )
            for from_code, rank, to_code in rows:
                stored.setdefault(from_code, []).append((rank, to_code))
            submitted = session.scalar(
                select(func.count()).where(
                    Participant.salon_id == salon_id, Participant.wishes_submitted_at.is_not(None)
                )
            )
    finally:
        engine.dispose()
    assert len(stored) == INDUSTRIALS and submitted == INDUSTRIALS
    for code in tokens:
        assert [to for _, to in sorted(stored[code])] == _wishes_of(code), code
    assert sum(len(v) for v in stored.values()) == 3 * INDUSTRIALS


async def _read_all(app: Any, tokens: dict[str, str]) -> list[httpx.Response]:
    """Every participant reads its profile and its wishes at once (read-only routes, in-process)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=120) as client:

        async def read(path: str, token: str) -> httpx.Response:
            return await client.get(path, headers={"X-Participant-Token": token})

        return list(
            await asyncio.gather(
                *(read(path, token) for token in tokens.values() for path in ("/me", "/me/wishes"))
            )
        )


def test_200_concurrent_reads_never_wait_for_a_connection(database_url: str) -> None:
    """More requests than threads and than pooled connections: none times out waiting (503)."""
    _salon_id, tokens = _setup(database_url)
    app = create_app(settings_for(database_url))
    try:
        responses = asyncio.run(_read_all(app, tokens))
    finally:
        app.state.engine.dispose()
    assert [r.status_code for r in responses] == [200] * (2 * INDUSTRIALS)
    assert app.state.engine.pool.checkedout() == 0
