"""PDFs by WeasyPrint, fetching nothing but our own static files and data: URIs.

Batches (all agendas, all table sheets) are laid out in chunks, each chunk one HTML document
and one WeasyPrint render (never one render per agenda), on up to two worker processes; the
chunks' PDFs are then joined with pypdf, with a bookmark per agenda. Every agenda starts a
CSS page group whose page counter restarts at 1; its "page x / y" total is predicted from its
row count, checked after layout and, when wrong, the chunk is laid out again with the real
counts.
"""

from __future__ import annotations

import io
import logging
import math
import mimetypes
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from pypdf import PdfReader, PdfWriter
from weasyprint import HTML
from weasyprint.document import Document, Page
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

from api.documents.html import STATIC_DIR, grid_html, render_agendas, render_table_sheets
from api.documents.views import Agenda, SalonDocuments, TableSheet
from api.i18n import gettext

PrintProgress = Callable[[int, int], None]
"""on_progress(done, total): items (agendas, tables) laid out so far, out of total."""

AGENDA_ROWS_PER_PAGE = 36
"""Agenda rows that fit on an A4 page (a prediction only: checked after layout)."""
SHEET_ROWS_PER_PAGE = 32
"""Table sheet rows that fit on an A4 page (same)."""
CHUNK = 25
"""Sections per WeasyPrint render: progress granularity without per-document overhead."""
SECTION_MARK = "<!--salon:section-->"
"""Comment around each section of a batch's HTML (user text cannot make one: `<` is escaped)."""
PAGES_MARK = 'data-pages="{}"'
_PAGES_MARK_RE = re.compile(r'data-pages="@(\d+)@"')

logger = logging.getLogger(__name__)


class RefusedResourceError(URLFetchingError):
    """A document asked for a resource outside templates/static (never fetched)."""


class LocalFetcher(URLFetcher):
    """Serves data: URIs and files under templates/static; refuses everything else.

    Names, organisations and links come from users: whatever URL a document holds, nothing
    is fetched from the network or from elsewhere on the disk.
    """

    def __init__(self, root: Path = STATIC_DIR) -> None:
        super().__init__(allowed_protocols=["data", "file"])
        self.root = root.resolve()
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if path.is_relative_to(self.root) and path.is_file():
                media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})
        self.refused.append(url)
        raise RefusedResourceError(f"salon documents only use local static files; refused {url!r}")


@dataclass(frozen=True)
class PdfMetadata:
    """What a PDF says of itself: its title and author (the salon's name: salon/v1 names no
    organiser)."""

    title: str
    author: str

    def entries(self) -> dict[str, str]:
        """The document information dictionary's entries (pypdf)."""
        return {"/Title": self.title, "/Author": self.author, "/Creator": "salon"}


@dataclass
class PdfResult:
    """A PDF and how many pages it has, in all and per agenda or table (by anchor)."""

    pdf: bytes
    pages: int
    page_counts: dict[str, int] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)


def render_html(
    html: str, fetcher: LocalFetcher | None = None, fonts: FontConfiguration | None = None
) -> Document:
    """Lay out an HTML document (base URL: templates/static) into pages."""
    document = HTML(
        string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher or LocalFetcher()
    )
    return document.render(font_config=fonts)


def html_to_pdf(html: str, metadata: PdfMetadata | None = None) -> PdfResult:
    """A one-off HTML document as PDF; its title is the HTML's, unless `metadata` says."""
    fetcher = LocalFetcher()
    document = render_html(html, fetcher)
    if metadata is not None:
        document.metadata.title = metadata.title
        document.metadata.authors = [metadata.author]
        document.metadata.generator = "salon"
    return PdfResult(document.write_pdf(), len(document.pages), refused=fetcher.refused)


def documents_metadata(docs: SalonDocuments, what: str) -> PdfMetadata:
    """A salon document's metadata: "<salon> — <what>", by the salon."""
    return PdfMetadata(f"{docs.salon.name} — {what}", docs.salon.name)


def split_sections(document: Document, anchors: Sequence[str]) -> list[list[Page]]:
    """The pages of each section (in `anchors` order), a section running from its first page.

    A section's id is on each of its pages: a page starts a section when it holds an anchor
    not seen before.
    """
    index = {anchor: i for i, anchor in enumerate(anchors)}
    sections: list[list[Page]] = [[] for _ in anchors]
    current: int | None = None
    for page in document.pages:
        starts = [index[a] for a in page.anchors if a in index and not sections[index[a]]]
        if starts:
            current = min(starts)
        if current is not None:
            sections[current].append(page)
    return sections


def _with_pages(html: str, pages: Sequence[int]) -> str:
    return _PAGES_MARK_RE.sub(lambda m: PAGES_MARK.format(pages[int(m.group(1))]), html)


_LOCAL = threading.local()


def _fonts() -> FontConfiguration:
    """This thread's font configuration (reused across renders; not shared between threads)."""
    fonts: FontConfiguration | None = getattr(_LOCAL, "fonts", None)
    if fonts is None:
        fonts = _LOCAL.fonts = FontConfiguration()
    return fonts


def render_chunk(
    html: str, anchors: Sequence[str], predicted: Sequence[int]
) -> tuple[bytes, list[int], list[str]]:
    """Lay out a chunk of sections; the mispredicted ones again with their real page counts.

    `html` holds the sections between SECTION_MARK comments and marks each section's page
    total as data-pages="@i@" (i: its position). Returns the PDF, each section's page count
    and the refused URLs. Runs in the worker processes.
    """
    fonts = _fonts()
    fetcher = LocalFetcher()
    document = render_html(_with_pages(html, predicted), fetcher, fonts)
    sections = split_sections(document, anchors)
    counts = [len(pages) for pages in sections]
    wrong = [i for i, count in enumerate(counts) if count != predicted[i]]
    if wrong:
        logger.info("%d section(s) longer or shorter than predicted: laid out again", len(wrong))
        head, *parts, tail = html.split(SECTION_MARK)
        if len(parts) != len(anchors):
            raise ValueError("the batch HTML must hold one marked section per anchor")
        again = head + "".join(SECTION_MARK + parts[i] for i in wrong) + SECTION_MARK + tail
        redone = render_html(_with_pages(again, counts), fetcher, fonts)
        for i, pages in zip(
            wrong, split_sections(redone, [anchors[i] for i in wrong]), strict=True
        ):
            sections[i] = pages
    pdf = document.copy([page for pages in sections for page in pages]).write_pdf()
    return pdf, [len(pages) for pages in sections], fetcher.refused


class _Marks(dict[str, str]):
    """The `pages` mapping given to templates: a mark per section, filled in after layout."""

    def __init__(self, anchors: Sequence[str]) -> None:
        super().__init__({anchor: f"@{i}@" for i, anchor in enumerate(anchors)})


@dataclass
class _Chunk:
    anchors: list[str]
    titles: list[str]
    predicted: list[int]
    html: str


def _chunks(
    items: Sequence[Any],
    render: Callable[[Sequence[Any], dict[str, str]], str],
    predict: Callable[[Any], int],
    title: Callable[[Any], str],
    size: int,
) -> Iterator[_Chunk]:
    for begin in range(0, len(items), size):
        part = items[begin : begin + size]
        anchors = [item.anchor for item in part]
        yield _Chunk(
            anchors,
            [title(item) for item in part],
            [predict(i) for i in part],
            render(part, _Marks(anchors)),
        )


def default_workers() -> int:
    """Worker processes for batches: two when the machine has them."""
    return max(1, min(2, os.cpu_count() or 1))


class _InlineExecutor(Executor):
    """Runs each task at once in this process (one worker: no process start-up cost)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future


def _executor(workers: int) -> Executor:
    if workers <= 1:
        return _InlineExecutor()
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


class BatchStoppedError(Exception):
    """A batch's stop event was set: it ended before its last chunk, with no PDF."""


STOP_POLL = 0.2
"""Seconds between two looks at a batch's stop event while a chunk is laid out."""


def paged_batch(
    items: Sequence[Any],
    render: Callable[[Sequence[Any], dict[str, str]], str],
    predict: Callable[[Any], int],
    title: Callable[[Any], str],
    on_progress: PrintProgress | None = None,
    chunk: int = CHUNK,
    workers: int | None = None,
    stop: threading.Event | None = None,
    metadata: PdfMetadata | None = None,
) -> PdfResult:
    """Sections (agendas, table sheets) in one PDF, each numbered "page x / y" on its own,
    with `metadata` as its title and author.

    With `stop`, the batch raises BatchStoppedError soon after it is set (between two chunks
    written, or within STOP_POLL while it waits for one): no further chunk is laid out and
    nobody waits for those in flight (their workers end them, then exit)."""
    if not items:
        return html_to_pdf(render([], {}), metadata)
    workers = default_workers() if workers is None else workers
    writer, counts, refused, done = PdfWriter(), {}, [], 0
    parts = math.ceil(len(items) / chunk)
    executor = _executor(min(workers, parts))
    # Each chunk's HTML is made (views, QR codes, templates) and handed to a worker at once,
    # so the workers start while the next chunks are being written.
    chunks: list[_Chunk] = []
    futures: list[Future[Any]] = []
    try:
        for part in _chunks(items, render, predict, title, chunk):
            _check_stop(stop)
            chunks.append(part)
            futures.append(executor.submit(render_chunk, part.html, part.anchors, part.predicted))
        for part, future in zip(chunks, futures, strict=True):
            _wait_for(future, stop)
            pdf, pages, refused_here = future.result()
            refused.extend(refused_here)
            first_page = len(writer.pages)
            for page in PdfReader(io.BytesIO(pdf)).pages:
                writer.add_page(page)
            for anchor, name, count in zip(part.anchors, part.titles, pages, strict=True):
                writer.add_outline_item(title=name, page_number=first_page)
                counts[anchor] = count
                first_page += count
            done += len(part.anchors)
            if on_progress is not None:
                on_progress(done, len(items))  # may raise too, to stop the batch
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)  # a stopped or failed batch
        raise
    executor.shutdown(wait=True)
    if metadata is not None:
        writer.add_metadata(metadata.entries())
    output = io.BytesIO()
    writer.write(output)
    return PdfResult(output.getvalue(), len(writer.pages), counts, refused)


def _check_stop(stop: threading.Event | None) -> None:
    if stop is not None and stop.is_set():
        raise BatchStoppedError


def _wait_for(future: Future[Any], stop: threading.Event | None) -> None:
    """Wait for a chunk, looking at the stop event every STOP_POLL."""
    while stop is not None and not future.done():
        _check_stop(stop)
        wait([future], timeout=STOP_POLL)
    _check_stop(stop)


def predicted_agenda_pages(agenda: Agenda) -> int:
    """Pages an agenda should take, from its rows (a row per extra meeting in a slot)."""
    extra = sum(max(0, len(row.entries) - 1) for day in agenda.days for row in day.rows)
    return max(1, math.ceil((agenda.row_count + extra) / AGENDA_ROWS_PER_PAGE))


def predicted_sheet_pages(sheet: TableSheet) -> int:
    """Pages a table sheet should take, from its rows."""
    lines = sum(
        max(1, len(row.guests if sheet.owners else row.parties))
        for _, rows in sheet.days
        for row in rows
    )
    return max(1, math.ceil((lines + len(sheet.days)) / SHEET_ROWS_PER_PAGE))


def agendas_pdf(
    docs: SalonDocuments,
    agendas: Sequence[Agenda],
    on_progress: PrintProgress | None = None,
    workers: int | None = None,
    chunk: int = CHUNK,
    stop: threading.Event | None = None,
) -> PdfResult:
    """The given agendas in one PDF, each from a new page with its own "page x / y"."""
    return paged_batch(
        agendas,
        lambda part, pages: render_agendas(docs, part, pages),
        predicted_agenda_pages,
        lambda agenda: agenda.participant.name,
        on_progress,
        chunk,
        workers,
        stop,
        documents_metadata(
            docs,
            agendas[0].participant.name
            if len(agendas) == 1
            else gettext(docs.language, "Agendas"),
        ),
    )


def agenda_pdf_bytes(docs: SalonDocuments, agenda: Agenda) -> bytes:
    """One agenda's PDF, laid out in this process (picklable: a worker process may run it)."""
    return agendas_pdf(docs, [agenda], workers=1).pdf


def tables_pdf(
    docs: SalonDocuments,
    sheets: Sequence[TableSheet] | None = None,
    on_progress: PrintProgress | None = None,
    workers: int | None = None,
    chunk: int = CHUNK,
    stop: threading.Event | None = None,
) -> PdfResult:
    """Table sheets in one PDF, one page (or more) per table."""
    return paged_batch(
        docs.table_sheets() if sheets is None else sheets,
        lambda part, pages: render_table_sheets(docs, part, pages),
        predicted_sheet_pages,
        lambda sheet: sheet.table.label,
        on_progress,
        chunk,
        workers,
        stop,
        documents_metadata(docs, gettext(docs.language, "Tables")),
    )


def grid_pdf(docs: SalonDocuments) -> PdfResult:
    """The master grid on A3 landscape."""
    return html_to_pdf(
        grid_html(docs), documents_metadata(docs, gettext(docs.language, "Grille générale"))
    )
