"""Salons, their objectives, sessions and tables; the salon's lock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.db import take_write_lock
from api.salons.storage.queries import paged
from api.salons.tables import (
    Job,
    Participant,
    Salon,
    SalonObjective,
    SalonSession,
    SalonTable,
    Schedule,
    ScheduledMeeting,
    Wish,
)


def insert_salon(session: Session, *, salon: Salon) -> Salon:
    session.add(salon)
    session.flush()
    return salon


def find_salon(session: Session, *, salon_id: int, organiser_id: int | None = None) -> Salon | None:
    """The salon, if it exists and (when given) belongs to the organiser."""
    salon = session.get(Salon, salon_id)
    if salon is None or (organiser_id is not None and salon.organiser_id != organiser_id):
        return None
    return salon


def lock_salon(session: Session, *, salon_id: int) -> Salon | None:
    """The salon row, read afresh and locked until the transaction ends: the writers that take
    it run one at a time (PostgreSQL: `SELECT ... FOR NO KEY UPDATE`, which rows referencing
    the salon do not wait for; SQLite: the database's write lock, `take_write_lock`).
    Call it before reading what the transaction will write on."""
    take_write_lock(session)
    return session.scalar(
        select(Salon)
        .where(Salon.id == salon_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )


def list_salons(
    session: Session, *, organiser_id: int, offset: int, limit: int
) -> tuple[list[Salon], int]:
    query = select(Salon).where(Salon.organiser_id == organiser_id)
    return paged(session, query.order_by(Salon.id), offset=offset, limit=limit)


def find_salon_by_name(session: Session, *, organiser_id: int, name: str) -> Salon | None:
    return session.scalar(
        select(Salon)
        .where(Salon.organiser_id == organiser_id, Salon.name == name)
        .order_by(Salon.id)
        .limit(1)
    )


def delete_salon(session: Session, *, salon_id: int) -> None:
    """Delete a salon and everything in it (schedules first: they reference participants)."""
    session.execute(delete(Schedule).where(Schedule.salon_id == salon_id))
    session.execute(delete(Job).where(Job.salon_id == salon_id))
    session.execute(delete(Wish).where(Wish.salon_id == salon_id))
    session.execute(delete(Participant).where(Participant.salon_id == salon_id))
    session.execute(delete(SalonTable).where(SalonTable.salon_id == salon_id))
    session.execute(delete(Salon).where(Salon.id == salon_id))
    session.expunge_all()


def count_salon_rows(session: Session, *, salon_id: int) -> tuple[int, int]:
    """(participants, wishes) of a salon."""
    participants = session.scalar(
        select(func.count()).select_from(Participant).where(Participant.salon_id == salon_id)
    )
    wishes = session.scalar(select(func.count()).select_from(Wish).where(Wish.salon_id == salon_id))
    return int(participants or 0), int(wishes or 0)


def list_objectives(session: Session, *, salon_id: int) -> list[str]:
    return list(
        session.scalars(
            select(SalonObjective.name)
            .where(SalonObjective.salon_id == salon_id)
            .order_by(SalonObjective.position)
        )
    )


def replace_objectives(session: Session, *, salon_id: int, names: Sequence[str]) -> None:
    session.execute(delete(SalonObjective).where(SalonObjective.salon_id == salon_id))
    session.add_all(
        SalonObjective(salon_id=salon_id, position=i, name=name) for i, name in enumerate(names)
    )
    session.flush()


def list_sessions(session: Session, *, salon_id: int) -> list[SalonSession]:
    return list(
        session.scalars(
            select(SalonSession)
            .where(SalonSession.salon_id == salon_id)
            .order_by(SalonSession.position)
        )
    )


def replace_sessions(
    session: Session, *, salon_id: int, sessions: Sequence[tuple[dt.date, dt.time, dt.time]]
) -> None:
    session.execute(delete(SalonSession).where(SalonSession.salon_id == salon_id))
    session.add_all(
        SalonSession(salon_id=salon_id, position=i, date=day, start=start, end=end)
        for i, (day, start, end) in enumerate(sessions)
    )
    session.flush()


def list_tables(session: Session, *, salon_id: int) -> list[SalonTable]:
    return list(
        session.scalars(
            select(SalonTable).where(SalonTable.salon_id == salon_id).order_by(SalonTable.position)
        )
    )


def insert_tables(session: Session, *, tables: Iterable[SalonTable]) -> None:
    session.add_all(tables)
    session.flush()


def delete_tables(session: Session, *, table_ids: Sequence[int]) -> None:
    if table_ids:
        session.execute(delete(SalonTable).where(SalonTable.id.in_(table_ids)))
        session.flush()


def tables_in_use(session: Session, *, table_ids: Sequence[int]) -> set[int]:
    """Tables among `table_ids` that a participant or a schedule's meeting uses."""
    if not table_ids:
        return set()
    homes = select(Participant.table_id).where(Participant.table_id.in_(table_ids))
    meetings = select(ScheduledMeeting.table_id).where(ScheduledMeeting.table_id.in_(table_ids))
    return {int(t) for t in session.scalars(homes.union(meetings)) if t is not None}


def tables_by_id(session: Session, *, ids: Iterable[int]) -> dict[int, SalonTable]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    return {
        row.id: row for row in session.scalars(select(SalonTable).where(SalonTable.id.in_(wanted)))
    }
