"""Attendance of the meetings: marked held or no-show at each table (its secret link or the
organiser) or by one of the two participants from its agenda (use cases, commits).

A mark is stored per meeting (its two participants and its start: api.dayof.tables.Attendance),
only once the meeting has started (the salon's clock), the last staff mark winning; a
participant's mark never replaces the staff's. Reads: api.dayof.service.meeting_attendance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.auth import CurrentOrganiser, CurrentParticipant
from api.dayof import storage
from api.dayof.links import key_matches
from api.dayof.service import STATUSES, DayData, MeetingAttendance, day_data
from api.errors import DomainError
from api.repairs.service import salon_clock
from api.salons import service as salons
from api.salons import storage as salon_storage
from api.salons.tables import Salon, SalonTable
from api.settings import Settings
from api.timestamps import utc_now


def _meeting_of(data: DayData, from_: str, to: str, start: dt.datetime) -> MeetingAttendance:
    for m in data.meetings:
        if {m.from_, m.to} == {from_, to} and m.start == start:
            return m
    raise DomainError(
        "meeting_unknown",
        "Ce rendez-vous n'est pas dans le planning publié (il a pu changer) : rechargez la page.",
        status=404,
    )


def mark_meeting(
    session: Session,
    *,
    salon: Salon,
    from_: str,
    to: str,
    start: dt.datetime,
    status: str,
    absent: str | None,
    marked_by: str,
    table: str | None = None,
) -> MeetingAttendance:
    """Mark a meeting of the published schedule held or no-show (`absent`: who did not come,
    one of its two participants, or None), once it has started. `table`: the table whose
    staff marks it (the meeting must be there). A participant's mark never replaces a staff's."""
    if status not in STATUSES:
        raise DomainError("status_unknown", "État inconnu : « {value} ».", status=422, value=status)
    data = day_data(session, salon=salon)
    meeting = _meeting_of(data, from_, to, start)
    if table is not None and meeting.table != table:
        raise DomainError(
            "meeting_elsewhere", "Ce rendez-vous n'a pas lieu à cette table.", status=404
        )
    if absent is not None and absent not in (meeting.from_, meeting.to):
        raise DomainError(
            "absent_unknown", "L'absent doit être l'un des deux participants.", status=422
        )
    if status == "held":
        absent = None
    if meeting.start > salon_clock(salon.timezone):
        raise DomainError(
            "meeting_not_started",
            "Ce rendez-vous n'a pas encore commencé : notez-le une fois commencé.",
            status=409,
        )
    people = data.by_code
    storage.upsert_attendance(
        session,
        salon_id=salon.id,
        from_id=people[meeting.from_].id,
        to_id=people[meeting.to].id,
        start=meeting.start,
        table_code=meeting.table,
        status=status,
        absent_id=people[absent].id if absent else None,
        marked_by=marked_by,
        at=utc_now(),
    )
    session.commit()
    return _meeting_of(day_data(session, salon=salon), from_, to, start)


@dataclass
class TableSheet:
    """The meetings of one table of the published schedule, with their marks and who sits."""

    salon: Salon
    table: SalonTable
    owners: list[str]
    meetings: list[MeetingAttendance]
    names: dict[str, str]
    now: dt.datetime


def table_sheet(session: Session, *, salon: Salon, table_code: str) -> TableSheet:
    """What a table's attendance page shows (404 for an unknown table)."""
    data = day_data(session, salon=salon)
    table = next((t for t in data.tables.values() if t.code == table_code), None)
    if table is None:
        raise DomainError("table_unknown", "Table inconnue.", status=404)
    owners = [p.code for p in data.participants.values() if p.table_id == table.id]
    meetings = [m for m in data.meetings if m.table == table.code]
    names = {p.code: p.name for p in data.participants.values()}
    return TableSheet(salon, table, owners, meetings, names, salon_clock(salon.timezone))


def _no_table() -> DomainError:
    return DomainError("table_unknown", "Table inconnue ou lien de présence invalide.", status=404)


def salon_of_table_link(
    session: Session, *, salon_id: int, table_code: str, key: str, settings: Settings
) -> Salon:
    """The salon of a table's secret attendance link, else 404 (unknown salon, table or key)."""
    salon = salon_storage.find_salon(session, salon_id=salon_id)
    if salon is None or not key_matches(
        settings, salon_id=salon_id, table_code=table_code, key=key
    ):
        raise _no_table()
    return salon


def organiser_table_salon(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int
) -> Salon:
    """The organiser's salon (404 otherwise), whose tables' attendance it may mark."""
    return salons.organiser_salon(session, organiser=organiser, salon_id=salon_id)


@dataclass
class ParticipantMeetings:
    """A participant's meetings of the published schedule and their marks."""

    salon: Salon
    code: str
    meetings: list[MeetingAttendance]
    names: dict[str, str]
    now: dt.datetime


def participant_meetings(
    session: Session, *, participant: CurrentParticipant
) -> ParticipantMeetings:
    """The meetings of the participant of a personal link, with their marks."""
    salon = salon_storage.find_salon(session, salon_id=participant.salon_id)
    if salon is None:
        raise DomainError("salon_unknown", "Salon introuvable.", status=404)
    data = day_data(session, salon=salon)
    mine = [m for m in data.meetings if participant.code in (m.from_, m.to)]
    names = {p.code: p.name for p in data.participants.values()}
    return ParticipantMeetings(salon, participant.code, mine, names, salon_clock(salon.timezone))


def participant_mark(
    session: Session,
    *,
    participant: CurrentParticipant,
    other: str,
    start: dt.datetime,
    status: str,
) -> MeetingAttendance:
    """A participant says its meeting with `other` at `start` was held, or that `other` did not
    come (no_show)."""
    salon = salon_storage.find_salon(session, salon_id=participant.salon_id)
    if salon is None:
        raise DomainError("salon_unknown", "Salon introuvable.", status=404)
    return mark_meeting(
        session,
        salon=salon,
        from_=participant.code,
        to=other,
        start=start,
        status=status,
        absent=other if status == "no_show" else None,
        marked_by="participant",
    )
