"""The meetings as CSV and XLSX, for organisers who work in a spreadsheet.

One row per meeting: when, where, the host (the participant whose home table it is, else the
one who asked) and the visitor, and who asked. Text cells that a spreadsheet would run as a
formula (=, +, -, @ first) are kept as text: a quote is put before them in CSV, and XLSX cells
are written as strings.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from api.documents.views import SalonDocuments
from api.i18n import gettext
from scheduler.format import Participant, ScheduledMeeting

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADERS = (
    "Date",
    "Début",
    "Fin",
    "Table",
    "Salle",
    "Hôte (id)",
    "Hôte",
    "Organisation de l'hôte",
    "Visiteur (id)",
    "Visiteur",
    "Organisation du visiteur",
    "Fonction du visiteur",
    "Demandé par",
)
UNSCHEDULED_HEADERS = ("Demandeur (id)", "Demandeur", "Demandé (id)", "Demandé", "Raison", "Détail")
ASKED_BY = {"you": "hôte", "them": "visiteur", "both": "les deux", "organiser": "organisateur"}


@dataclass(frozen=True)
class MeetingLine:
    """A meeting as a spreadsheet row (typed values; text neutralised on writing)."""

    date: dt.date
    start: dt.time
    end: dt.time
    table: str
    room: str
    host: Participant
    visitor: Participant
    asked: str

    def values(self) -> list[object]:
        return [
            self.date,
            self.start,
            self.end,
            self.table,
            self.room,
            self.host.id,
            self.host.name,
            self.host.organisation,
            self.visitor.id,
            self.visitor.name,
            self.visitor.organisation,
            self.visitor.role,
            self.asked,
        ]


def _host_and_visitor(docs: SalonDocuments, meeting: ScheduledMeeting) -> tuple[str, str]:
    owners = {p.id for p in docs.owners.get(meeting.table, [])}
    if meeting.to in owners and meeting.from_ not in owners:
        return meeting.to, meeting.from_
    return meeting.from_, meeting.to


def meeting_lines(docs: SalonDocuments) -> list[MeetingLine]:
    """Every meeting in time then table order."""
    lines = []
    for meeting in sorted(docs.schedule.meetings, key=lambda m: (m.start, m.table, m.from_)):
        host, visitor = _host_and_visitor(docs, meeting)
        ref = docs.table_ref(meeting.table)
        asked = gettext(docs.language, ASKED_BY[docs.asked(host, visitor)])
        lines.append(
            MeetingLine(
                date=meeting.start.date(),
                start=meeting.start.time(),
                end=meeting.end.time(),
                table=ref.label,
                room=ref.room or "",
                host=docs.participants[host],
                visitor=docs.participants[visitor],
                asked=asked,
            )
        )
    return lines


def safe_text(value: str) -> str:
    """A text cell that no spreadsheet will run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_value(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return safe_text(str(value))


def csv_delimiter(language: str) -> str:
    """';' in French (what French spreadsheets expect), ',' otherwise."""
    return ";" if language == "fr" else ","


def meetings_csv(docs: SalonDocuments) -> bytes:
    """The meetings as CSV: UTF-8 with BOM (spreadsheets detect it), ';' in French."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=csv_delimiter(docs.language), lineterminator="\r\n")
    writer.writerow([gettext(docs.language, header) for header in HEADERS])
    for line in meeting_lines(docs):
        writer.writerow([_csv_value(value) for value in line.values()])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _write_row(sheet: Worksheet, row: int, values: list[object]) -> None:
    """Write a row; strings always as text (openpyxl would take '=...' as a formula)."""
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        elif isinstance(value, dt.time):
            cell.number_format = "hh:mm"
        elif isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"


def _fill(sheet: Worksheet, header: list[str], rows: list[list[object]], widths: list[int]) -> None:
    _write_row(sheet, 1, list(header))
    for index, values in enumerate(rows, start=2):
        _write_row(sheet, index, values)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def meetings_xlsx(docs: SalonDocuments) -> bytes:
    """The meetings (sheet 1) and the unscheduled wishes (sheet 2) as an XLSX workbook."""
    language = docs.language
    workbook = Workbook()
    meetings = workbook.active
    meetings.title = gettext(language, "Rendez-vous")
    _fill(
        meetings,
        [gettext(language, header) for header in HEADERS],
        [line.values() for line in meeting_lines(docs)],
        [12, 8, 8, 10, 12, 12, 24, 28, 12, 24, 28, 24, 14],
    )
    rows: list[list[object]] = []
    for wish in docs.schedule.unscheduled:
        asker, asked = docs.participants.get(wish.from_), docs.participants.get(wish.to)
        detail = wish.detail_en if language == "en" and wish.detail_en else wish.detail
        rows.append(
            [
                wish.from_,
                asker.name if asker else "",
                wish.to,
                asked.name if asked else "",
                wish.reason,
                detail,
            ]
        )
    _fill(
        workbook.create_sheet(gettext(language, "Non programmés")),
        [gettext(language, header) for header in UNSCHEDULED_HEADERS],
        rows,
        [14, 26, 14, 26, 24, 60],
    )
    workbook.properties.title = docs.salon.name
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
