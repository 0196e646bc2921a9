"""Printable documents and exports built from a Salon and its Schedule.

Pure functions: no database, no service. Build a `SalonDocuments` (salon + schedule + options)
and ask it for agendas, table sheets or the master grid as HTML, PDF, iCal, CSV or XLSX.
`api.documents.serving` (not imported here) serves a participant's documents from the web
service: the render limit, worker processes, cache and ETags.
"""

from api.documents.exports import meetings_csv, meetings_xlsx
from api.documents.html import (
    agenda_html,
    agendas_html,
    grid_html,
    render_agendas,
    render_table_sheets,
    tables_html,
)
from api.documents.ical import CancelledMeeting, meeting_uid, participant_calendar
from api.documents.pdf import (
    BatchStoppedError,
    LocalFetcher,
    PdfResult,
    PrintProgress,
    agendas_pdf,
    grid_pdf,
    html_to_pdf,
    tables_pdf,
)
from api.documents.views import (
    SIDES,
    Agenda,
    DocumentOptions,
    SalonDocuments,
    Side,
    check_schedule,
    schedule_problems,
    side_of,
)

__all__ = [
    "SIDES",
    "Agenda",
    "BatchStoppedError",
    "CancelledMeeting",
    "DocumentOptions",
    "LocalFetcher",
    "PdfResult",
    "PrintProgress",
    "SalonDocuments",
    "Side",
    "agenda_html",
    "agendas_html",
    "agendas_pdf",
    "check_schedule",
    "grid_html",
    "grid_pdf",
    "html_to_pdf",
    "meeting_uid",
    "meetings_csv",
    "meetings_xlsx",
    "participant_calendar",
    "render_agendas",
    "render_table_sheets",
    "schedule_problems",
    "side_of",
    "tables_html",
    "tables_pdf",
]
