"""Reading and writing the reminders' tables (keyword-only, flush only: the service commits)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.reminders.tables import AgendaSeen, ReminderSent
from api.salons.tables import Salon, Schedule


def salons_with_published_schedules(session: Session) -> list[Salon]:
    """Every salon whose participants see a published schedule."""
    published = select(Schedule.salon_id).where(Schedule.published_at.is_not(None))
    return list(session.scalars(select(Salon).where(Salon.id.in_(published)).order_by(Salon.id)))


def sent_keys(session: Session, *, salon_id: int, key: str) -> set[int]:
    """The participants of the salon already sent the reminder `key`."""
    query = select(ReminderSent.participant_id).where(
        ReminderSent.salon_id == salon_id, ReminderSent.key == key
    )
    return set(session.scalars(query))


def claim_reminder(session: Session, *, reminder: ReminderSent) -> bool:
    """Record the reminder before it is sent; False when another sender recorded it first
    (the unique (participant, key) decides; a savepoint keeps the session usable)."""
    try:
        with session.begin_nested():
            session.add(reminder)
            session.flush()
    except IntegrityError:
        return False
    return True


def release_reminder(session: Session, *, reminder_id: int) -> None:
    """Forget a claimed reminder that could not be sent (the next run tries again)."""
    session.execute(delete(ReminderSent).where(ReminderSent.id == reminder_id))
    session.flush()


def reminders_of(session: Session, *, participant_id: int) -> list[ReminderSent]:
    query = select(ReminderSent).where(ReminderSent.participant_id == participant_id)
    return list(session.scalars(query.order_by(ReminderSent.id)))


def agenda_seen(session: Session, *, participant_id: int) -> AgendaSeen | None:
    return session.get(AgendaSeen, participant_id)


def set_agenda_seen(
    session: Session,
    *,
    participant_id: int,
    version: int,
    digest: str,
    meetings: list[Any],
    when: dt.datetime,
) -> None:
    """Record the agenda the participant has just seen."""
    row = session.get(AgendaSeen, participant_id)
    if row is None:
        row = AgendaSeen(participant_id=participant_id)
        session.add(row)
    row.schedule_version = version
    row.digest = digest
    row.meetings = meetings
    row.seen_at = when
    session.flush()
