"""Documents served one at a time (a participant's agenda PDF, iCal feed and print view), made
after the route has answered so that no request waits for a render to get a database session.

A route reads what the document needs into plain objects (a `SalonDocuments`), then returns a
`DocumentResponse`: its session is closed as soon as the route returns (`SessionDep`, scope
"function"), before the response is sent, and the response makes the bytes as it is sent:

- slow documents (PDFs) are laid out at most `Settings.document_renders` at once per server
  process (default: the number of cores), the others waiting on the event loop, holding no
  thread, no session, no connection. They run in worker processes (`document_render_processes`,
  the default), so a layout takes neither the server's interpreter lock nor its memory from the
  other requests; else in threads of the server process;
- their bytes are kept in a `DocumentCache` (an in-process LRU bounded by bytes,
  `Settings.document_cache_bytes`) under the digest of what makes them: for an agenda PDF, the
  HTML it is laid out from, which holds the schedule version, every name, label and link printed
  and the language. A new published version, a renamed participant or a new label makes another
  HTML, so another key: a stale PDF is never served; replaced entries age out of the LRU;
- requests for the same document at the same time share one render;
- every document carries an ETag (that digest, or the digest of quick documents' bytes) and
  `Cache-Control: private, no-cache`; a matching If-None-Match answers 304 without a render.

Each server process keeps its own cache, limit and worker processes (`salon serve --workers 4`:
four caches, each filled on demand, and up to 4 x `document_renders` layouts at once on the host).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import multiprocessing
import threading
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from functools import partial
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import Depends, FastAPI, Request, Response
from starlette.datastructures import Headers
from starlette.types import Receive, Scope, Send

from api.documents.html import render_agendas
from api.documents.ical import DEFAULT_ALARM_MINUTES, CancelledMeeting, participant_calendar
from api.documents.pdf import agenda_pdf_bytes
from api.documents.views import SalonDocuments
from api.settings import Settings

Pending = concurrent.futures.Future["bytes | None"]
"""A render in progress: its bytes, or None when its first caller went away before it began."""

CACHE_CONTROL = "private, no-cache"
"""Personal documents: kept by the browser only, checked again (ETag) before each reuse."""


def digest(kind: str, content: str | bytes) -> str:
    """The SHA-256 (hex) of a document's kind and what makes it."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    return hashlib.sha256(kind.encode("ascii") + b"\x00" + data).hexdigest()


class DocumentCache:
    """Bytes by key, the least recently used dropped first once `max_bytes` is exceeded.

    A document larger than the whole cache is not kept; `max_bytes` 0 keeps nothing.
    Safe to use from several threads.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            body = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
            return body

    def put(self, key: str, body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= len(previous)
            self._entries[key] = body
            self._bytes += len(body)
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: str) -> bool:
        return key in self._entries


@dataclass
class RenderStats:
    """What the slow documents' requests found: renders made, cache hits, shared renders."""

    rendered: int = 0
    hits: int = 0
    shared: int = 0


class Renders:
    """The cache, the limit on renders at once and the renders in progress of a server process."""

    def __init__(self, *, concurrency: int, cache_bytes: int, processes: bool = False) -> None:
        self.concurrency = max(1, concurrency)
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None
        self.cache = DocumentCache(cache_bytes)
        self.stats = RenderStats()
        self._lock = threading.Lock()
        self._pending: dict[str, Pending] = {}
        self._limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter]
        self._limiters = weakref.WeakKeyDictionary()

    def limiter(self) -> anyio.CapacityLimiter:
        """The limit on renders at once, of the running event loop (one per loop, like anyio's)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            limiter = self._limiters.get(loop)
            if limiter is None:
                limiter = self._limiters[loop] = anyio.CapacityLimiter(self.concurrency)
            return limiter

    def _count(self, field: str) -> None:
        with self._lock:
            setattr(self.stats, field, getattr(self.stats, field) + 1)

    def _processes(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.concurrency, mp_context=multiprocessing.get_context("spawn")
                )
                weakref.finalize(self, self._pool.shutdown, wait=False, cancel_futures=True)
            return self._pool

    def close(self) -> None:
        """Stop the worker processes (waiting for the layouts they have begun)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    async def _render(self, render: Callable[[], bytes]) -> bytes:
        """One render under the limit: in a worker process (`processes`), else in a thread."""
        if not self.processes:
            return await anyio.to_thread.run_sync(render, limiter=self.limiter())
        async with self.limiter():
            try:
                return await self._in_process(render)
            except BrokenProcessPool:  # a worker died (killed, out of memory): a new pool, once
                return await self._in_process(render)

    async def _in_process(self, render: Callable[[], bytes]) -> bytes:
        pool = self._processes()
        try:
            # Shielded: a client that goes away does not cancel a layout already begun.
            return await asyncio.shield(asyncio.wrap_future(pool.submit(render)))
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise

    async def bytes_for(self, key: str, render: Callable[[], bytes]) -> bytes:
        """The cached bytes of `key`, else those of one render (shared by concurrent callers)."""
        while True:
            body = self.cache.get(key)
            if body is not None:
                self._count("hits")
                return body
            with self._lock:
                pending = self._pending.get(key)
                leader = pending is None
                if pending is None:
                    pending = self._pending[key] = Pending()
            if not leader:
                shared = await asyncio.shield(asyncio.wrap_future(pending))
                if shared is None:  # its first caller went away before rendering: try again
                    continue
                self._count("shared")
                return shared
            return await self._lead(key, render, pending)

    async def _lead(self, key: str, render: Callable[[], bytes], pending: Pending) -> bytes:
        try:
            body = await self._render(render)
        except BaseException as exc:
            with self._lock:
                self._pending.pop(key, None)
            if isinstance(exc, Exception):
                pending.set_exception(exc)
            else:  # cancelled: the others try again
                pending.set_result(None)
            raise
        self.cache.put(key, body)
        self._count("rendered")
        with self._lock:
            self._pending.pop(key, None)
        pending.set_result(body)
        return body

    async def respond(self, document: Document, if_none_match: str | None) -> Response:
        """The document's response: 304 when the client's copy is current, else its bytes."""
        if document.identity is None:
            body = await anyio.to_thread.run_sync(document.render)
            etag = f'"{digest(document.kind, body)[:32]}"'
        else:
            key = await anyio.to_thread.run_sync(document.identity)
            etag = f'"{key[:32]}"'
            if etag_matches(if_none_match, etag):
                return Response(status_code=304, headers=_headers(document, etag))
            body = await self.bytes_for(key, document.render)
        if etag_matches(if_none_match, etag):
            return Response(status_code=304, headers=_headers(document, etag))
        return Response(body, media_type=document.media_type, headers=_headers(document, etag))


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names this ETag (weak comparison) or is `*`."""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


def _headers(document: Document, etag: str) -> dict[str, str]:
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if document.filename:
        disposition = "attachment" if document.attachment else "inline"
        headers["Content-Disposition"] = f'{disposition}; filename="{document.filename}"'
    return headers


@dataclass(frozen=True)
class Document:
    """A document to send, made from plain objects when the response is sent.

    identity: the digest of everything that makes the bytes, much cheaper than `render`: the
    document is then rendered under the limit and kept in the cache under it. None: a quick
    document, made at once in a thread and not kept (its ETag is its bytes' digest).
    """

    kind: str
    media_type: str
    render: Callable[[], bytes]
    identity: Callable[[], str] | None = None
    filename: str = ""
    attachment: bool = False


class DocumentResponse(Response):
    """A response whose body is made as it is sent, after the route's session was closed."""

    def __init__(self, document: Document, renders: Renders) -> None:
        super().__init__(media_type=document.media_type)
        self.document = document
        self.renders = renders

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if_none_match = Headers(scope=scope).get("if-none-match")
        response = await self.renders.respond(self.document, if_none_match)
        await response(scope, receive, send)


# ------------------------------------------------------------------ a participant's agenda


def agenda_pdf_document(docs: SalonDocuments, participant_id: str) -> Document:
    """A participant's agenda as PDF, cached under the digest of its HTML."""
    agenda = docs.agenda(participant_id)

    def identity() -> str:
        # The QR code is left out: it is made from the link, which the HTML holds as text.
        return digest("agenda.pdf", render_agendas(docs, [replace(agenda, with_qr=False)]))

    return Document(
        "agenda.pdf",
        "application/pdf",
        partial(agenda_pdf_bytes, docs, agenda),
        identity=identity,
        filename="agenda.pdf",
    )


def agenda_ics_document(
    docs: SalonDocuments,
    participant_id: str,
    *,
    alarm_minutes: int = DEFAULT_ALARM_MINUTES,
    cancelled: Sequence[CancelledMeeting] = (),
) -> Document:
    """A participant's iCalendar feed, with the meetings of earlier publications it no longer
    holds as cancelled events (a few milliseconds: not cached)."""
    return Document(
        "agenda.ics",
        "text/calendar; charset=utf-8",
        lambda: participant_calendar(
            docs, participant_id, alarm_minutes=alarm_minutes, cancelled=cancelled
        ),
        filename="agenda.ics",
        attachment=True,
    )


def agenda_print_document(docs: SalonDocuments, participant_id: str) -> Document:
    """A participant's printable agenda, the HTML its PDF is laid out from (not cached)."""
    return Document(
        "agenda.html",
        "text/html; charset=utf-8",
        lambda: render_agendas(docs, [docs.agenda(participant_id)]).encode("utf-8"),
    )


# ------------------------------------------------------------------ the app's renders

_CREATING = threading.Lock()


def app_renders(request: Request) -> Renders:
    """The server process's `Renders` (made on first use from the app's settings)."""
    state = request.app.state
    renders: Renders | None = getattr(state, "document_renders", None)
    if renders is None:
        with _CREATING:
            renders = getattr(state, "document_renders", None)
            if renders is None:
                settings: Settings = state.settings
                renders = Renders(
                    concurrency=settings.document_renders,
                    cache_bytes=settings.document_cache_bytes,
                    processes=settings.document_render_processes,
                )
                state.document_renders = renders
    return renders


RendersDep = Annotated[Renders, Depends(app_renders)]


@asynccontextmanager
async def renders_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At shutdown, the worker processes of the app's renders are stopped."""
    yield
    renders: Renders | None = getattr(app.state, "document_renders", None)
    if renders is not None:
        await anyio.to_thread.run_sync(renders.close)
