"""Rows <-> files: a stored salon as a salon/v1 document and back, schedules as schedule/v1.

`salon_document(store_salon_document(doc)) == doc` for every valid salon/v1 document: the
order of sessions, tables, participants, wishes and intervals, the way tables were written
(a count, ids or specs), `during: []` versus no `during`, all survive.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from api.salons import storage
from api.salons.tables import (
    Participant,
    Salon,
    SalonTable,
    Schedule,
    ScheduledMeeting,
    ScheduleObjective,
    Unavailability,
    UnscheduledWish,
    Wish,
    WishInterval,
)
from scheduler import format as v1

# ------------------------------------------------------------------- rows -> v1


def tables_value(form: str, tables: list[SalonTable]) -> int | list[str] | list[v1.TableSpec]:
    """The `tables` field as the file wrote it, when the rows still allow that form."""
    plain = all(t.name is None and t.room is None for t in tables)
    if (
        form == "count"
        and plain
        and [t.code for t in tables] == [f"T{i}" for i in range(1, len(tables) + 1)]
    ):
        return len(tables)
    if form in ("count", "ids") and plain:
        return [t.code for t in tables]
    return [v1.TableSpec(id=t.code, name=t.name, room=t.room) for t in tables]


def participant_spec(
    participant: Participant, table_codes: dict[int, str], unavailable: list[Unavailability]
) -> v1.Participant:
    return v1.Participant(
        id=participant.code,
        name=participant.name,
        organisation=participant.organisation,
        role=participant.role,
        table=None if participant.table_id is None else table_codes[participant.table_id],
        representatives=participant.representatives,
        max_meetings=participant.max_meetings,
        unavailable=[v1.Interval(start=u.start, end=u.end) for u in unavailable],
        email=participant.email,
    )


def wish_spec(wish: Wish, codes: dict[int, str], intervals: list[WishInterval]) -> v1.Wish:
    during = [v1.Interval(start=i.start, end=i.end) for i in intervals] if wish.has_during else None
    return v1.Wish.model_validate(
        {
            "from": codes[wish.from_id],
            "to": codes[wish.to_id],
            "priority": wish.priority,
            "required": wish.required,
            "declined": wish.declined,
            "during": during,
            "pinned": wish.pinned,
        }
    )


def salon_settings(session: Session, *, salon: Salon) -> dict[str, Any]:
    """The salon/v1 fields of a salon, without participants and wishes."""
    tables = storage.list_tables(session, salon_id=salon.id)
    return {
        "name": salon.name,
        "timezone": salon.timezone,
        "meeting_minutes": salon.meeting_minutes,
        "changeover_minutes": salon.changeover_minutes,
        "sessions": [
            v1.SessionSpec(date=s.date, start=s.start, end=s.end)
            for s in storage.list_sessions(session, salon_id=salon.id)
        ],
        "tables": tables_value(salon.tables_form, tables),
        "max_in_a_row": salon.max_in_a_row,
        "objectives": storage.list_objectives(session, salon_id=salon.id),
        "max_break_spread": salon.max_break_spread,
        "max_meetings_by_kind": kind_caps(salon),
    }


def kind_caps(salon: Salon) -> v1.KindCaps | None:
    """The salon's caps per kind of participant (salon/v1 `max_meetings_by_kind`), if any."""
    if salon.director_max_meetings is None and salon.industrial_max_meetings is None:
        return None
    return v1.KindCaps(
        director=salon.director_max_meetings, industrial=salon.industrial_max_meetings
    )


def store_kind_caps(salon: Salon, caps: v1.KindCaps | None) -> None:
    """Keep salon/v1 `max_meetings_by_kind` in the salon's row."""
    salon.director_max_meetings = None if caps is None else caps.director
    salon.industrial_max_meetings = None if caps is None else caps.industrial


def salon_document(session: Session, *, salon: Salon) -> v1.Salon:
    """The whole salon as a salon/v1 document (what a solve reads, what export writes)."""
    settings = salon_settings(session, salon=salon)
    tables = storage.list_tables(session, salon_id=salon.id)
    table_codes = {t.id: t.code for t in tables}
    participants, _ = storage.list_participants(session, salon_id=salon.id)
    codes = {p.id: p.code for p in participants}
    unavailable = storage.salon_unavailabilities(session, salon_id=salon.id)
    wishes, _ = storage.list_wishes(session, salon_id=salon.id)
    intervals = storage.salon_wish_intervals(session, salon_id=salon.id)
    return v1.Salon(
        **settings,
        participants=[participant_spec(p, table_codes, unavailable[p.id]) for p in participants],
        wishes=[wish_spec(w, codes, intervals[w.id]) for w in wishes],
    )


# ------------------------------------------------------------------- v1 -> rows


def tables_form(tables: int | list[str] | list[v1.TableSpec]) -> str:
    if isinstance(tables, int):
        return "count"
    if all(isinstance(t, str) for t in tables):
        return "ids"
    return "specs"


def store_salon_document(
    session: Session, *, organiser_id: int, document: v1.Salon, now: dt.datetime
) -> Salon:
    """Insert a checked salon/v1 document as a new salon (wish window closed)."""
    salon = storage.insert_salon(
        session,
        salon=Salon(
            organiser_id=organiser_id,
            name=document.name,
            timezone=document.timezone,
            meeting_minutes=document.meeting_minutes,
            changeover_minutes=document.changeover_minutes,
            max_in_a_row=document.max_in_a_row,
            max_break_spread=document.max_break_spread,
            tables_form=tables_form(document.tables),
            wishes_open=False,
            created_at=now,
            updated_at=now,
        ),
    )
    store_kind_caps(salon, document.max_meetings_by_kind)
    storage.replace_objectives(session, salon_id=salon.id, names=list(document.objectives))
    storage.replace_sessions(
        session, salon_id=salon.id, sessions=[(s.date, s.start, s.end) for s in document.sessions]
    )
    tables = [
        SalonTable(salon_id=salon.id, position=i, code=t.id, name=t.name, room=t.room)
        for i, t in enumerate(document.table_specs())
    ]
    storage.insert_tables(session, tables=tables)
    store_participants(
        session,
        salon_id=salon.id,
        specs=document.participants,
        table_ids={t.code: t.id for t in tables},
        first_position=0,
        now=now,
    )
    store_wishes(session, salon_id=salon.id, specs=document.wishes, first_position=0, now=now)
    return salon


def store_participants(
    session: Session,
    *,
    salon_id: int,
    specs: list[v1.Participant],
    table_ids: dict[str, int],
    first_position: int,
    now: dt.datetime,
) -> list[Participant]:
    """Insert new participants (codes and tables already checked)."""
    rows = [
        Participant(
            salon_id=salon_id,
            position=first_position + i,
            code=spec.id,
            name=spec.name,
            organisation=spec.organisation,
            role=spec.role,
            table_id=None if spec.table is None else table_ids[spec.table],
            representatives=spec.representatives,
            max_meetings=spec.max_meetings,
            email=spec.email,
            created_at=now,
        )
        for i, spec in enumerate(specs)
    ]
    storage.insert_participants(session, participants=rows)
    session.add_all(
        Unavailability(participant_id=row.id, position=j, start=u.start, end=u.end)
        for row, spec in zip(rows, specs, strict=True)
        for j, u in enumerate(spec.unavailable)
    )
    session.flush()
    return rows


def store_wishes(
    session: Session,
    *,
    salon_id: int,
    specs: list[v1.Wish],
    first_position: int,
    now: dt.datetime,
) -> list[Wish]:
    """Insert wishes between existing participants (checked); rank follows the file order."""
    ids = {
        code: p.id
        for code, p in storage.find_participants_by_code(
            session, salon_id=salon_id, codes=[c for w in specs for c in (w.from_, w.to)]
        ).items()
    }
    ranks: dict[str, int] = defaultdict(int)
    rows = []
    for i, spec in enumerate(specs):
        ranks[spec.from_] += 1
        rows.append(
            Wish(
                salon_id=salon_id,
                from_id=ids[spec.from_],
                to_id=ids[spec.to],
                position=first_position + i,
                rank=ranks[spec.from_],
                priority=spec.priority,
                required=spec.required,
                declined=spec.declined,
                decided_at=now if spec.declined else None,
                has_during=spec.during is not None,
                pinned=spec.pinned,
                created_at=now,
                updated_at=now,
            )
        )
    storage.insert_wishes(session, wishes=rows)
    storage.insert_wish_intervals(
        session,
        intervals=[
            WishInterval(wish_id=row.id, position=j, start=interval.start, end=interval.end)
            for row, spec in zip(rows, specs, strict=True)
            for j, interval in enumerate(spec.during or [])
        ],
    )
    return rows


# ------------------------------------------------------------------ schedules


def schedule_rows(
    document: v1.Schedule, participant_ids: dict[str, int], table_ids: dict[str, int]
) -> list[Any]:
    """The rows of a schedule/v1 document (objectives, meetings, unscheduled wishes)."""
    rows: list[Any] = [
        ScheduleObjective(position=i, name=o.name, value=o.value, bound=o.bound)
        for i, o in enumerate(document.objectives)
    ]
    rows.extend(
        ScheduledMeeting(
            from_id=participant_ids[m.from_],
            to_id=participant_ids[m.to],
            start=m.start,
            end=m.end,
            table_id=table_ids[m.table],
        )
        for m in document.meetings
    )
    rows.extend(
        UnscheduledWish(
            from_id=participant_ids[u.from_],
            to_id=participant_ids[u.to],
            reason=u.reason,
            detail=u.detail,
            detail_en=u.detail_en,
        )
        for u in document.unscheduled
    )
    return rows


def store_schedule(
    session: Session,
    *,
    salon_id: int,
    job_id: int | None,
    document: v1.Schedule,
    participant_ids: dict[str, int],
    table_ids: dict[str, int],
    now: dt.datetime,
) -> Schedule:
    """Save a schedule/v1 document as the salon's next (preliminary) version."""
    schedule = Schedule(
        salon_id=salon_id,
        version=storage.next_schedule_version(session, salon_id=salon_id),
        job_id=job_id,
        salon_name=document.salon,
        status=document.status,
        stats=dict(document.stats),
        created_at=now,
    )
    rows = schedule_rows(document, participant_ids, table_ids)
    return storage.insert_schedule(session, schedule=schedule, rows=rows)


def schedule_document(session: Session, *, schedule: Schedule) -> v1.Schedule:
    """A stored schedule as a schedule/v1 document."""
    meetings = storage.schedule_meetings(session, schedule_id=schedule.id)
    unscheduled = storage.schedule_unscheduled(session, schedule_id=schedule.id)
    pairs = [(m.from_id, m.to_id) for m in meetings] + [(u.from_id, u.to_id) for u in unscheduled]
    people = storage.participants_by_id(session, ids=[i for pair in pairs for i in pair])
    return _schedule_from_rows(session, schedule, meetings, unscheduled, people)


def _schedule_from_rows(
    session: Session,
    schedule: Schedule,
    meetings: list[ScheduledMeeting],
    unscheduled: list[UnscheduledWish],
    people: dict[int, Participant],
) -> v1.Schedule:
    tables = storage.tables_by_id(session, ids=[m.table_id for m in meetings])
    objectives = storage.schedule_objectives(session, schedule_ids=[schedule.id])[schedule.id]
    status = "optimal" if schedule.status == "optimal" else "feasible"
    return v1.Schedule(
        salon=schedule.salon_name,
        status=status,
        objectives=[
            v1.ObjectiveValue.model_validate({"name": o.name, "value": o.value, "bound": o.bound})
            for o in objectives
        ],
        meetings=[
            v1.ScheduledMeeting.model_validate(
                {
                    "from": people[m.from_id].code,
                    "to": people[m.to_id].code,
                    "start": m.start,
                    "end": m.end,
                    "table": tables[m.table_id].code,
                }
            )
            for m in meetings
        ],
        unscheduled=[
            v1.UnscheduledWish.model_validate(
                {
                    "from": people[u.from_id].code,
                    "to": people[u.to_id].code,
                    "reason": u.reason,
                    "detail": u.detail,
                    "detail_en": u.detail_en,
                }
            )
            for u in unscheduled
        ],
        stats=dict(schedule.stats or {}),
    )


def participant_view(
    session: Session, *, salon: Salon, schedule: Schedule, participant_id: int
) -> tuple[v1.Salon, v1.Schedule]:
    """What one participant's documents show of a salon and a schedule version, read alone.

    The salon's settings (sessions, every table), the participant, the others it meets or has an
    unscheduled wish with, and the wishes between them; its meetings and unscheduled wishes. Its
    agenda, calendar and unmet wishes are those the whole salon gives (only the position of the
    participants, hence the agenda's HTML anchor, differs); it reads a few rows, not the salon.
    """
    settings = salon_settings(session, salon=salon)
    table_codes = {t.id: t.code for t in storage.list_tables(session, salon_id=salon.id)}
    meetings = storage.schedule_meetings(
        session, schedule_id=schedule.id, participant_id=participant_id
    )
    unscheduled = storage.schedule_unscheduled(
        session, schedule_id=schedule.id, participant_id=participant_id
    )
    pairs = [(m.from_id, m.to_id) for m in meetings] + [(u.from_id, u.to_id) for u in unscheduled]
    ids = {participant_id, *(i for pair in pairs for i in pair)}
    people = storage.participants_by_id(session, ids=ids)
    shown = sorted(people.values(), key=lambda p: p.position)
    codes = {p.id: p.code for p in shown}
    wishes = storage.wishes_from(session, participant_id=participant_id)
    wishes += storage.wishes_to(session, participant_id=participant_id)
    wishes = sorted(
        (w for w in wishes if w.from_id in codes and w.to_id in codes), key=lambda w: w.position
    )
    intervals = storage.intervals_of(session, wish_ids=[w.id for w in wishes])
    unavailable = storage.unavailabilities_of(session, participant_ids=list(codes))
    document = v1.Salon(
        **settings,
        participants=[participant_spec(p, table_codes, unavailable[p.id]) for p in shown],
        wishes=[wish_spec(w, codes, intervals[w.id]) for w in wishes],
    )
    return document, _schedule_from_rows(session, schedule, meetings, unscheduled, people)
