"""A participant's documents served without holding a database session while they are made:
the render limit, the cache (never stale), ETags, worker processes, and the light read.

The API tests run on SQLite and PostgreSQL (`client`, `world`); the renders are real PDFs.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from functools import partial

import httpx
import pytest
from documents_helpers import tiny_documents
from fastapi.testclient import TestClient
from pypdf import PdfReader
from service_helpers import World, make_salon, new_organiser, settings_for, wait_for_job

from api.app import create_app
from api.documents import agenda_html, participant_calendar
from api.documents.pdf import agenda_pdf_bytes
from api.documents.serving import DocumentCache, Renders, etag_matches
from api.pages import service
from api.pages.participant import published_documents, unmet_wishes, visit
from api.salons import storage

# ------------------------------------------------------------------ the cache and the limit


def test_cache_keeps_the_most_recently_used_within_its_bytes() -> None:
    cache = DocumentCache(100)
    cache.put("a", b"a" * 40)
    cache.put("b", b"b" * 40)
    assert cache.get("a") == b"a" * 40  # a is now the most recently used
    cache.put("c", b"c" * 40)
    assert "b" not in cache and cache.get("a") and cache.get("c")
    assert cache.size_bytes == 80 and len(cache) == 2
    cache.put("a", b"A" * 60)  # replaced: its old bytes no longer count
    assert cache.get("a") == b"A" * 60 and cache.size_bytes == 100
    cache.put("huge", b"h" * 101)  # larger than the whole cache: not kept, nothing dropped
    assert "huge" not in cache and len(cache) == 2
    nothing = DocumentCache(0)
    nothing.put("a", b"a")
    assert nothing.get("a") is None and len(nothing) == 0


def test_etag_comparison() -> None:
    assert etag_matches('"abc"', '"abc"')
    assert etag_matches('W/"abc", "def"', '"abc"')
    assert etag_matches("*", '"abc"')
    assert not etag_matches(None, '"abc"') and not etag_matches('"abd"', '"abc"')


def test_the_same_document_asked_at_once_is_rendered_once() -> None:
    renders = Renders(concurrency=2, cache_bytes=2**20)
    release, calls = threading.Event(), []

    def render() -> bytes:
        calls.append(1)
        assert release.wait(60), "the test never let the render finish"
        return b"%PDF-shared"

    async def scenario() -> list[bytes]:
        tasks = [asyncio.create_task(renders.bytes_for("k", render)) for _ in range(10)]
        for _ in range(20):  # every task reaches the cache or the render in progress
            await asyncio.sleep(0)
        release.set()
        return list(await asyncio.gather(*tasks))

    assert asyncio.run(scenario()) == [b"%PDF-shared"] * 10
    assert len(calls) == 1 and renders.stats.rendered == 1
    assert renders.stats.shared + renders.stats.hits == 9
    assert asyncio.run(renders.bytes_for("k", render)) == b"%PDF-shared"  # from the cache
    assert len(calls) == 1 and renders.stats.hits >= 1


def test_renders_at_once_never_exceed_the_limit() -> None:
    renders = Renders(concurrency=2, cache_bytes=2**20)
    lock, running, most = threading.Lock(), [0], [0]
    pairs = threading.Barrier(2, timeout=60)  # broken unless two renders run together

    def render(n: int) -> bytes:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        pairs.wait()
        with lock:
            running[0] -= 1
        return f"doc {n}".encode()

    async def scenario() -> list[bytes]:
        asked = [renders.bytes_for(f"k{n}", partial(render, n)) for n in range(6)]
        return list(await asyncio.gather(*asked))

    assert asyncio.run(scenario()) == [f"doc {n}".encode() for n in range(6)]
    assert most[0] == 2 and renders.stats.rendered == 6


def test_a_worker_process_that_dies_is_replaced() -> None:
    docs = tiny_documents()
    renders = Renders(concurrency=1, cache_bytes=2**20, processes=True)
    first = asyncio.run(renders.bytes_for("d1", partial(agenda_pdf_bytes, docs, docs.agenda("d1"))))
    assert first.startswith(b"%PDF")
    pool = renders._pool
    assert pool is not None
    for pid in list(pool._processes):  # the worker is killed (out of memory, an operator...)
        os.kill(pid, signal.SIGKILL)
    again = asyncio.run(renders.bytes_for("d2", partial(agenda_pdf_bytes, docs, docs.agenda("d2"))))
    text = PdfReader(io.BytesIO(again)).pages[0].extract_text()
    assert "Bruno Directeur" in text and renders._pool is not pool
    assert renders.stats.rendered == 2


def test_worker_processes_stop_with_the_app(database_url: str) -> None:
    docs = tiny_documents()
    app = create_app(settings_for(database_url, document_render_processes=True))
    with TestClient(app):
        renders = Renders(concurrency=1, cache_bytes=0, processes=True)
        app.state.document_renders = renders  # what the first PDF request would make
        render = partial(agenda_pdf_bytes, docs, docs.agenda("d1"))
        pdf = asyncio.run(renders.bytes_for("d1", render))
        assert pdf.startswith(b"%PDF") and renders._pool is not None
        workers = list(renders._pool._processes.values())
        assert workers and all(worker.is_alive() for worker in workers)
    assert renders._pool is None and not any(worker.is_alive() for worker in workers)


# ------------------------------------------------------------------ through the API


def publish(world: World) -> int:
    """I1 and I2 ask D1 and D2, a solve runs and its schedule is published; its version."""
    client = world.client
    for code in ("I1", "I2"):
        body = {"wishes": [{"to": "D1"}, {"to": "D2"}]}
        assert client.put("/me/wishes", json=body, headers=world.me(code)).status_code == 200
    return solve_and_publish(world)


def solve_and_publish(world: World) -> int:
    client = world.client
    started = client.post(world.url("/solves"), json={"time_limit": 5}, headers=world.organiser)
    assert started.status_code == 202, started.text
    job = wait_for_job(client, world.organiser, world.salon_id, started.json()["id"])
    assert job["state"] == "done", job
    version: int = job["schedule_version"]
    published = client.post(world.url(f"/schedules/{version}/publish"), headers=world.organiser)
    assert published.status_code == 200, published.text
    return version


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_agenda_pdf_is_cached_and_revalidated(world: World) -> None:
    client, token = world.client, world.tokens["D1"]
    publish(world)
    first = client.get(f"/p/{token}/agenda.pdf")
    assert first.status_code == 200 and first.headers["content-type"] == "application/pdf"
    assert first.headers["cache-control"] == "private, no-cache"
    assert first.headers["content-disposition"] == 'inline; filename="agenda.pdf"'
    etag = first.headers["etag"]
    assert "Nom D1" in pdf_text(first.content)
    renders = client.app.state.document_renders  # type: ignore[attr-defined]
    assert renders.stats.rendered == 1
    again = client.get(f"/p/{token}/agenda.pdf")
    assert again.content == first.content and again.headers["etag"] == etag
    assert renders.stats.rendered == 1 and renders.stats.hits == 1  # answered without a render
    unchanged = client.get(f"/p/{token}/agenda.pdf", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged.headers["etag"] == etag and renders.stats.rendered == 1
    english = client.get(f"/p/{token}/agenda.pdf", params={"lang": "en"})
    assert english.headers["etag"] != etag and "Published version of" in pdf_text(english.content)
    assert renders.stats.rendered == 2
    other = client.get(f"/p/{world.tokens['D2']}/agenda.pdf")
    assert other.headers["etag"] != etag and "Nom D2" in pdf_text(other.content)
    for path, media in (("agenda.ics", "text/calendar"), ("agenda/print", "text/html")):
        response = client.get(f"/p/{token}/{path}")
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)
        tag = response.headers["etag"]
        again = client.get(f"/p/{token}/{path}", headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.headers["etag"] == tag
    assert renders.stats.rendered == 3  # the iCal feed and the print view are not PDFs


def test_no_stale_pdf_after_a_rename_a_new_label_or_a_new_version(world: World) -> None:
    client, token = world.client, world.tokens["D1"]
    publish(world)
    before = client.get(f"/p/{token}/agenda.pdf")
    assert "Nom I1" in pdf_text(before.content) and "Nom I2" in pdf_text(before.content)
    renamed = client.patch(
        world.url(f"/participants/{world.ids['I1']}"),
        json={"name": "Irène Renommée"},
        headers=world.organiser,
    )
    assert renamed.status_code == 200, renamed.text
    after = client.get(f"/p/{token}/agenda.pdf", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
    text = pdf_text(after.content)
    assert "Irène Renommée" in text and "Nom I1" not in text
    client.patch(
        world.url(f"/participants/{world.ids['D1']}"), json={"name": "Anne Directrice"},
        headers=world.organiser,
    )
    assert "Anne Directrice" in pdf_text(client.get(f"/p/{token}/agenda.pdf").content)
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        service.set_side_labels(
            session, salon_id=world.salon_id, director="Acheteurs", industrial="Fournisseurs"
        )
    assert "Acheteurs" in pdf_text(client.get(f"/p/{token}/agenda.pdf").content)
    # D1 declines I2's request; the next published version no longer holds their meeting.
    requests = client.get("/me/requests", headers=world.me("D1")).json()["data"]
    from_i2 = next(r["id"] for r in requests if r["from"] == "I2")
    declined = client.put(
        f"/me/requests/{from_i2}", json={"decision": "declined"}, headers=world.me("D1")
    )
    assert declined.status_code == 200, declined.text
    assert "Nom I2" in pdf_text(client.get(f"/p/{token}/agenda.pdf").content)  # still published
    solve_and_publish(world)
    newest = pdf_text(client.get(f"/p/{token}/agenda.pdf").content)
    assert "Nom I2" not in newest and "Irène Renommée" in newest


def _agenda_without_anchor(html: str) -> str:
    return re.sub(r"agenda-\d+", "agenda-N", html)


def test_the_agenda_read_alone_is_the_one_of_the_whole_salon(world: World) -> None:
    client = world.client
    requests = {"I1": ["D1", "D2"], "I2": ["D1"], "I3": ["D2"], "D1": ["I3"]}
    for code, targets in requests.items():
        body = {"wishes": [{"to": to} for to in targets]}
        assert client.put("/me/wishes", json=body, headers=world.me(code)).status_code == 200
    received = client.get("/me/requests", headers=world.me("D2")).json()["data"]
    from_i3 = next(r["id"] for r in received if r["from"] == "I3")
    client.put(f"/me/requests/{from_i3}", json={"decision": "declined"}, headers=world.me("D2"))
    solve_and_publish(world)
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        salon = storage.find_salon(session, salon_id=world.salon_id)
        schedule = service.current_schedule(session, salon_id=world.salon_id)
        assert salon is not None and schedule is not None
        for code, token in world.tokens.items():
            v = visit(session, token)
            alone = published_documents(session, v, "fr")
            assert alone is not None
            whole = service.schedule_documents(
                session, salon=salon, schedule=schedule, language="fr",
                links={code: f"/p/{token}/agenda"},
            )
            assert _agenda_without_anchor(agenda_html(alone, code)) == _agenda_without_anchor(
                agenda_html(whole, code)
            ), code
            assert participant_calendar(alone, code) == participant_calendar(whole, code), code
            assert unmet_wishes(alone, code) == unmet_wishes(whole, code), code
    assert any(unmet_wishes(whole, c) for c in world.tokens)  # the declined request is there


@pytest.fixture(params=["processes", "threads"])
def served(request: pytest.FixtureRequest, database_url: str) -> Iterator[TestClient]:
    """The app with its PDFs laid out in worker processes (the default) or in threads."""
    settings = settings_for(
        database_url, document_render_processes=request.param == "processes", document_renders=2
    )
    with TestClient(create_app(settings)) as client:
        yield client


REQUEST_SESSIONS_AND_MORE = 26
"""More PDFs at once than requests may hold a database session (api.db.REQUEST_SESSIONS, 20)."""


def test_pdfs_waiting_for_a_render_hold_no_session(served: TestClient) -> None:
    client = served
    organiser = new_organiser(client)
    salon_id, ids, tokens = make_salon(client, organiser)
    world = World(client, organiser, salon_id, ids, tokens)
    publish(world)
    for n in range(REQUEST_SESSIONS_AND_MORE - len(tokens)):  # their agendas: all slots free
        body = {"code": f"X{n}", "name": f"Visiteur {n}", "organisation": "Org"}
        made = client.post(f"/salons/{salon_id}/participants", json=body, headers=organiser)
        assert made.status_code == 201, made.text
        link = client.post(
            f"/salons/{salon_id}/participants/{made.json()['id']}/links", json={},
            headers=organiser,
        )
        tokens[f"X{n}"] = link.json()["token"]
    assert client.get(f"/p/{tokens['D1']}/agenda.pdf").status_code == 200  # the renders exist
    app = client.app
    renders = app.state.document_renders  # type: ignore[attr-defined]

    async def scenario() -> tuple[list[httpx.Response], httpx.Response, int]:
        limiter = renders.limiter()
        holders = [object() for _ in range(int(limiter.total_tokens))]
        for holder in holders:  # every render slot taken: the PDFs must wait
            await limiter.acquire_on_behalf_of(holder)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=120) as c:
            pdfs = [
                asyncio.create_task(c.get(f"/p/{token}/agenda.pdf", params={"lang": "en"}))
                for token in tokens.values()
            ]
            deadline = time.monotonic() + 120
            while limiter.statistics().tasks_waiting < len(tokens):
                assert time.monotonic() < deadline, limiter.statistics()
                await asyncio.sleep(0.05)
            # 26 requests past their route at once: none holds one of the 20 sessions.
            checked_out = app.state.engine.pool.checkedout()  # type: ignore[attr-defined]
            me = c.get("/me", headers={"X-Participant-Token": tokens["I1"]})
            small = await asyncio.wait_for(me, 60)
            for holder in holders:
                limiter.release_on_behalf_of(holder)
            return list(await asyncio.gather(*pdfs)), small, checked_out

    pdfs, small, checked_out = asyncio.run(scenario())
    assert checked_out == 0
    assert small.status_code == 200 and small.json()["code"] == "I1"
    assert [r.status_code for r in pdfs] == [200] * REQUEST_SESSIONS_AND_MORE
    assert all(r.content.startswith(b"%PDF") for r in pdfs)
    assert "Visiteur 0" in pdf_text(pdfs[len(ids)].content)
