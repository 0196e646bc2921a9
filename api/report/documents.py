"""The report as a page's context, a PDF (WeasyPrint, like api/documents/: the same SVG charts,
vector) and its figures as an XLSX workbook (openpyxl; text cells always text, never formulas).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from babel.numbers import format_decimal, format_percent
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from api.documents.pdf import PdfMetadata, html_to_pdf
from api.i18n import gettext
from api.rendering import render
from api.report.charts import hour_label, report_charts
from api.report.figures import NO_HALL, SIDES, Counts, Report

LOCALES = {"fr": "fr_FR", "en": "en_GB"}
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_SIDES = {"director": "Directeurs de programme", "industrial": "Industriels"}


def side_names(language: str, labels: dict[str, str]) -> dict[str, str]:
    """The salon's names of its sides (api.pages.service.side_labels), else the defaults."""
    return {side: labels.get(side) or gettext(language, DEFAULT_SIDES[side]) for side in SIDES}


@dataclass(frozen=True)
class Formats:
    """Numbers as the language writes them ("42 %" / "42%", "4,2" / "4.2"); "—" for none."""

    language: str

    def percent(self, value: float | None) -> str:
        if value is None:
            return "—"
        return format_percent(value, format="#,##0.0 %", locale=LOCALES[self.language])

    def decimal(self, value: float | None) -> str:
        if value is None:
            return "—"
        return format_decimal(value, format="0.0", locale=LOCALES[self.language])

    def hour(self, moment: dt.datetime, days: int) -> str:
        return hour_label(moment, self.language, days)


def report_context(
    report: Report, language: str, labels: dict[str, str], charts: bool = True
) -> dict[str, Any]:
    """What templates/report/ show: the figures, the charts, the side and hall names."""
    return {
        "report": report,
        "charts": report_charts(report, language) if charts else {},
        "sides": side_names(language, labels),
        "no_hall": NO_HALL,
        "fmt": Formats(language),
    }


def report_html(report: Report, language: str, labels: dict[str, str]) -> str:
    """The report as one printable HTML document (what the PDF is laid out from)."""
    title = f"{report.salon_name} — {gettext(language, 'Bilan du salon')}"
    return render(
        "report/document.html", language, title=title, **report_context(report, language, labels)
    )


def report_pdf(report: Report, language: str, labels: dict[str, str]) -> bytes:
    """The report as PDF, titled and authored in its metadata."""
    metadata = PdfMetadata(
        f"{report.salon_name} — {gettext(language, 'Bilan du salon')}", report.salon_name
    )
    return html_to_pdf(report_html(report, language, labels), metadata).pdf


# ------------------------------------------------------------------ XLSX


PERCENT, DECIMAL = "0.0%", "0.00"


def write_rows(
    sheet: Worksheet,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    formats: dict[int, str] | None = None,
) -> None:
    """A header in bold then the rows; strings always as text (never run as formulas);
    `formats`: a number format by column (from 1), else floats as PERCENT."""
    lines: list[list[object]] = [list(header), *(list(row) for row in rows)]
    for r, values in enumerate(lines, start=1):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            elif isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, float):
                cell.number_format = (formats or {}).get(c, PERCENT)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, header_text in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header_text) + 2)


def counts_row(counts: Counts) -> list[object]:
    return [counts.planned, counts.held, counts.missed, counts.unknown, counts.no_show_rate]


def report_xlsx(report: Report, language: str, labels: dict[str, str]) -> bytes:
    """The report's figures, one sheet per table of the report."""
    t: Callable[[str], str] = lambda text: gettext(language, text)  # noqa: E731
    sides = side_names(language, labels)
    counts_header = [t("Prévus"), t("Tenus"), t("Manqués"), t("Non relevés"), t("Taux d'absence %")]
    workbook = Workbook()
    summary = workbook.active
    summary.title = t("Synthèse")
    for r, (label, value) in enumerate(summary_rows(report, t), start=2):
        summary.cell(row=r, column=1, value=label).data_type = "s"
        cell = summary.cell(row=r, column=2, value=value)
        cell.number_format = DECIMAL if label == t("Note moyenne (sur 5)") else PERCENT
    write_rows(summary, [t("Indicateur"), t("Valeur")], [])
    summary.column_dimensions["A"].width = 40
    write_rows(
        workbook.create_sheet(t("Par heure")),
        [t("Heure"), *counts_header],
        [[hour, *counts_row(c)] for hour, c in report.by_hour],
    )
    write_rows(
        workbook.create_sheet(t("Par côté")),
        [t("Côté"), *counts_header, t("Absences de ce côté")],
        [[sides[side], *counts_row(c), c.absences] for side, c in report.by_side.items()],
    )
    write_rows(
        workbook.create_sheet(t("Par salle")),
        [t("Salle"), *counts_header],
        [[hall or t("Sans salle"), *counts_row(c)] for hall, c in report.by_hall],
    )
    write_rows(
        workbook.create_sheet(t("Arrivées")),
        [t("Heure d'arrivée"), t("Arrivés")],
        [[at, n] for at, n in report.arrivals],
    )
    write_rows(
        workbook.create_sheet(t("Notes")),
        [t("Note"), t("Avis")],
        [[stars, n] for stars, n in report.ratings.items()],
    )
    write_rows(
        workbook.create_sheet(t("Plus demandés")),
        [t("Code"), t("Nom"), t("Organisation"), t("Côté"), t("Demandes reçues"), t("Prévus"),
         t("Tenus")],
        [
            [r.person.code, r.person.name, r.person.organisation, sides[r.person.side],
             r.requests, r.planned, r.held]
            for r in report.top_requested
        ],
    )
    workbook.properties.title = f"{report.salon_name} — {t('Bilan du salon')}"
    workbook.properties.creator = report.salon_name
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def summary_rows(report: Report, t: Callable[[str], str]) -> list[tuple[str, object]]:
    """The key figures, as (label, value) rows."""
    totals = report.totals
    return [
        (t("Rendez-vous prévus"), totals.planned),
        (t("Rendez-vous tenus"), totals.held),
        (t("Rendez-vous manqués"), totals.missed),
        (t("Rendez-vous non relevés"), totals.unknown),
        (t("Taux d'absence aux rendez-vous"), totals.no_show_rate),
        (t("Participants attendus"), report.expected),
        (t("Participants arrivés"), report.arrived_expected),
        (t("Taux d'absence des participants"), report.participant_no_show_rate),
        (t("Avis donnés (notes)"), report.rating_count),
        (t("Note moyenne (sur 5)"), report.mean_rating),
        (t("Satisfaction (notes 4 et 5)"), report.satisfaction_rate),
        (t("Rendez-vous avec un avis"), report.assessed),
        (t("Taux de suite donnée"), report.follow_up_rate),
    ]

