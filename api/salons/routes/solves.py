"""The salon JSON API, organiser side: solve jobs (start, follow, cancel) and the schedules
they make (read, export, publish)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from api.db import SessionDep
from api.deps import (
    DEFAULT_LIMIT,
    JobId,
    LanguageDep,
    Limit,
    Offset,
    OrganiserDep,
    Page,
    SalonId,
    SettingsDep,
    Version,
)
from api.errors import error_responses
from api.salons import service
from api.salons.quotas import SolveQuotas
from api.salons.routes.routing import AUTH, ORGANISER, WRITE, RunnerDep, StrictQueryRoute
from api.salons.schemas import ScheduleRead, ScheduleSummary, SolveCreate, SolveRead
from scheduler import format as v1

router = APIRouter(route_class=StrictQueryRoute)


# -------------------------------------------------------------------- solves


@router.post(
    "/salons/{salon_id:int}/solves",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SolveRead,
    tags=ORGANISER,
    responses=error_responses(401, 404, 409, 422, 429),
)
def start_solve(
    salon_id: SalonId,
    data: SolveCreate,
    session: SessionDep,
    organiser: OrganiserDep,
    settings: SettingsDep,
    runner: RunnerDep,
    request: Request,
    response: Response,
    language: LanguageDep,
) -> SolveRead:
    """Start a solve in the background (one at a time per salon, within the organiser's quotas:
    time limit, workers, solves at once); poll the job's URL."""
    job = service.start_solve(
        session,
        organiser=organiser,
        salon_id=salon_id,
        data=data,
        default_time_limit=settings.solve_time_limit,
        default_workers=settings.solve_workers,
        submit=runner.submit,
        language=language,
        quotas=SolveQuotas.of(settings),
    )
    response.headers["Location"] = str(
        request.url_for("read_solve", salon_id=salon_id, job_id=job.id)
    )
    return job


@router.get(
    "/salons/{salon_id:int}/solves", response_model=Page[SolveRead], tags=ORGANISER, responses=AUTH
)
def list_solves(
    salon_id: SalonId,
    session: SessionDep,
    organiser: OrganiserDep,
    language: LanguageDep,
    offset: Offset = 0,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[SolveRead]:
    return service.list_solves(
        session,
        organiser=organiser,
        salon_id=salon_id,
        offset=offset,
        limit=limit,
        language=language,
    )


@router.get(
    "/salons/{salon_id:int}/solves/{job_id:int}",
    response_model=SolveRead,
    tags=ORGANISER,
    responses=AUTH,
)
def read_solve(
    salon_id: SalonId,
    job_id: JobId,
    session: SessionDep,
    organiser: OrganiserDep,
    language: LanguageDep,
) -> SolveRead:
    """State, live progress (phase, best values, bounds, elapsed) and result of a solve."""
    return service.get_solve(
        session, organiser=organiser, salon_id=salon_id, job_id=job_id, language=language
    )


@router.delete(
    "/salons/{salon_id:int}/solves/{job_id:int}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SolveRead,
    tags=ORGANISER,
    responses=WRITE,
)
def cancel_solve(
    salon_id: SalonId,
    job_id: JobId,
    session: SessionDep,
    organiser: OrganiserDep,
    runner: RunnerDep,
    language: LanguageDep,
) -> SolveRead:
    """Cancel a solve: a queued one at once, a running one within seconds."""
    job = service.cancel_solve(
        session, organiser=organiser, salon_id=salon_id, job_id=job_id, language=language
    )
    runner.request_stop(job.id)
    return job


# ----------------------------------------------------------------- schedules


@router.get(
    "/salons/{salon_id:int}/schedules",
    response_model=Page[ScheduleSummary],
    tags=ORGANISER,
    responses=AUTH,
)
def list_schedules(
    salon_id: SalonId,
    session: SessionDep,
    organiser: OrganiserDep,
    offset: Offset = 0,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[ScheduleSummary]:
    """Every schedule version, newest first (preliminary and published)."""
    return service.list_schedules(
        session, organiser=organiser, salon_id=salon_id, offset=offset, limit=limit
    )


@router.get(
    "/salons/{salon_id:int}/schedules/{version:int}",
    response_model=ScheduleRead,
    tags=ORGANISER,
    responses=AUTH,
)
def read_schedule(
    salon_id: SalonId, version: Version, session: SessionDep, organiser: OrganiserDep
) -> ScheduleRead:
    return service.get_schedule(session, organiser=organiser, salon_id=salon_id, version=version)


@router.get(
    "/salons/{salon_id:int}/schedules/{version:int}/export",
    response_model=v1.Schedule,
    tags=ORGANISER,
    responses=AUTH,
    response_model_exclude_none=True,
)
def export_schedule(
    salon_id: SalonId, version: Version, session: SessionDep, organiser: OrganiserDep
) -> v1.Schedule:
    """The version as a schedule/v1 file (for `salon check`)."""
    return service.export_schedule(session, organiser=organiser, salon_id=salon_id, version=version)


@router.post(
    "/salons/{salon_id:int}/schedules/{version:int}/publish",
    response_model=ScheduleSummary,
    tags=ORGANISER,
    responses=AUTH,
)
def publish_schedule(
    salon_id: SalonId, version: Version, session: SessionDep, organiser: OrganiserDep
) -> ScheduleSummary:
    """Make this version the one participants see (earlier ones stay readable here)."""
    return service.publish_schedule(
        session, organiser=organiser, salon_id=salon_id, version=version
    )
