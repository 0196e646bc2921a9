"""Schedules: the versions a solve made, each with its meetings and unscheduled wishes (the wishes
made since included, with their reason), export, and publication to participants."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from api.auth import CurrentOrganiser
from api.deps import Page
from api.salons import convert, storage
from api.salons.schemas import (
    MeetingRead,
    ObjectiveRead,
    ScheduleRead,
    ScheduleSummary,
    UnscheduledRead,
)
from api.salons.service.access import found, organiser_salon, page_bounds
from api.salons.tables import Schedule
from api.timestamps import from_storage, maybe_from_storage, utc_now
from scheduler import format as v1
from scheduler.explain import explain_unscheduled
from scheduler.problem import build_problem


def schedule_summaries(
    session: Session, *, salon_id: int, rows: Sequence[Schedule]
) -> list[ScheduleSummary]:
    ids = [s.id for s in rows]
    objectives = storage.schedule_objectives(session, schedule_ids=ids)
    counts = storage.schedule_counts(session, schedule_ids=ids)
    current = storage.current_published(session, salon_id=salon_id)
    return [
        ScheduleSummary(
            version=s.version,
            state="published" if s.published_at is not None else "preliminary",
            current=current is not None and current.id == s.id,
            status="optimal" if s.status == "optimal" else "feasible",
            job_id=s.job_id,
            objectives=[
                ObjectiveRead(name=o.name, value=o.value, bound=o.bound) for o in objectives[s.id]
            ],
            meeting_count=counts[s.id][0],
            unscheduled_count=counts[s.id][1],
            created_at=from_storage(s.created_at),
            published_at=maybe_from_storage(s.published_at),
        )
        for s in rows
    ]


def list_schedules(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, offset: int, limit: int
) -> Page[ScheduleSummary]:
    salon = organiser_salon(session, organiser=organiser, salon_id=salon_id)
    offset, limit = page_bounds(offset, limit)
    rows, count = storage.list_schedules(session, salon_id=salon.id, offset=offset, limit=limit)
    return Page(data=schedule_summaries(session, salon_id=salon.id, rows=rows), count=count)


def salon_schedule(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, version: int
) -> Schedule:
    salon = organiser_salon(session, organiser=organiser, salon_id=salon_id)
    return found(
        storage.find_schedule(session, salon_id=salon.id, version=version), "Planning introuvable."
    )


def late_unscheduled(salon: v1.Salon, schedule: v1.Schedule) -> list[v1.UnscheduledWish]:
    """The wishes made after `schedule` was computed (in `salon`, not in the schedule), with
    their reason from the core's explanation (`wish_window_closed` unless declined)."""
    met = {frozenset((m.from_, m.to)) for m in schedule.meetings}
    listed = {(u.from_, u.to) for u in schedule.unscheduled}
    late = [
        index
        for index, wish in enumerate(salon.wishes)
        if (wish.from_, wish.to) not in listed and frozenset((wish.from_, wish.to)) not in met
    ]
    if not late:
        return []
    problem = build_problem(salon)
    slot_at = {slot.start: slot.index for slot in problem.slots}
    placement = {}
    for meeting in schedule.meetings:
        pair = problem.pair_of(meeting.from_, meeting.to)
        if pair is not None and meeting.start in slot_at:
            placement[pair.index] = slot_at[meeting.start]
    late_wishes = {(salon.wishes[i].from_, salon.wishes[i].to) for i in late}
    return [
        entry
        for entry in explain_unscheduled(problem, placement, late=late)
        if (entry.from_, entry.to) in late_wishes
    ]


def get_schedule(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, version: int
) -> ScheduleRead:
    """A version with its meetings and unscheduled wishes, the wishes made since included."""
    schedule = salon_schedule(session, organiser=organiser, salon_id=salon_id, version=version)
    salon = organiser_salon(session, organiser=organiser, salon_id=salon_id)
    [summary] = schedule_summaries(session, salon_id=salon.id, rows=[schedule])
    document = convert.schedule_document(session, schedule=schedule)
    current = convert.salon_document(session, salon=salon)
    unscheduled = document.unscheduled + late_unscheduled(current, document)
    return ScheduleRead(
        **summary.model_dump(exclude={"unscheduled_count"}),
        unscheduled_count=len(unscheduled),
        meetings=[MeetingRead.model_validate(m.model_dump()) for m in document.meetings],
        unscheduled=[UnscheduledRead.model_validate(u.model_dump()) for u in unscheduled],
        stats=document.stats,
    )


def export_schedule(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, version: int
) -> v1.Schedule:
    schedule = salon_schedule(session, organiser=organiser, salon_id=salon_id, version=version)
    return convert.schedule_document(session, schedule=schedule)


def publish_schedule(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, version: int
) -> ScheduleSummary:
    """Make a version the one participants see; earlier published versions stay readable."""
    schedule = salon_schedule(session, organiser=organiser, salon_id=salon_id, version=version)
    current = storage.current_published(session, salon_id=schedule.salon_id)
    if current is None or current.id != schedule.id:
        schedule.published_at = utc_now()
        session.commit()
    [summary] = schedule_summaries(session, salon_id=schedule.salon_id, rows=[schedule])
    return summary
