"""The organiser's solve pages under `/o`: start a solve, follow its live progress, cancel it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError

from api.db import SessionDep
from api.deps import JobId, SalonId, SettingsDep
from api.pages.organiser.shared import (
    OBJECTIVE_LABELS,
    STATE_LABELS,
    SignedDep,
    labels_in,
    max_time_limit,
)
from api.pages.web import PageError, PageRoute, page, request_language
from api.salons import service as salons
from api.salons.quotas import SolveQuotas
from api.salons.schemas import MAX_TIME_LIMIT, SolveCreate
from api.settings import Settings
from api.web import FormDep, check_csrf, first, redirect
from scheduler.progress import PHASE_LABELS

router = APIRouter(prefix="/o", route_class=PageRoute, include_in_schema=False)


# ------------------------------------------------------------------ solves


@router.post("/salons/{salon_id}/solve")
def solve(
    salon_id: SalonId,
    request: Request,
    session: SessionDep,
    signed: SignedDep,
    settings: SettingsDep,
    form: FormDep,
) -> Response:
    """Start a solve from the dashboard's or the solve page's form, within the organiser's
    quotas (a refusal shows the API's message: the limit, or how many solves are running)."""
    check_csrf(form, signed.secret)
    job = salons.start_solve(
        session,
        organiser=signed.organiser,
        salon_id=salon_id,
        data=solve_request(first(form, "time_limit").strip(), settings),
        default_time_limit=settings.solve_time_limit,
        default_workers=settings.solve_workers,
        submit=request.app.state.runner.submit,
        quotas=SolveQuotas.of(settings),
    )
    return redirect(f"/o/salons/{salon_id}/solves/{job.id}")


def solve_request(seconds: str, settings: Settings) -> SolveCreate:
    """The solve asked by the form: its time limit in seconds, if given."""
    try:
        time_limit = float(seconds) if seconds else None
        if time_limit is not None and time_limit > settings.solve_max_time_limit:
            return SolveCreate.model_construct(time_limit=time_limit)  # refused by the quota
        return SolveCreate(time_limit=time_limit)
    except (ValueError, ValidationError) as exc:
        raise PageError(
            "Durée invalide : un nombre de secondes, %(max)s au plus.",
            status=422,
            max=f"{min(settings.solve_max_time_limit, MAX_TIME_LIMIT):g}",
        ) from exc


@router.get("/salons/{salon_id}/solves/{job_id}", response_class=HTMLResponse)
def solve_page(
    salon_id: SalonId, job_id: JobId, request: Request, session: SessionDep, signed: SignedDep
) -> HTMLResponse:
    job = salons.get_solve(
        session,
        organiser=signed.organiser,
        salon_id=salon_id,
        job_id=job_id,
        language=request_language(request),
    )
    read = salons.get_salon(session, organiser=signed.organiser, salon_id=salon_id)
    return page(
        request,
        "organiser_solve.html",
        title=read.name,
        signed=signed,
        salon=read,
        job=job,
        running=job.state in ("queued", "running"),
        states=labels_in(request_language(request), STATE_LABELS),
        phases=labels_in(request_language(request), PHASE_LABELS),
        objective_labels=labels_in(request_language(request), OBJECTIVE_LABELS),
        max_time_limit=max_time_limit(request),
    )


@router.get("/salons/{salon_id}/solves/{job_id}/progress")
def solve_progress(
    salon_id: SalonId, job_id: JobId, session: SessionDep, signed: SignedDep
) -> JSONResponse:
    job = salons.get_solve(session, organiser=signed.organiser, salon_id=salon_id, job_id=job_id)
    return JSONResponse(job.model_dump(mode="json", by_alias=True))


@router.post("/salons/{salon_id}/solves/{job_id}/cancel")
def cancel(
    salon_id: SalonId,
    job_id: JobId,
    request: Request,
    session: SessionDep,
    signed: SignedDep,
    form: FormDep,
) -> Response:
    check_csrf(form, signed.secret)
    job = salons.cancel_solve(session, organiser=signed.organiser, salon_id=salon_id, job_id=job_id)
    request.app.state.runner.request_stop(job.id)
    return redirect(f"/o/salons/{salon_id}/solves/{job_id}")
