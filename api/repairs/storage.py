"""Queries of the repair rows (keyword-only, typed; no rules here)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api.repairs.tables import Repair
from api.salons.tables import ACTIVE_JOB_STATES, Job, Schedule


def insert_repair(session: Session, *, repair: Repair) -> Repair:
    session.add(repair)
    session.flush()
    return repair


def find_repair(session: Session, *, salon_id: int, repair_id: int) -> Repair | None:
    repair = session.get(Repair, repair_id)
    if repair is None or repair.salon_id != salon_id:
        return None
    return repair


def list_repairs(
    session: Session, *, salon_id: int, offset: int, limit: int
) -> tuple[list[Repair], int]:
    query = select(Repair).where(Repair.salon_id == salon_id)
    count = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(Repair.id.desc()).offset(offset).limit(limit))
    return list(rows), int(count or 0)


def published_repairs(session: Session, *, salon_id: int) -> list[Repair]:
    """The repairs whose draft was published (by any route), oldest first."""
    query = (
        select(Repair)
        .join(Schedule, Schedule.id == Repair.schedule_id)
        .where(Repair.salon_id == salon_id, Schedule.published_at.is_not(None))
        .order_by(Repair.id)
    )
    return list(session.scalars(query))


def schedules_by_id(session: Session, *, ids: list[int]) -> dict[int, Schedule]:
    if not ids:
        return {}
    return {s.id: s for s in session.scalars(select(Schedule).where(Schedule.id.in_(ids)))}


def claim_notification(session: Session, *, repair_id: int, when: dt.datetime) -> bool:
    """Mark the repair's mails as sent (once); False when another request already did."""
    result = session.execute(
        update(Repair)
        .where(Repair.id == repair_id, Repair.notified_at.is_(None))
        .values(notified_at=when)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def set_notified(session: Session, *, repair_id: int, count: int) -> None:
    session.execute(
        update(Repair)
        .where(Repair.id == repair_id)
        .values(notified=count)
        .execution_options(synchronize_session=False)
    )


def mails_pending(session: Session, *, repair_id: int) -> bool:
    """Whether the repair's mail job (api.repairs.mail_job) is still queued or running."""
    query = select(func.count(Job.id)).where(
        Job.kind == "repair_mail",
        Job.document == str(repair_id),
        Job.state.in_(ACTIVE_JOB_STATES),
    )
    return bool(session.scalar(query))
