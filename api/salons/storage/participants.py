"""Participants and their unavailabilities."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from api.salons.storage.queries import chunks, paged
from api.salons.tables import Participant, ScheduledMeeting, Unavailability, UnscheduledWish


def list_participants(
    session: Session,
    *,
    salon_id: int,
    offset: int = 0,
    limit: int | None = None,
    kind: str | None = None,
    exclude_id: int | None = None,
) -> tuple[list[Participant], int]:
    query = select(Participant).where(Participant.salon_id == salon_id)
    if kind == "director":
        query = query.where(Participant.table_id.is_not(None))
    elif kind == "industrial":
        query = query.where(Participant.table_id.is_(None))
    if exclude_id is not None:
        query = query.where(Participant.id != exclude_id)
    return paged(
        session, query.order_by(Participant.position, Participant.id), offset=offset, limit=limit
    )


def find_participant(session: Session, *, salon_id: int, participant_id: int) -> Participant | None:
    participant = session.get(Participant, participant_id)
    if participant is None or participant.salon_id != salon_id:
        return None
    return participant


def find_participants_by_code(
    session: Session, *, salon_id: int, codes: Iterable[str]
) -> dict[str, Participant]:
    wanted = list(set(codes))
    if not wanted:
        return {}
    rows = session.scalars(
        select(Participant).where(Participant.salon_id == salon_id, Participant.code.in_(wanted))
    )
    return {row.code: row for row in rows}


def next_participant_position(session: Session, *, salon_id: int) -> int:
    last = session.scalar(
        select(func.max(Participant.position)).where(Participant.salon_id == salon_id)
    )
    return 0 if last is None else int(last) + 1


def insert_participants(session: Session, *, participants: Sequence[Participant]) -> None:
    session.add_all(participants)
    session.flush()


def delete_participant(session: Session, *, participant_id: int) -> None:
    session.execute(delete(Participant).where(Participant.id == participant_id))
    session.expire_all()


def participant_in_schedules(session: Session, *, participant_id: int) -> bool:
    """True when a stored schedule names the participant (its history must stay readable)."""
    meeting = select(ScheduledMeeting.id).where(
        or_(ScheduledMeeting.from_id == participant_id, ScheduledMeeting.to_id == participant_id)
    )
    unscheduled = select(UnscheduledWish.id).where(
        or_(UnscheduledWish.from_id == participant_id, UnscheduledWish.to_id == participant_id)
    )
    return session.scalar(meeting.union_all(unscheduled).limit(1)) is not None


def unavailabilities_of(
    session: Session, *, participant_ids: Sequence[int]
) -> dict[int, list[Unavailability]]:
    grouped: dict[int, list[Unavailability]] = defaultdict(list)
    if not participant_ids:
        return grouped
    rows = session.scalars(
        select(Unavailability)
        .where(Unavailability.participant_id.in_(participant_ids))
        .order_by(Unavailability.participant_id, Unavailability.position)
    )
    for row in rows:
        grouped[row.participant_id].append(row)
    return grouped


def salon_unavailabilities(session: Session, *, salon_id: int) -> dict[int, list[Unavailability]]:
    grouped: dict[int, list[Unavailability]] = defaultdict(list)
    rows = session.scalars(
        select(Unavailability)
        .join(Participant, Participant.id == Unavailability.participant_id)
        .where(Participant.salon_id == salon_id)
        .order_by(Unavailability.participant_id, Unavailability.position)
    )
    for row in rows:
        grouped[row.participant_id].append(row)
    return grouped


def replace_unavailabilities(
    session: Session, *, participant_id: int, intervals: Sequence[tuple[dt.datetime, dt.datetime]]
) -> None:
    session.execute(delete(Unavailability).where(Unavailability.participant_id == participant_id))
    session.add_all(
        Unavailability(participant_id=participant_id, position=i, start=start, end=end)
        for i, (start, end) in enumerate(intervals)
    )
    session.flush()


def set_wishes_submitted(session: Session, *, participant_id: int, when: dt.datetime) -> None:
    session.execute(
        update(Participant).where(Participant.id == participant_id).values(wishes_submitted_at=when)
    )


def participants_by_id(session: Session, *, ids: Iterable[int]) -> dict[int, Participant]:
    wanted = list(set(ids))
    found: dict[int, Participant] = {}
    for chunk in chunks(wanted, 500):
        for row in session.scalars(select(Participant).where(Participant.id.in_(chunk))):
            found[row.id] = row
    return found
