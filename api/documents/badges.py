"""Badges: one per participant (name, organisation, side, a QR code and the short check-in
code), in batch like the agendas (api.documents.pdf.paged_batch: chunks on worker processes).

Two layouts: PER_SHEET badges of WIDTH x HEIGHT mm on each A4 sheet, with cut marks in the
margins, or one badge per page of the badge's own size (badge printers). The QR code holds the
participant's check-in URL when the documents' `links` give one (the service prints
`{base}/o/salons/{id}/checkin/{code}`, which a phone opens and a USB scanner types into the
desk's field), else the check-in code itself. Badges come in name order (the desk hands them
out alphabetically). The side is the salon's own label (DocumentOptions.side_labels).
"""

from __future__ import annotations

import base64
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from api.dayof.codes import checkin_codes, shown_code
from api.documents.html import print_stylesheet
from api.documents.pdf import CHUNK, PdfResult, PrintProgress, paged_batch
from api.documents.views import SalonDocuments, qr_data_uri, side_of
from api.i18n import gettext
from api.rendering import render

WIDTH, HEIGHT = 95, 65
"""A badge's size in mm (fits the usual 95 x 65 badge holders)."""
COLUMNS, ROWS = 2, 4
PER_SHEET = COLUMNS * ROWS
LEFT = (210 - COLUMNS * WIDTH) / 2
TOP = (297 - ROWS * HEIGHT) / 2


@dataclass(frozen=True)
class Badge:
    """One participant's badge."""

    participant: str
    name: str
    organisation: str
    side: str
    side_label: str
    code: str
    qr: str

    @property
    def shown_code(self) -> str:
        return shown_code(self.code)


@dataclass(frozen=True)
class BadgeSheet:
    """A page of badges (PER_SHEET, or one)."""

    anchor: str
    badges: list[Badge]


@lru_cache
def marks_svg() -> str:
    """The cut marks of a sheet as one SVG image (a data: URI): short lines in the margins
    along every edge of the grid of badges."""
    xs = [LEFT + i * WIDTH for i in range(COLUMNS + 1)]
    ys = [TOP + j * HEIGHT for j in range(ROWS + 1)]
    right, bottom = LEFT + COLUMNS * WIDTH, TOP + ROWS * HEIGHT
    lines = [(x, TOP - 7, x, TOP - 2) for x in xs] + [(x, bottom + 2, x, bottom + 7) for x in xs]
    lines += [(LEFT - 7, y, LEFT - 2, y) for y in ys] + [(right + 2, y, right + 7, y) for y in ys]
    paths = "".join(f"M{a:g} {b:g}L{c:g} {d:g}" for a, b, c, d in lines)
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" '
        f'viewBox="0 0 210 297"><path d="{paths}" stroke="#000" stroke-width="0.15"/></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def _sort_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def badges(docs: SalonDocuments, ids: Sequence[str] | None = None) -> list[Badge]:
    """The badges of the participants (all, or `ids`), in name order."""
    codes = checkin_codes(p.id for p in docs.salon.participants)
    people = docs.participants_of(None, ids)
    made = []
    for p in sorted(people, key=lambda p: (_sort_key(p.name), p.id)):
        side = side_of(p)
        link = docs.options.links.get(p.id)
        made.append(
            Badge(
                participant=p.id,
                name=p.name,
                organisation=p.organisation,
                side=side,
                side_label=docs.options.side_label(side),
                code=codes[p.id],
                qr=qr_data_uri(link or codes[p.id]),
            )
        )
    return made


def badge_sheets(items: Sequence[Badge], *, one_per_page: bool = False) -> list[BadgeSheet]:
    """The badges laid out: PER_SHEET to a sheet (rows of COLUMNS), or one per page."""
    if one_per_page:
        return [BadgeSheet(f"badge-{i}", [b]) for i, b in enumerate(items)]
    return [
        BadgeSheet(f"badges-{begin // PER_SHEET}", list(items[begin : begin + PER_SHEET]))
        for begin in range(0, len(items), PER_SHEET)
    ]


def render_badges(
    docs: SalonDocuments,
    sheets: Sequence[BadgeSheet],
    pages: Mapping[str, int | str] | None = None,
    *,
    one_per_page: bool = False,
) -> str:
    """One HTML document holding the sheets of badges."""
    return render(
        "documents/badges.html",
        docs.language,
        salon=docs.salon,
        title=f"{docs.salon.name} — {gettext(docs.language, 'Badges')}",
        stylesheet=print_stylesheet(),
        sheets=sheets,
        pages=pages or {},
        single=one_per_page,
        marks=marks_svg(),
        top=TOP,
        left=LEFT,
        per_sheet=PER_SHEET,
        columns=COLUMNS,
        rows_=ROWS,
        width=WIDTH,
        height=HEIGHT,
    )


def badges_html(docs: SalonDocuments, *, one_per_page: bool = False) -> str:
    """Every participant's badge as one HTML document."""
    sheets = badge_sheets(badges(docs), one_per_page=one_per_page)
    return render_badges(docs, sheets, one_per_page=one_per_page)


def badges_pdf(
    docs: SalonDocuments,
    items: Sequence[Badge] | None = None,
    *,
    one_per_page: bool = False,
    on_progress: PrintProgress | None = None,
    workers: int | None = None,
    chunk: int = CHUNK,
    stop: threading.Event | None = None,
) -> PdfResult:
    """The badges (of everyone by default) in one PDF; progress counts sheets (pages)."""
    sheets = badge_sheets(badges(docs) if items is None else items, one_per_page=one_per_page)
    if on_progress is not None:
        on_progress(0, len(sheets))
    return paged_batch(
        sheets,
        lambda part, pages: render_badges(docs, part, pages, one_per_page=one_per_page),
        lambda _sheet: 1,
        lambda sheet: sheet.badges[0].name if sheet.badges else "",
        on_progress,
        chunk,
        workers,
        stop,
    )
