"""Storage of salons: every query of the salon module lives here (keyword-only, typed).

Functions flush but never commit: the caller (api.salons.service, api.jobs) owns the
transaction. Lookups scoped by salon return None for rows of another salon, so the service
answers 404 whatever the reason.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.orm import Session

from api.db import take_write_lock
from api.salons.tables import (
    ACTIVE_JOB_STATES,
    Job,
    Participant,
    ParticipantLink,
    Salon,
    SalonObjective,
    SalonSession,
    SalonTable,
    Schedule,
    ScheduledMeeting,
    ScheduleObjective,
    SolveJob,
    SolveJobClash,
    SolveJobObjective,
    Unavailability,
    UnscheduledWish,
    Wish,
    WishInterval,
)
from scheduler.errors import Clash

RowT = TypeVar("RowT")
ItemT = TypeVar("ItemT")

# ------------------------------------------------------------------------ salons


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
    return _page(session, query.order_by(Salon.id), offset=offset, limit=limit)


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


# ----------------------------------------------------------- objectives, sessions


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


# ------------------------------------------------------------------------ tables


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


# ------------------------------------------------------------------ participants


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
    return _page(
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


# ------------------------------------------------------------------------ wishes


def list_wishes(
    session: Session,
    *,
    salon_id: int,
    offset: int = 0,
    limit: int | None = None,
    from_id: int | None = None,
    to_id: int | None = None,
) -> tuple[list[Wish], int]:
    query = select(Wish).where(Wish.salon_id == salon_id)
    if from_id is not None:
        query = query.where(Wish.from_id == from_id)
    if to_id is not None:
        query = query.where(Wish.to_id == to_id)
    return _page(session, query.order_by(Wish.position, Wish.id), offset=offset, limit=limit)


def wishes_from(session: Session, *, participant_id: int) -> list[Wish]:
    """A participant's own wishes, most wanted first."""
    return list(
        session.scalars(
            select(Wish).where(Wish.from_id == participant_id).order_by(Wish.rank, Wish.id)
        )
    )


def wishes_to(session: Session, *, participant_id: int) -> list[Wish]:
    """The requests addressed to a participant, in the order they came."""
    return list(
        session.scalars(
            select(Wish).where(Wish.to_id == participant_id).order_by(Wish.created_at, Wish.id)
        )
    )


def find_wish(session: Session, *, salon_id: int, wish_id: int) -> Wish | None:
    wish = session.get(Wish, wish_id)
    if wish is None or wish.salon_id != salon_id:
        return None
    return wish


def find_wish_between(session: Session, *, from_id: int, to_id: int) -> Wish | None:
    return session.scalar(select(Wish).where(Wish.from_id == from_id, Wish.to_id == to_id))


def next_wish_position(session: Session, *, salon_id: int) -> int:
    last = session.scalar(select(func.max(Wish.position)).where(Wish.salon_id == salon_id))
    return 0 if last is None else int(last) + 1


def insert_wishes(session: Session, *, wishes: Sequence[Wish]) -> None:
    session.add_all(wishes)
    session.flush()


def delete_wishes(session: Session, *, wish_ids: Sequence[int]) -> None:
    if wish_ids:
        session.execute(delete(Wish).where(Wish.id.in_(wish_ids)))
        session.flush()


def intervals_of(session: Session, *, wish_ids: Sequence[int]) -> dict[int, list[WishInterval]]:
    grouped: dict[int, list[WishInterval]] = defaultdict(list)
    if not wish_ids:
        return grouped
    for chunk in _chunks(list(wish_ids), 500):
        rows = session.scalars(
            select(WishInterval)
            .where(WishInterval.wish_id.in_(chunk))
            .order_by(WishInterval.wish_id, WishInterval.position)
        )
        for row in rows:
            grouped[row.wish_id].append(row)
    return grouped


def salon_wish_intervals(session: Session, *, salon_id: int) -> dict[int, list[WishInterval]]:
    grouped: dict[int, list[WishInterval]] = defaultdict(list)
    rows = session.scalars(
        select(WishInterval)
        .join(Wish, Wish.id == WishInterval.wish_id)
        .where(Wish.salon_id == salon_id)
        .order_by(WishInterval.wish_id, WishInterval.position)
    )
    for row in rows:
        grouped[row.wish_id].append(row)
    return grouped


def replace_wish_intervals(
    session: Session, *, wish_id: int, intervals: Sequence[tuple[dt.datetime, dt.datetime]]
) -> None:
    session.execute(delete(WishInterval).where(WishInterval.wish_id == wish_id))
    session.add_all(
        WishInterval(wish_id=wish_id, position=i, start=start, end=end)
        for i, (start, end) in enumerate(intervals)
    )
    session.flush()


def insert_wish_intervals(session: Session, *, intervals: Sequence[WishInterval]) -> None:
    session.add_all(intervals)
    session.flush()


def participants_by_id(session: Session, *, ids: Iterable[int]) -> dict[int, Participant]:
    wanted = list(set(ids))
    found: dict[int, Participant] = {}
    for chunk in _chunks(wanted, 500):
        for row in session.scalars(select(Participant).where(Participant.id.in_(chunk))):
            found[row.id] = row
    return found


def tables_by_id(session: Session, *, ids: Iterable[int]) -> dict[int, SalonTable]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    return {
        row.id: row for row in session.scalars(select(SalonTable).where(SalonTable.id.in_(wanted)))
    }


# ------------------------------------------------------------------------- links


def insert_link(session: Session, *, link: ParticipantLink) -> ParticipantLink:
    session.add(link)
    session.flush()
    return link


def find_link_by_hash(
    session: Session, *, token_hash: str
) -> tuple[ParticipantLink, Participant] | None:
    row = session.execute(
        select(ParticipantLink, Participant)
        .join(Participant, Participant.id == ParticipantLink.participant_id)
        .where(ParticipantLink.token_hash == token_hash)
    ).first()
    return None if row is None else (row[0], row[1])


def links_by_hash(
    session: Session, *, token_hashes: Sequence[str]
) -> dict[str, ParticipantLink]:
    """The stored links among these token hashes, by hash (one query)."""
    if not token_hashes:
        return {}
    rows = session.scalars(
        select(ParticipantLink).where(ParticipantLink.token_hash.in_(list(token_hashes)))
    )
    return {row.token_hash: row for row in rows}


def list_links(session: Session, *, participant_id: int) -> list[ParticipantLink]:
    return list(
        session.scalars(
            select(ParticipantLink)
            .where(ParticipantLink.participant_id == participant_id)
            .order_by(ParticipantLink.id)
        )
    )


def find_link(session: Session, *, participant_id: int, link_id: int) -> ParticipantLink | None:
    link = session.get(ParticipantLink, link_id)
    if link is None or link.participant_id != participant_id:
        return None
    return link


# -------------------------------------------------------------------------- jobs


def insert_job(session: Session, *, job: SolveJob) -> SolveJob:
    session.add(job)
    session.flush()
    return job


def find_job(session: Session, *, job_id: int, salon_id: int | None = None) -> SolveJob | None:
    job = session.get(SolveJob, job_id)
    if job is None or (salon_id is not None and job.salon_id != salon_id):
        return None
    return job


def active_job(session: Session, *, salon_id: int) -> SolveJob | None:
    return session.scalar(
        select(SolveJob).where(SolveJob.salon_id == salon_id, SolveJob.state.in_(ACTIVE_JOB_STATES))
    )


def list_jobs(
    session: Session, *, salon_id: int, offset: int, limit: int
) -> tuple[list[SolveJob], int]:
    query = select(SolveJob).where(SolveJob.salon_id == salon_id).order_by(SolveJob.id.desc())
    return _page(session, query, offset=offset, limit=limit)


def find_any_job(session: Session, *, job_id: int) -> Job | None:
    """A job of any kind (a solve, a print), as the runner reads it."""
    return session.get(Job, job_id)


def update_job(
    session: Session, *, job_id: int, only_states: Sequence[str] = (), **values: Any
) -> bool:
    """Set columns of a job of any kind (only while in `only_states` when given); True if a row
    changed."""
    statement = update(Job).where(Job.id == job_id)
    if only_states:
        statement = statement.where(Job.state.in_(only_states))
    result = session.execute(
        statement.values(**values).execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def job_objectives(
    session: Session, *, job_ids: Sequence[int]
) -> dict[int, list[SolveJobObjective]]:
    grouped: dict[int, list[SolveJobObjective]] = defaultdict(list)
    if not job_ids:
        return grouped
    rows = session.scalars(
        select(SolveJobObjective)
        .where(SolveJobObjective.job_id.in_(job_ids))
        .order_by(SolveJobObjective.job_id, SolveJobObjective.name)
    )
    for row in rows:
        grouped[row.job_id].append(row)
    return grouped


def replace_job_objectives(
    session: Session,
    *,
    job_id: int,
    values: dict[str, int],
    bounds: dict[str, int],
) -> None:
    session.execute(delete(SolveJobObjective).where(SolveJobObjective.job_id == job_id))
    session.add_all(
        SolveJobObjective(job_id=job_id, name=name, value=values.get(name), bound=bounds.get(name))
        for name in sorted(set(values) | set(bounds))
    )
    session.flush()


def job_clashes(session: Session, *, job_id: int) -> list[SolveJobClash]:
    return list(
        session.scalars(
            select(SolveJobClash).where(SolveJobClash.job_id == job_id).order_by(SolveJobClash.id)
        )
    )


def insert_job_clashes(session: Session, *, job_id: int, clashes: Sequence[Clash]) -> None:
    session.add_all(
        SolveJobClash(job_id=job_id, rule=c.rule, message=c.message, message_fr=c.message_fr)
        for c in clashes
    )
    session.flush()


def cancel_job(session: Session, *, job_id: int, now: dt.datetime) -> bool:
    """Cancel a queued job at once, or ask a running one to stop (its runner ends it): one
    conditional UPDATE each, so a job starting meanwhile is asked to stop, never missed. True if
    the job was queued and is now cancelled."""
    if update_job(
        session,
        job_id=job_id,
        only_states=("queued",),
        state="cancelled",
        cancel_requested=True,
        finished_at=now,
        message="annulé avant le début",
    ):
        return True
    update_job(session, job_id=job_id, only_states=("running",), cancel_requested=True)
    return False


def active_jobs(session: Session) -> list[Job]:
    """Every queued or running job of every kind and salon."""
    return list(session.scalars(select(Job).where(Job.state.in_(ACTIVE_JOB_STATES))))


def cancel_requests(session: Session, *, job_ids: Sequence[int]) -> set[int]:
    """The jobs among `job_ids` whose cancellation was asked."""
    if not job_ids:
        return set()
    return set(
        session.scalars(
            select(Job.id).where(Job.id.in_(job_ids), Job.cancel_requested)
        )
    )


def touch_jobs(session: Session, *, job_ids: Sequence[int], now: dt.datetime) -> None:
    if job_ids:
        session.execute(
            update(Job)
            .where(Job.id.in_(job_ids), Job.state.in_(ACTIVE_JOB_STATES))
            .values(heartbeat_at=now)
            .execution_options(synchronize_session=False)
        )


# --------------------------------------------------------------------- schedules


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
    return _page(session, query, offset=offset, limit=limit)


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


# ------------------------------------------------------------------------ helpers


def _page(
    session: Session, query: Select[Any], *, offset: int, limit: int | None
) -> tuple[list[RowT], int]:
    count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    if limit is not None:
        query = query.offset(offset).limit(limit)
    elif offset:
        query = query.offset(offset)
    return list(session.scalars(query)), int(count or 0)


def _chunks(items: list[ItemT], size: int) -> Iterable[list[ItemT]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
