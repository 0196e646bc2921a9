"""The salon domain, organiser side: one module per aggregate.

Every use case takes a session and keyword arguments, checks access (a salon of another
organiser is "not found"), applies the rules, commits, and returns API read models, so that the
JSON routes and the HTML pages share it. The participant side is in api.salons.self_service.

- `access`: the organiser's salon or 404, a row or 404, a page's bounds (shared by all);
- `checks`: a salon/v1 document against its rules and the service's sizes (422);
- `salons`: salons, their settings, tables and wish window;
- `participants`: participants and their import;
- `links`: participants' personal links;
- `wishes`: wishes, organiser side;
- `solves`: solve jobs;
- `schedules`: schedule versions and their publication.

This file only re-exports the use cases (and the ownership checks other packages use), so that
callers write `service.create_salon(...)`: code goes in the module of its aggregate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from api.auth import CurrentOrganiser
from api.deps import Page
from api.errors import DomainError, translate
from api.i18n import DEFAULT_LANGUAGE, gettext
from api.organisers import storage as organiser_storage
from api.salons import convert, rules, storage
from api.salons import quotas as quota_rules
from api.salons.quotas import SolveQuotas
from api.salons.schemas import (
    ClashRead,
    JobError,
    MeetingRead,
    ObjectiveRead,
    ScheduleRead,
    ScheduleSummary,
    SolveCreate,
    SolveRead,
    UnscheduledRead,
)
from api.salons.service.access import found, organiser_salon, page_bounds
from api.salons.service.checks import check_document
from api.salons.service.links import create_link, issue_link, list_links, revoke_link
from api.salons.service.participants import (
    create_participant,
    delete_participant,
    get_participant,
    import_participants,
    list_participants,
    update_participant,
)
from api.salons.service.salons import (
    create_salon,
    delete_salon,
    export_salon,
    get_salon,
    import_salon,
    list_salons,
    set_wish_window,
    update_salon,
)
from api.salons.service.wishes import create_wish, delete_wish, get_wish, list_wishes, update_wish
from api.salons.tables import Schedule, SolveJob, SolveJobClash
from api.timestamps import from_storage, maybe_from_storage, utc_now
from scheduler import format as v1
from scheduler.explain import explain_unscheduled
from scheduler.problem import build_problem

__all__ = [
    "cancel_solve",
    "create_link",
    "create_participant",
    "create_salon",
    "create_wish",
    "delete_participant",
    "delete_salon",
    "delete_wish",
    "export_salon",
    "export_schedule",
    "get_participant",
    "get_salon",
    "get_schedule",
    "get_solve",
    "get_wish",
    "import_participants",
    "import_salon",
    "issue_link",
    "list_links",
    "list_participants",
    "list_salons",
    "list_schedules",
    "list_solves",
    "list_wishes",
    "organiser_salon",
    "publish_schedule",
    "revoke_link",
    "salon_schedule",
    "set_wish_window",
    "start_solve",
    "update_participant",
    "update_salon",
    "update_wish",
]


def job_elapsed(job: SolveJob) -> float:
    """Seconds since the job started (until it ended): live while it runs."""
    if job.started_at is None:
        return 0.0
    end = job.finished_at or utc_now()
    return round(max(0.0, (end - job.started_at).total_seconds()), 3)


def clash_text(clash: SolveJobClash, language: str) -> str:
    """A clashing requirement in `language`: French first, else the core's English sentence."""
    return clash.message if language == "en" or not clash.message_fr else clash.message_fr


def job_error_text(message: str, language: str) -> str:
    """A job's stored French error in `language`; a technical detail after " : " stays as is."""
    translated = gettext(language, message)
    head, separator, detail = message.partition(" : ")
    if translated != message or not separator:
        return translated
    return translate(language, head + " : {detail}", {"detail": detail})


def solve_read(session: Session, *, job: SolveJob, language: str = DEFAULT_LANGUAGE) -> SolveRead:
    """A job as the API shows it, its error and clashing requirements in `language`."""
    objectives = storage.job_objectives(session, job_ids=[job.id])[job.id]
    error = None
    if job.error_code is not None:
        clashes = storage.job_clashes(session, job_id=job.id)
        error = JobError(
            code=job.error_code,
            message=job_error_text(job.error_message or "", language),
            clashes=[ClashRead(rule=c.rule, message=clash_text(c, language)) for c in clashes],
        )
    schedule = storage.schedule_of_job(session, job_id=job.id)
    return SolveRead(
        id=job.id,
        salon_id=job.salon_id,
        state=job.state,  # type: ignore[arg-type]
        cancel_requested=job.cancel_requested,
        phase=job.phase,
        elapsed=job_elapsed(job),
        message=job.message,
        values={o.name: o.value for o in objectives if o.value is not None},
        bounds={o.name: o.bound for o in objectives if o.bound is not None},
        time_limit=job.time_limit,
        workers=job.workers,
        seed=job.seed,
        participant_count=job.participant_count,
        wish_count=job.wish_count,
        error=error,
        schedule_version=None if schedule is None else schedule.version,
        created_at=from_storage(job.created_at),
        started_at=maybe_from_storage(job.started_at),
        finished_at=maybe_from_storage(job.finished_at),
    )


def start_solve(
    session: Session,
    *,
    organiser: CurrentOrganiser,
    salon_id: int,
    data: SolveCreate,
    default_time_limit: float,
    default_workers: int,
    submit: Callable[[int], None],
    language: str = DEFAULT_LANGUAGE,
    quotas: SolveQuotas | None = None,
) -> SolveRead:
    """Queue a solve of the salon and hand it to the runner (`submit(job_id)`), within the
    organiser's `quotas` (the API and the pages pass them; None, the command line's own solves
    such as `salon demo`, has none)."""
    salon = organiser_salon(session, organiser=organiser, salon_id=salon_id)
    if quotas is not None:
        quota_rules.solve_request_within_quotas(data, quotas)
    rules.one_solve_at_a_time(storage.active_job(session, salon_id=salon.id))
    check_document(convert.salon_document(session, salon=salon))
    if quotas is not None:  # counted under the organiser's lock until the commit: no race
        organiser_storage.lock_organiser(session, organiser_id=organiser.id)
        active = organiser_storage.count_active_solves(session, organiser_id=organiser.id)
        try:
            quota_rules.active_solves_within_quota(active, quotas)
        except DomainError:
            session.rollback()  # releases the lock at once
            raise
    now = utc_now()
    job = storage.insert_job(
        session,
        job=SolveJob(
            salon_id=salon.id,
            state="queued",
            cancel_requested=False,
            time_limit=data.time_limit or default_time_limit,
            workers=data.workers or default_workers,
            seed=data.seed,
            phase="",
            elapsed=0.0,
            message="",
            created_at=now,
            heartbeat_at=now,
        ),
    )
    session.commit()
    submit(job.id)
    return solve_read(session, job=job, language=language)


def salon_job(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, job_id: int
) -> SolveJob:
    salon = organiser_salon(session, organiser=organiser, salon_id=salon_id)
    return found(storage.find_job(session, job_id=job_id, salon_id=salon.id), "Calcul introuvable.")


def get_solve(
    session: Session,
    *,
    organiser: CurrentOrganiser,
    salon_id: int,
    job_id: int,
    language: str = DEFAULT_LANGUAGE,
) -> SolveRead:
    job = salon_job(session, organiser=organiser, salon_id=salon_id, job_id=job_id)
    return solve_read(session, job=job, language=language)


def list_solves(
    session: Session,
    *,
    organiser: CurrentOrganiser,
    salon_id: int,
    offset: int,
    limit: int,
    language: str = DEFAULT_LANGUAGE,
) -> Page[SolveRead]:
    salon = organiser_salon(session, organiser=organiser, salon_id=salon_id)
    offset, limit = page_bounds(offset, limit)
    rows, count = storage.list_jobs(session, salon_id=salon.id, offset=offset, limit=limit)
    return Page(data=[solve_read(session, job=j, language=language) for j in rows], count=count)


def cancel_solve(
    session: Session,
    *,
    organiser: CurrentOrganiser,
    salon_id: int,
    job_id: int,
    language: str = DEFAULT_LANGUAGE,
) -> SolveRead:
    """Cancel a queued solve at once; ask a running one to stop (its runner ends it)."""
    job = salon_job(session, organiser=organiser, salon_id=salon_id, job_id=job_id)
    rules.job_not_finished(job)
    storage.cancel_job(session, job_id=job.id, now=utc_now())
    session.commit()
    session.refresh(job)
    return solve_read(session, job=job, language=language)


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
