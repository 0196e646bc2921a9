"""Queries of the day's arrivals and attendance (keyword-only, typed, flush only; no rules).

Both writes are single statements whose outcome the database decides (RETURNING says whether
it wrote): an arrival is inserted once (`ON CONFLICT DO NOTHING`: two desks scanning the same
badge record the first), a mark is an upsert on the meeting (`ON CONFLICT DO UPDATE`), which a
participant's mark only wins over another participant's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from api.dayof.tables import Arrival, Attendance


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


def insert_arrival(
    session: Session, *, salon_id: int, participant_id: int, at: dt.datetime
) -> bool:
    """Record the participant's arrival at `at` (naive UTC); False when it was already."""
    statement = (
        _insert(session, Arrival)
        .values(salon_id=salon_id, participant_id=participant_id, arrived_at=at)
        .on_conflict_do_nothing(index_elements=["participant_id"])
        .returning(Arrival.id)
    )
    inserted = session.execute(statement).first() is not None
    session.flush()
    return inserted


def delete_arrival(session: Session, *, salon_id: int, participant_id: int) -> bool:
    """Forget an arrival recorded by mistake; False when there was none."""
    row = session.scalar(
        select(Arrival).where(
            Arrival.salon_id == salon_id, Arrival.participant_id == participant_id
        )
    )
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def arrivals(session: Session, *, salon_id: int) -> dict[int, dt.datetime]:
    """Participant id -> when it arrived (naive UTC), for the salon."""
    rows = session.execute(
        select(Arrival.participant_id, Arrival.arrived_at).where(Arrival.salon_id == salon_id)
    )
    return {participant_id: at for participant_id, at in rows}


def upsert_attendance(
    session: Session,
    *,
    salon_id: int,
    from_id: int,
    to_id: int,
    start: dt.datetime,
    table_code: str,
    status: str,
    absent_id: int | None,
    marked_by: str,
    at: dt.datetime,
) -> bool:
    """Mark a meeting; a participant's mark does not replace a staff's (False then)."""
    values = {
        "table_code": table_code,
        "status": status,
        "absent_id": absent_id,
        "marked_by": marked_by,
        "marked_at": at,
    }
    statement = _insert(session, Attendance).values(
        salon_id=salon_id, from_id=from_id, to_id=to_id, start=start, **values
    )
    where = None
    if marked_by == "participant":
        where = Attendance.__table__.c.marked_by == "participant"
    statement = statement.on_conflict_do_update(
        index_elements=["salon_id", "from_id", "to_id", "start"], set_=values, where=where
    )
    written = session.execute(statement.returning(Attendance.id)).first() is not None
    session.flush()
    return written


def attendance(session: Session, *, salon_id: int) -> list[Attendance]:
    """Every attendance mark of the salon, in meeting order."""
    return list(
        session.scalars(
            select(Attendance)
            .where(Attendance.salon_id == salon_id)
            .order_by(Attendance.start, Attendance.id)
        )
    )
