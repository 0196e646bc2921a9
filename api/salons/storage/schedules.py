"""Schedule versions, their meetings, unscheduled wishes and objectives; the published one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from api.salons.storage.queries import paged
from api.salons.tables import Schedule, ScheduledMeeting, ScheduleObjective, UnscheduledWish


def next_schedule_version(session: Session, *, salon_id: int) -> int:
    last = session.scalar(select(func.max(Schedule.version)).where(Schedule.salon_id == salon_id))
    return 1 if last is None else int(last) + 1


def insert_schedule(session: Session, *, schedule: Schedule, rows: Sequence[Any]) -> Schedule:
    """Insert a schedule and its rows (objectives, meetings, unscheduled wishes)."""
    session.add(schedule)
    session.flush()
    for row in rows:
        row.schedule_id = schedule.id
    session.add_all(rows)
    session.flush()
    return schedule


def list_schedules(
    session: Session, *, salon_id: int, offset: int, limit: int
) -> tuple[list[Schedule], int]:
    query = select(Schedule).where(Schedule.salon_id == salon_id).order_by(Schedule.version.desc())
    return paged(session, query, offset=offset, limit=limit)


def find_schedule(session: Session, *, salon_id: int, version: int) -> Schedule | None:
    return session.scalar(
        select(Schedule).where(Schedule.salon_id == salon_id, Schedule.version == version)
    )


def schedule_of_job(session: Session, *, job_id: int) -> Schedule | None:
    return session.scalar(select(Schedule).where(Schedule.job_id == job_id))


def current_published(session: Session, *, salon_id: int) -> Schedule | None:
    """The version participants see: the one published last."""
    return session.scalar(
        select(Schedule)
        .where(Schedule.salon_id == salon_id, Schedule.published_at.is_not(None))
        .order_by(Schedule.published_at.desc(), Schedule.version.desc())
        .limit(1)
    )


def earlier_published_meetings(
    session: Session, *, salon_id: int, participant_id: int, current_id: int
) -> list[ScheduledMeeting]:
    """The participant's meetings in the salon's published versions other than `current_id`,
    the earliest publication first (so a later one's times win when read in order)."""
    return list(
        session.scalars(
            select(ScheduledMeeting)
            .join(Schedule, Schedule.id == ScheduledMeeting.schedule_id)
            .where(
                Schedule.salon_id == salon_id,
                Schedule.published_at.is_not(None),
                Schedule.id != current_id,
                or_(
                    ScheduledMeeting.from_id == participant_id,
                    ScheduledMeeting.to_id == participant_id,
                ),
            )
            .order_by(Schedule.published_at, Schedule.version, ScheduledMeeting.start)
        )
    )


def schedule_objectives(
    session: Session, *, schedule_ids: Sequence[int]
) -> dict[int, list[ScheduleObjective]]:
    grouped: dict[int, list[ScheduleObjective]] = defaultdict(list)
    if not schedule_ids:
        return grouped
    rows = session.scalars(
        select(ScheduleObjective)
        .where(ScheduleObjective.schedule_id.in_(schedule_ids))
        .order_by(ScheduleObjective.schedule_id, ScheduleObjective.position)
    )
    for row in rows:
        grouped[row.schedule_id].append(row)
    return grouped


def schedule_counts(session: Session, *, schedule_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(meetings, unscheduled wishes) of each schedule."""
    if not schedule_ids:
        return {}
    meetings = {
        schedule_id: count
        for schedule_id, count in session.execute(
            select(ScheduledMeeting.schedule_id, func.count())
            .where(ScheduledMeeting.schedule_id.in_(schedule_ids))
            .group_by(ScheduledMeeting.schedule_id)
        )
    }
    unscheduled = {
        schedule_id: count
        for schedule_id, count in session.execute(
            select(UnscheduledWish.schedule_id, func.count())
            .where(UnscheduledWish.schedule_id.in_(schedule_ids))
            .group_by(UnscheduledWish.schedule_id)
        )
    }
    return {i: (int(meetings.get(i, 0)), int(unscheduled.get(i, 0))) for i in schedule_ids}


def schedule_meetings(
    session: Session, *, schedule_id: int, participant_id: int | None = None
) -> list[ScheduledMeeting]:
    query = select(ScheduledMeeting).where(ScheduledMeeting.schedule_id == schedule_id)
    if participant_id is not None:
        query = query.where(
            or_(
                ScheduledMeeting.from_id == participant_id,
                ScheduledMeeting.to_id == participant_id,
            )
        )
    return list(session.scalars(query.order_by(ScheduledMeeting.start, ScheduledMeeting.id)))


def schedule_unscheduled(
    session: Session, *, schedule_id: int, participant_id: int | None = None
) -> list[UnscheduledWish]:
    query = select(UnscheduledWish).where(UnscheduledWish.schedule_id == schedule_id)
    if participant_id is not None:
        query = query.where(
            or_(
                UnscheduledWish.from_id == participant_id,
                UnscheduledWish.to_id == participant_id,
            )
        )
    return list(session.scalars(query.order_by(UnscheduledWish.id)))
