"""The day itself: check-in at the desk and attendance of the meetings (use cases, commits).

Public reads (for the post-event report and the other pages; none of them writes):
- `arrival_times(session, salon_id=)`: participant code -> when it checked in (naive UTC; to
  show it in the salon's time, `api.timestamps.from_storage(at).astimezone(zone)`).
- `meeting_attendance(session, salon_id=, schedule_id=None)`: every meeting of a schedule
  version (the published one by default) as a `MeetingAttendance`: its participants' codes,
  start, end, table code, `status` "held" / "no_show" / "unknown", who was absent (code or
  None), who marked it ("table", "organiser", "participant" or "") and when (naive UTC).
- `checkin_code_of(session, salon_id=)`: participant code -> its badge's check-in code.

Use cases: `check_in` (a code typed or scanned: the arrival is recorded once, with the one
clock's time; a second scan only says when it was), `undo_check_in`, `desk` (who is expected
and not yet arrived); `mark_meeting` (held or no-show, by the table, the organiser or one of
the two participants; a participant's mark never replaces a staff's) and `table_sheet` (the
meetings of one table: in api.dayof.attendance). The no-shows proposed to the repair desk:
api.dayof.proposals; the tables' secret links: api.dayof.links.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from api.auth import CurrentOrganiser
from api.dayof import storage
from api.dayof.codes import checkin_codes, typed_code
from api.errors import DomainError
from api.repairs.service import salon_clock
from api.salons import service as salons
from api.salons import storage as salon_storage
from api.salons.tables import Participant, Salon, SalonTable, Schedule
from api.timestamps import utc_now

STATUSES = ("held", "no_show")


@dataclass(frozen=True)
class MeetingAttendance:
    """A meeting of a schedule and what is known of it on the day."""

    from_: str
    to: str
    start: dt.datetime
    end: dt.datetime
    table: str
    status: str  # "held", "no_show" or "unknown"
    absent: str | None = None
    marked_by: str = ""
    marked_at: dt.datetime | None = None


@dataclass
class DayData:
    """A salon on its day: participants, tables, the published schedule's meetings, arrivals
    and marks, read once."""

    salon: Salon
    schedule: Schedule | None
    participants: dict[int, Participant]
    tables: dict[int, SalonTable]
    arrivals: dict[int, dt.datetime]
    meetings: list[MeetingAttendance] = field(default_factory=list)

    @property
    def by_code(self) -> dict[str, Participant]:
        return {p.code: p for p in self.participants.values()}

    def first_meeting(self) -> dict[str, dt.datetime]:
        """Participant code -> start of its first meeting (of the schedule read)."""
        first: dict[str, dt.datetime] = {}
        for m in self.meetings:
            for code in (m.from_, m.to):
                if code not in first or m.start < first[code]:
                    first[code] = m.start
        return first


def _key(a: int, b: int, start: dt.datetime) -> tuple[int, int, dt.datetime]:
    return (min(a, b), max(a, b), start)


def day_data(session: Session, *, salon: Salon, schedule_id: int | None = None) -> DayData:
    """What the day's pages read of a salon (the published schedule, or version `schedule_id`)."""
    if schedule_id is None:
        schedule = salon_storage.current_published(session, salon_id=salon.id)
    else:
        schedule = session.get(Schedule, schedule_id)
        if schedule is not None and schedule.salon_id != salon.id:
            schedule = None
    participants, _ = salon_storage.list_participants(session, salon_id=salon.id)
    people = {p.id: p for p in participants}
    tables = {t.id: t for t in salon_storage.list_tables(session, salon_id=salon.id)}
    data = DayData(
        salon, schedule, people, tables, storage.arrivals(session, salon_id=salon.id)
    )
    if schedule is None:
        return data
    marks = {
        _key(m.from_id, m.to_id, m.start): m
        for m in storage.attendance(session, salon_id=salon.id)
    }
    rows = salon_storage.schedule_meetings(session, schedule_id=schedule.id)
    for row in sorted(rows, key=lambda r: (r.start, tables[r.table_id].position)):
        mark = marks.get(_key(row.from_id, row.to_id, row.start))
        absent = people.get(mark.absent_id) if mark and mark.absent_id else None
        data.meetings.append(
            MeetingAttendance(
                from_=people[row.from_id].code,
                to=people[row.to_id].code,
                start=row.start,
                end=row.end,
                table=tables[row.table_id].code,
                status=mark.status if mark else "unknown",
                absent=absent.code if absent else None,
                marked_by=mark.marked_by if mark else "",
                marked_at=mark.marked_at if mark else None,
            )
        )
    return data


# ------------------------------------------------------------------ public reads


def arrival_times(session: Session, *, salon_id: int) -> dict[str, dt.datetime]:
    """Participant code -> when it checked in (naive UTC)."""
    times = storage.arrivals(session, salon_id=salon_id)
    people = salon_storage.participants_by_id(session, ids=list(times))
    return {people[pid].code: at for pid, at in times.items() if pid in people}


def meeting_attendance(
    session: Session, *, salon_id: int, schedule_id: int | None = None
) -> list[MeetingAttendance]:
    """Every meeting of the schedule version (the published one by default) with its
    attendance: held, no_show or unknown. Empty when there is no such schedule."""
    salon = salon_storage.find_salon(session, salon_id=salon_id)
    if salon is None:
        return []
    return day_data(session, salon=salon, schedule_id=schedule_id).meetings


def checkin_code_of(session: Session, *, salon_id: int) -> dict[str, str]:
    """Participant code -> the check-in code printed on its badge."""
    participants, _ = salon_storage.list_participants(session, salon_id=salon_id)
    return checkin_codes(p.code for p in participants)


# ------------------------------------------------------------------ check-in


@dataclass(frozen=True)
class CheckIn:
    """The answer to a scan: who, when it arrived, whether this scan recorded it."""

    code: str
    name: str
    organisation: str
    arrived_at: dt.datetime
    new: bool


def find_by_checkin_code(session: Session, *, salon_id: int, typed: str) -> Participant:
    """The participant whose badge carries the code typed or scanned, else 404 naming it."""
    wanted = typed_code(typed)
    if not wanted:
        raise DomainError(
            "checkin_code_missing", "Tapez ou scannez le code du badge.", status=422
        )
    participants, _ = salon_storage.list_participants(session, salon_id=salon_id)
    codes = checkin_codes(p.code for p in participants)
    for participant in participants:
        if codes[participant.code] == wanted:
            return participant
    raise DomainError(
        "checkin_code_unknown",
        "Aucun badge de ce salon ne porte le code « {typed} ».",
        status=404,
        typed=typed.strip()[:80],
    )


def check_in(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, typed: str
) -> CheckIn:
    """Record the arrival of the badge's participant now (once; a duplicate is harmless)."""
    salon = salons.organiser_salon(session, organiser=organiser, salon_id=salon_id)
    participant = find_by_checkin_code(session, salon_id=salon.id, typed=typed)
    new = storage.insert_arrival(
        session, salon_id=salon.id, participant_id=participant.id, at=utc_now()
    )
    session.commit()
    arrived = storage.arrivals(session, salon_id=salon.id)[participant.id]
    return CheckIn(participant.code, participant.name, participant.organisation, arrived, new)


@dataclass(frozen=True)
class BadgeView:
    """A badge as the desk's phone page shows it."""

    salon: Salon
    code: str
    checkin_code: str
    name: str
    organisation: str
    side: str
    arrived_at: dt.datetime | None


def badge(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, typed: str
) -> BadgeView:
    """Who carries the badge of the code (404 naming it), and when it arrived if it did."""
    salon = salons.organiser_salon(session, organiser=organiser, salon_id=salon_id)
    participant = find_by_checkin_code(session, salon_id=salon.id, typed=typed)
    return BadgeView(
        salon,
        participant.code,
        checkin_code_of(session, salon_id=salon.id)[participant.code],
        participant.name,
        participant.organisation,
        "director" if participant.table_id is not None else "industrial",
        storage.arrivals(session, salon_id=salon.id).get(participant.id),
    )


def participant_names(session: Session, *, salon_id: int, codes: list[str]) -> dict[str, str]:
    """Participant code -> name, of those of `codes` the salon has."""
    found = salon_storage.find_participants_by_code(session, salon_id=salon_id, codes=codes)
    return {code: p.name for code, p in found.items()}


def table_labels(session: Session, *, salon_id: int) -> list[tuple[str, str]]:
    """(code, label) of the salon's tables, in order."""
    tables = salon_storage.list_tables(session, salon_id=salon_id)
    return [(t.code, t.name or t.code) for t in tables]


def undo_check_in(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, participant: str
) -> bool:
    """Forget an arrival recorded by mistake (by participant code); False when none was."""
    salon = salons.organiser_salon(session, organiser=organiser, salon_id=salon_id)
    found = salon_storage.find_participants_by_code(session, salon_id=salon.id, codes=[participant])
    if participant not in found:
        raise DomainError("participant_unknown", "Participant inconnu.", status=404)
    removed = storage.delete_arrival(
        session, salon_id=salon.id, participant_id=found[participant].id
    )
    session.commit()
    return removed


@dataclass(frozen=True)
class Expected:
    """A participant of the day at the desk: its first meeting, its arrival if any."""

    code: str
    name: str
    organisation: str
    side: str
    first_meeting: dt.datetime | None
    arrived_at: dt.datetime | None
    late: bool


@dataclass
class Desk:
    """The desk's view: who arrived, who is expected and not yet arrived, the salon's now."""

    salon: Salon
    now: dt.datetime
    arrived: list[Expected]
    waiting: list[Expected]
    published: bool


def desk(session: Session, *, organiser: CurrentOrganiser, salon_id: int) -> Desk:
    """Everyone with a meeting in the published schedule (or everyone, before one), split into
    arrived (latest first) and not yet arrived (earliest first meeting first)."""
    salon = salons.organiser_salon(session, organiser=organiser, salon_id=salon_id)
    data = day_data(session, salon=salon)
    now = salon_clock(salon.timezone)
    first = data.first_meeting()
    arrived: list[Expected] = []
    waiting: list[Expected] = []
    for participant in data.participants.values():
        start = first.get(participant.code)
        if data.schedule is not None and start is None:
            continue  # nothing to come for
        at = data.arrivals.get(participant.id)
        entry = Expected(
            participant.code,
            participant.name,
            participant.organisation,
            "director" if participant.table_id is not None else "industrial",
            start,
            at,
            at is None and start is not None and start <= now,
        )
        (waiting if at is None else arrived).append(entry)
    arrived.sort(key=lambda e: e.arrived_at or dt.datetime.min, reverse=True)
    waiting.sort(key=lambda e: (e.first_meeting or dt.datetime.max, e.name))
    return Desk(salon, now, arrived, waiting, data.schedule is not None)
