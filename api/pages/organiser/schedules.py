"""The organiser's schedule pages under `/o`: a schedule's objectives and meetings, its
publication, its documents (meetings CSV/XLSX, agendas) and batch prints (print jobs of the
shared job runner: api.pages.prints)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from api.db import SessionDep
from api.deps import MAX_OFFSET, JobId, SalonId, SettingsDep, Version
from api.documents import SalonDocuments, agenda_html, meetings_csv, meetings_xlsx, side_of
from api.i18n import gettext
from api.pages import prints, service
from api.pages.organiser.shared import (
    OBJECTIVE_LABELS,
    STATE_LABELS,
    Signed,
    SignedDep,
    labels_in,
    salon_row,
)
from api.pages.web import PageError, PageRoute, page, request_language
from api.report.charts import spread_chart
from api.report.documents import side_names
from api.report.unscheduled import unscheduled_page
from api.salons import service as salons
from api.salons.printed_links import printed_links
from api.settings import Settings
from api.web import FormDep, check_csrf, first, redirect

router = APIRouter(prefix="/o", route_class=PageRoute, include_in_schema=False)


# --------------------------------------------------------------- schedules


def meetings_spread(
    participants: list[Any], meetings: list[Any]
) -> dict[str, list[tuple[int, int]]]:
    """Per side, (number of meetings, participants holding that many), fewest first."""
    held: Counter[str] = Counter()
    for meeting in meetings:
        held[meeting.from_] += 1
        held[meeting.to] += 1
    spread: dict[str, Counter[int]] = {"director": Counter(), "industrial": Counter()}
    for participant in participants:
        spread[side_of(participant)][held[participant.id]] += 1
    return {side: sorted(counts.items()) for side, counts in spread.items() if counts}


SearchText = Annotated[str, Query(max_length=200)]


@router.get("/salons/{salon_id}/schedules/{version}", response_class=HTMLResponse)
def schedule_page(
    salon_id: SalonId,
    version: Version,
    request: Request,
    session: SessionDep,
    signed: SignedDep,
    q: SearchText = "",
    reason: SearchText = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=MAX_OFFSET)] = 1,
) -> HTMLResponse:
    """A schedule's objectives, spread of meetings (a chart), documents and its unscheduled
    wishes (filtered by `q` and `reason`, paged by `page`)."""
    language = request_language(request)
    read = salons.get_salon(session, organiser=signed.organiser, salon_id=salon_id)
    schedule = salons.get_schedule(
        session, organiser=signed.organiser, salon_id=salon_id, version=version
    )
    document = salons.export_salon(session, organiser=signed.organiser, salon_id=salon_id)
    names = {p.id: p for p in document.participants}
    labels = service.side_labels(session, salon_id=salon_id)
    spread = meetings_spread(document.participants, schedule.meetings)
    return page(
        request,
        "organiser_schedule.html",
        title=read.name,
        signed=signed,
        salon=read,
        schedule=schedule,
        names=names,
        participants=document.participants,
        labels=labels,
        objective_labels=labels_in(language, OBJECTIVE_LABELS),
        spread=spread,
        spread_chart=spread_chart(spread, side_names(language, labels), language),
        unscheduled=unscheduled_page(
            schedule.unscheduled, names, language, q=q, reason=reason, page=page_number
        ),
    )


@router.post("/salons/{salon_id}/schedules/{version}/publish")
def publish(
    salon_id: SalonId, version: Version, session: SessionDep, signed: SignedDep, form: FormDep
) -> Response:
    check_csrf(form, signed.secret)
    salons.publish_schedule(session, organiser=signed.organiser, salon_id=salon_id, version=version)
    return redirect(f"/o/salons/{salon_id}/schedules/{version}", done="published")


def organiser_documents(
    session: Session,
    signed: Signed,
    salon_id: int,
    version: int,
    language: str,
    settings: Settings | None = None,
    codes: Collection[str] | None = None,
) -> SalonDocuments:
    """A schedule version's documents; with `settings`, agendas carry their printed links
    (those of `codes` only, when given)."""
    row = salon_row(session, signed, salon_id)
    schedule = salons.salon_schedule(
        session, organiser=signed.organiser, salon_id=salon_id, version=version
    )
    links = (
        None
        if settings is None
        else printed_links(session, salon=row, settings=settings, codes=codes)
    )
    return service.schedule_documents(
        session, salon=row, schedule=schedule, language=language, links=links
    )


@router.get("/salons/{salon_id}/schedules/{version}/meetings.{fmt}")
def meetings(
    salon_id: SalonId,
    version: Version,
    fmt: str,
    request: Request,
    session: SessionDep,
    signed: SignedDep,
) -> Response:
    docs = organiser_documents(session, signed, salon_id, version, request_language(request))
    name = f"rendez-vous-v{version}.{fmt}"
    if fmt == "csv":
        return Response(
            meetings_csv(docs),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    if fmt == "xlsx":
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(
            meetings_xlsx(docs),
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    raise PageError("Format inconnu.", status=404)


@router.get("/salons/{salon_id}/schedules/{version}/agendas/{code}", response_class=HTMLResponse)
def one_agenda(
    salon_id: SalonId,
    version: Version,
    code: str,
    request: Request,
    session: SessionDep,
    signed: SignedDep,
    settings: SettingsDep,
) -> HTMLResponse:
    language = request_language(request)
    docs = organiser_documents(session, signed, salon_id, version, language, settings, [code])
    if code not in docs.participants:
        raise PageError("Participant introuvable.", status=404)
    return HTMLResponse(agenda_html(docs, code))


@router.post("/salons/{salon_id}/schedules/{version}/prints")
def start_print(
    salon_id: SalonId,
    version: Version,
    request: Request,
    session: SessionDep,
    signed: SignedDep,
    settings: SettingsDep,
    form: FormDep,
) -> Response:
    """Queue a batch PDF (a print job of the shared runner) and show its progress."""
    check_csrf(form, signed.secret)
    job = prints.start_print(
        session,
        organiser=signed.organiser,
        salon_id=salon_id,
        version=version,
        document=first(form, "kind"),
        language=request_language(request),
        settings=settings,
        submit=request.app.state.runner.submit,
    )
    return redirect(f"/o/prints/{job.id}")


@router.get("/prints/{job_id}", response_class=HTMLResponse)
def print_page(
    job_id: JobId, request: Request, session: SessionDep, signed: SignedDep
) -> HTMLResponse:
    language = request_language(request)
    job = prints.organiser_print(session, organiser=signed.organiser, job_id=job_id)
    shown = prints.print_view(job, language)
    return page(
        request,
        "organiser_print.html",
        title=gettext(language, "Impression"),
        signed=signed,
        job=shown,
        error=shown.error,
        running=shown.state in ("queued", "running"),
        states=labels_in(language, STATE_LABELS),
        phases={},
    )


@router.get("/prints/{job_id}/progress")
def print_progress(
    job_id: JobId, request: Request, session: SessionDep, signed: SignedDep
) -> JSONResponse:
    job = prints.organiser_print(session, organiser=signed.organiser, job_id=job_id)
    return JSONResponse(asdict(prints.print_view(job, request_language(request))))


@router.post("/prints/{job_id}/cancel")
def cancel_print(
    job_id: JobId, request: Request, session: SessionDep, signed: SignedDep, form: FormDep
) -> Response:
    check_csrf(form, signed.secret)
    job = prints.cancel_print(session, organiser=signed.organiser, job_id=job_id)
    request.app.state.runner.request_stop(job.id)
    return redirect(f"/o/prints/{job.id}")


@router.get("/prints/{job_id}/file")
def print_file(job_id: JobId, session: SessionDep, signed: SignedDep) -> Response:
    job = prints.organiser_print(session, organiser=signed.organiser, job_id=job_id)
    return FileResponse(
        prints.result_file(job), media_type="application/pdf", filename=job.filename
    )
