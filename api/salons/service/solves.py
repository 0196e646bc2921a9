"""Solves: start one (within the organiser's quotas, one at a time per salon, handed to the
runner), follow it, list, cancel; a job as the API shows it, its errors in the reader's language."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from api.auth import CurrentOrganiser
from api.deps import Page
from api.errors import DomainError, translate
from api.i18n import DEFAULT_LANGUAGE, gettext
from api.organisers import storage as organiser_storage
from api.queue import storage as queue_storage
from api.salons import convert, rules, storage
from api.salons import quotas as quota_rules
from api.salons.quotas import SolveQuotas
from api.salons.schemas import ClashRead, JobError, SolveCreate, SolveRead
from api.salons.service.access import found, organiser_salon, page_bounds
from api.salons.service.checks import check_document
from api.salons.tables import SolveJob, SolveJobClash
from api.timestamps import from_storage, maybe_from_storage, utc_now


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
        queue_position=queue_storage.queue_position(session, job=job),
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


def active_solve(
    session: Session,
    *,
    organiser: CurrentOrganiser,
    salon_id: int,
    language: str = DEFAULT_LANGUAGE,
) -> SolveRead | None:
    """The salon's queued or running solve, if any."""
    salon = organiser_salon(session, organiser=organiser, salon_id=salon_id)
    job = storage.active_job(session, salon_id=salon.id)
    return None if job is None else solve_read(session, job=job, language=language)


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
