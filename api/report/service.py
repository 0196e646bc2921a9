"""What the report reads: the salon's participants and tables, its published schedule's
meetings with their attendance and arrivals (api.dayof's public reads), the feedback's ratings
(api.feedback, never the notes) and the wishes received; then the figures (figures.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from api.auth import CurrentOrganiser
from api.dayof.service import MeetingAttendance, arrival_times, meeting_attendance
from api.feedback.service import salon_figures
from api.pages.service import side_labels
from api.repairs.service import salon_clock
from api.report.figures import (
    NO_HALL,
    Meeting,
    Person,
    Rating,
    Report,
    ReportInput,
    build_report,
    meeting_key,
)
from api.salons import service as salons
from api.salons import storage as salon_storage
from api.salons.service.participants import participant_kind
from api.salons.tables import Salon
from api.timestamps import from_storage

MAX_VERSIONS = 500


def day_meetings(session: Session, *, salon: Salon, halls: dict[str, str]) -> list[Meeting]:
    """The published schedule's meetings, plus the meetings of earlier published versions
    that were marked on the day and are no longer there (a no-show the repair took out)."""
    current = salon_storage.current_published(session, salon_id=salon.id)
    if current is None:
        return []
    seen: dict[tuple[str, str, dt.datetime], MeetingAttendance] = {}
    for m in meeting_attendance(session, salon_id=salon.id, schedule_id=current.id):
        seen[meeting_key(m.from_, m.to, m.start)] = m
    versions, _ = salon_storage.list_schedules(
        session, salon_id=salon.id, offset=0, limit=MAX_VERSIONS
    )
    for version in versions:
        if version.published_at is None or version.id == current.id:
            continue
        for m in meeting_attendance(session, salon_id=salon.id, schedule_id=version.id):
            key = meeting_key(m.from_, m.to, m.start)
            if m.status != "unknown" and key not in seen:
                seen[key] = m
    return [
        Meeting(
            m.from_, m.to, m.start, m.end, m.table, halls.get(m.table) or NO_HALL, m.status,
            m.absent,
        )
        for m in seen.values()
    ]


def local_arrivals(session: Session, *, salon: Salon) -> dict[str, dt.datetime]:
    """Participant code -> its check-in in the salon's local time (naive, like salon times)."""
    zone = ZoneInfo(salon.timezone)
    return {
        code: from_storage(at).astimezone(zone).replace(tzinfo=None)
        for code, at in arrival_times(session, salon_id=salon.id).items()
    }


def report_input(session: Session, *, salon: Salon) -> ReportInput:
    """Everything the report's figures are made of, read once."""
    rows, _ = salon_storage.list_participants(session, salon_id=salon.id)
    people = {
        p.code: Person(p.code, p.name, p.organisation, participant_kind(p)) for p in rows
    }
    codes = {p.id: p.code for p in rows}
    tables = salon_storage.list_tables(session, salon_id=salon.id)
    halls = {t.code: t.room or NO_HALL for t in tables}
    wishes, _ = salon_storage.list_wishes(session, salon_id=salon.id)
    requests = Counter(codes[w.to_id] for w in wishes if not w.declined and w.to_id in codes)
    feedback = [
        Rating(f.author, f.other, f.start, f.rating, f.follow_up)
        for f in salon_figures(session, salon_id=salon.id)
    ]
    return ReportInput(
        salon.name,
        people,
        day_meetings(session, salon=salon, halls=halls),
        local_arrivals(session, salon=salon),
        feedback,
        requests,
    )


@dataclass(frozen=True)
class SalonReport:
    """A salon's report, the salon's names for its sides and when it was made (salon time)."""

    salon: Salon
    report: Report
    labels: dict[str, str]
    made_at: dt.datetime


def salon_report(session: Session, *, organiser: CurrentOrganiser, salon_id: int) -> SalonReport:
    """The organiser's report of its salon (404 for a salon not its own)."""
    salon = salons.organiser_salon(session, organiser=organiser, salon_id=salon_id)
    return SalonReport(
        salon,
        build_report(report_input(session, salon=salon)),
        side_labels(session, salon_id=salon.id),
        salon_clock(salon.timezone),
    )
