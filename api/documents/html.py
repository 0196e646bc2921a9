"""HTML of the printable documents (the same HTML feeds the PDFs and the print views)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache

from markupsafe import Markup

from api.documents.views import Agenda, SalonDocuments, Side, TableSheet, qr_data_uri
from api.i18n import format_clock, gettext
from api.rendering import TEMPLATES_DIR, render

STATIC_DIR = TEMPLATES_DIR / "static"


@lru_cache
def print_stylesheet() -> Markup:
    """The print CSS, inlined so an HTML document stands alone."""
    return Markup((STATIC_DIR / "print.css").read_text("utf-8"))


def _render(docs: SalonDocuments, template: str, title: str, **context: object) -> str:
    return render(
        template,
        docs.language,
        salon=docs.salon,
        days=docs.days,
        version=docs.version,
        title=title,
        stylesheet=print_stylesheet(),
        **context,
    )


CHAR_MM = 1.45
"""Estimated width of a character of the agenda rows (8 pt DejaVu Sans Condensed), in mm."""
ASKED_LABELS = ("vous", "l'interlocuteur", "les deux", "l'organisateur")


def column_width_mm(docs: SalonDocuments) -> int:
    """Width of the agenda's first three columns (tab stops), from their longest text."""
    texts = [gettext(docs.language, label) for label in ASKED_LABELS]
    texts += [
        f"{format_clock(s.start, docs.language)} – {format_clock(s.end, docs.language)}"
        for s in docs.slots[:1] + docs.slots[-1:]
    ]
    for table_id in docs.tables:
        ref = docs.table_ref(table_id)
        texts.append(f"{ref.label} · {ref.room}" if ref.room else ref.label)
    widest = max(len(text) for text in texts)
    return max(24, min(45, math.ceil(widest * CHAR_MM) + 3))


def render_agendas(
    docs: SalonDocuments, agendas: Sequence[Agenda], pages: Mapping[str, int | str] | None = None
) -> str:
    """One HTML document holding the given agendas, each starting a new page.

    pages: each agenda's page count by anchor, printed as "page x / y" (default 1).
    """
    if len(agendas) == 1:
        title = f"{docs.salon.name} — {agendas[0].participant.name}"
    else:
        title = f"{docs.salon.name} — {gettext(docs.language, 'Agendas')}"
    return _render(
        docs,
        "documents/agendas.html",
        title,
        agendas=agendas,
        pages=pages or {},
        column_mm=column_width_mm(docs),
    )


def agenda_html(docs: SalonDocuments, participant_id: str) -> str:
    """The personal agenda of one participant."""
    return render_agendas(docs, [docs.agenda(participant_id)])


def agendas_html(docs: SalonDocuments, side: Side | None = None) -> str:
    """The agendas of a side (or of everyone) in one document."""
    return render_agendas(docs, docs.agendas(side))


def render_table_sheets(
    docs: SalonDocuments, sheets: Sequence[TableSheet], pages: Mapping[str, int | str] | None = None
) -> str:
    """One HTML document with a page per table."""
    title = f"{docs.salon.name} — {gettext(docs.language, 'Tables')}"
    return _render(
        docs,
        "documents/tables.html",
        title,
        sheets=sheets,
        pages=pages or {},
        attendance_qr=attendance_qr_codes(docs, sheets),
    )


def attendance_qr_codes(docs: SalonDocuments, sheets: Sequence[TableSheet]) -> dict[str, str]:
    """Table id -> QR code of its attendance page, for the tables whose secret link the
    documents carry (`links["table:<id>"]`, api.dayof.links.print_links)."""
    links = docs.options.links
    found = ((s.table.id, links.get(f"table:{s.table.id}")) for s in sheets)
    return {table: qr_data_uri(link) for table, link in found if link}


def tables_html(docs: SalonDocuments) -> str:
    """The sheets of every table."""
    return render_table_sheets(docs, docs.table_sheets())


def grid_html(docs: SalonDocuments) -> str:
    """The organiser's master grid: tables x slots, one section per session."""
    title = f"{docs.salon.name} — {gettext(docs.language, 'Grille générale')}"
    return _render(docs, "documents/grid.html", title, sessions=docs.grid())
