"""The organiser's pages under `/o` (sign-in with an API key opens a session: see
api.organisers.sessions; the HttpOnly cookie carries the session's random id, never the key).

Salons and import; a salon's dashboard (counts, requests per director with the over-requested
ones highlighted, relaxation bounds on demand, side labels, wish window); solve with live
progress (a refreshing page without JavaScript, polling with it); a schedule's objectives and
bounds, unscheduled wishes with their reasons, publication and every document to download (the
batch PDFs are print jobs of the shared job runner: api.pages.prints).
Domain work goes through api.salons.service; forms carry a token bound to the session (CSRF).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from api import rate_limits
from api.auth import CurrentOrganiser
from api.db import SessionDep
from api.deps import JobId, SalonId, SettingsDep, Version
from api.documents import SalonDocuments, agenda_html, meetings_csv, meetings_xlsx, side_of
from api.errors import DomainError
from api.i18n import gettext
from api.organisers import sessions
from api.pages import invitations, prints, service
from api.pages.web import (
    PageError,
    PageRoute,
    error_page,
    page,
    request_language,
)
from api.salons import convert, importers
from api.salons import service as salons
from api.salons.printed_links import printed_links
from api.salons.quotas import SolveQuotas
from api.salons.schemas import MAX_TIME_LIMIT, SalonUpdate, SolveCreate
from api.settings import Settings
from api.web import (
    FormDep,
    SignInRequiredError,
    check_csrf,
    clear_sign_in_cookie,
    csrf_token,
    first,
    redirect,
    set_sign_in_cookie,
)
from scheduler.errors import FileFormatError
from scheduler.loading import load_salon
from scheduler.stats import salon_statistics

router = APIRouter(
    prefix="/o", route_class=PageRoute, include_in_schema=False, lifespan=service.pages_lifespan
)  # at start-up: the printed links' secret is checked
ORGANISER_COOKIE = "salon_organiser"
MAX_UPLOAD = 20 * 1024 * 1024
STATE_LABELS = {
    "queued": "en attente",
    "running": "en cours",
    "done": "terminé",
    "failed": "échec",
    "cancelled": "annulé",
}
PHASE_LABELS = {
    "bounds": "bornes",
    "selection": "choix des rendez-vous",
    "timetable": "placement dans les créneaux",
    "exact": "modèle exact du salon entier",
    "repair": "réparation",
    "done": "terminé",
}
OBJECTIVE_LABELS = {
    "coverage": "Participants ayant au moins un rendez-vous",
    "fairness": "Équité de la répartition des rendez-vous",
    "score": "Score des souhaits satisfaits",
    "idle": "Créneaux d'attente entre deux rendez-vous",
    "breaks": "Interruptions (périodes d'attente)",
}


def _labels_in(language: str, labels: dict[str, str]) -> dict[str, str]:
    return {key: gettext(language, text) for key, text in labels.items()}


BOUNDS_SECONDS = 5.0


class Signed:
    """The signed-in organiser, its session's id (`secret`, which the forms' CSRF token is
    bound to: `check_csrf(form, signed.secret)`) and that token."""

    def __init__(self, organiser: CurrentOrganiser, secret: str) -> None:
        self.organiser = organiser
        self.csrf = csrf_token(secret)
        self.secret = secret


def signed_in(request: Request, session: SessionDep, settings: SettingsDep) -> Signed:
    token = request.cookies.get(ORGANISER_COOKIE)
    organiser = (
        sessions.session_organiser(
            session, token=token, idle_seconds=settings.organiser_session_idle_seconds
        )
        if token
        else None
    )
    if organiser is None or token is None:
        raise SignInRequiredError("/o/login")
    return Signed(organiser, token)


SignedDep = Annotated[Signed, Depends(signed_in)]


# ----------------------------------------------------------------- sign-in


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/o") -> HTMLResponse:  # noqa: A002
    language = request_language(request)
    return page(
        request,
        "organiser_login.html",
        title=gettext(language, "Connexion"),
        next=_safe_next(next),
        error=None,
    )


def _safe_next(target: str) -> str:
    return target if target.startswith("/o") and "//" not in target else "/o"


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, session: SessionDep, settings: SettingsDep, form: FormDep) -> Response:
    language = request_language(request)
    key = first(form, "api_key").strip()
    target = _safe_next(first(form, "next", "/o"))
    try:
        rate_limits.check_sign_in(request)  # too many failures from this address: 429
    except rate_limits.RateLimitedError as refused:
        answer = page(
            request,
            "organiser_login.html",
            status=429,
            title=gettext(language, "Connexion"),
            next=target,
            error=refused.render(language),
        )
        return rate_limits.retry_later(answer, refused)
    lifetime = settings.organiser_session_max_seconds
    opened = sessions.open_session(session, key=key, lifetime_seconds=lifetime) if key else None
    if opened is None:
        rate_limits.count_failed_sign_in(request, session)
        return page(
            request,
            "organiser_login.html",
            status=401,
            title=gettext(language, "Connexion"),
            next=target,
            error=gettext(language, "Clé d'API inconnue ou révoquée."),
        )
    response = redirect(target)
    set_sign_in_cookie(
        response, request, ORGANISER_COOKIE, opened.token, path="/o", max_age=lifetime
    )
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, signed: SignedDep, form: FormDep) -> Response:
    """End the session: revoked in the database (the old cookie is refused), cookie deleted."""
    check_csrf(form, signed.secret)
    sessions.close_session(session, token=signed.secret)
    response = redirect("/o/login")
    clear_sign_in_cookie(response, request, ORGANISER_COOKIE, path="/o")
    return response


# ------------------------------------------------------------------ salons


@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
def salons_page(request: Request, session: SessionDep, signed: SignedDep) -> HTMLResponse:
    listed = salons.list_salons(session, organiser=signed.organiser, offset=0, limit=500)
    return page(
        request,
        "organiser_salons.html",
        title=gettext(request_language(request), "Vos salons"),
        signed=signed,
        salons=listed.data,
        problems=[],
    )


@router.post("/import", response_class=HTMLResponse)
async def import_page(request: Request, session: SessionDep, signed: SignedDep) -> Response:
    form = await request.form()
    check_csrf({"csrf": [str(form.get("csrf") or "")]}, signed.secret)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise PageError("Choisissez un fichier salon/v1 (JSON).", status=422)
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise PageError("Fichier trop gros (20 Mo au plus).", status=413)
    try:
        document = load_salon(data)
    except FileFormatError as error:
        listed = salons.list_salons(session, organiser=signed.organiser, offset=0, limit=500)
        return page(
            request,
            "organiser_salons.html",
            status=422,
            title=gettext(request_language(request), "Vos salons"),
            signed=signed,
            salons=listed.data,
            problems=[str(p) for p in error.problems],
        )
    created = salons.import_salon(session, organiser=signed.organiser, document=document)
    return redirect(f"/o/salons/{created.id}", done="imported")


def _salon(session: Session, signed: Signed, salon_id: int) -> Any:
    return salons.organiser_salon(session, organiser=signed.organiser, salon_id=salon_id)


@router.get("/salons/{salon_id}", response_class=HTMLResponse)
def dashboard_page(
    salon_id: SalonId,
    request: Request,
    session: SessionDep,
    signed: SignedDep,
    bounds: bool = False,
    sent: Annotated[int, Query(ge=0)] = 0,
    missing: Annotated[int, Query(ge=0)] = 0,
    failed: Annotated[int, Query(ge=0)] = 0,
    created: Annotated[int, Query(ge=0)] = 0,
    updated: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    return _dashboard(
        request,
        session,
        signed,
        salon_id,
        bounds=bounds,
        counts={
            "sent": sent,
            "missing": missing,
            "failed": failed,
            "created": created,
            "updated": updated,
        },
    )


def _dashboard(
    request: Request,
    session: Session,
    signed: Signed,
    salon_id: int,
    *,
    bounds: bool = False,
    counts: dict[str, int] | None = None,
    import_problems: list[str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The salon's dashboard; with `import_problems`, the participants file was refused."""
    row = _salon(session, signed, salon_id)
    read = salons.get_salon(session, organiser=signed.organiser, salon_id=salon_id)
    document = convert.salon_document(session, salon=row)
    figures = service.dashboard(document)
    stats = None
    if bounds:
        stats = salon_statistics(document, time_limit=BOUNDS_SECONDS, workers=1)
    solves = salons.list_solves(
        session, organiser=signed.organiser, salon_id=salon_id, offset=0, limit=5
    ).data
    schedules = salons.list_schedules(
        session, organiser=signed.organiser, salon_id=salon_id, offset=0, limit=20
    ).data
    return page(
        request,
        "organiser_dashboard.html",
        status=status,
        title=read.name,
        signed=signed,
        salon=read,
        figures=figures,
        stats=stats,
        solves=solves,
        schedules=schedules,
        labels=service.side_labels(session, salon_id=salon_id),
        active=salons.active_solve(session, organiser=signed.organiser, salon_id=salon_id),
        priority=priority_of(list(read.objectives)),
        counts=counts or {},
        import_problems=import_problems or [],
        published=service.current_schedule(session, salon_id=salon_id) is not None,
        max_time_limit=_max_time_limit(request),
    )


def _max_time_limit(request: Request) -> int:
    """The longest solve the forms offer: the organiser's quota, within the schema's bound."""
    settings: Settings = request.app.state.settings
    return int(min(settings.solve_max_time_limit, MAX_TIME_LIMIT))


@router.post("/salons/{salon_id}/participants", response_class=HTMLResponse)
async def import_participants(
    salon_id: SalonId, request: Request, session: SessionDep, signed: SignedDep
) -> Response:
    """Create or update participants from a CSV, XLSX or salon/v1 JSON file (all or nothing)."""
    form = await request.form()
    check_csrf({"csrf": [str(form.get("csrf") or "")]}, signed.secret)
    _salon(session, signed, salon_id)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise PageError("Choisissez un fichier de participants (CSV, XLSX ou JSON).", status=422)
    content = await upload.read(importers.MAX_BYTES + 1)
    try:
        fmt = importers.detect_format(upload.filename, upload.content_type, None)
        specs = importers.read_participants(content, fmt)
        done = salons.import_participants(
            session, organiser=signed.organiser, salon_id=salon_id, specs=specs
        )
    except DomainError as error:
        session.rollback()
        if error.status == 404:
            raise
        language = request_language(request)
        problems = [f"{p.field} : {p.render(language)}" for p in error.problems]
        return _dashboard(
            request,
            session,
            signed,
            salon_id,
            import_problems=problems or [error.render(language)],
            status=422,
        )
    return redirect(
        f"/o/salons/{salon_id}",
        done="participants",
        created=str(done.created),
        updated=str(done.updated),
    )


@router.post("/salons/{salon_id}/labels")
def save_labels(
    salon_id: SalonId, session: SessionDep, signed: SignedDep, form: FormDep
) -> Response:
    check_csrf(form, signed.secret)
    _salon(session, signed, salon_id)
    service.set_side_labels(
        session,
        salon_id=salon_id,
        director=first(form, "director"),
        industrial=first(form, "industrial"),
    )
    return redirect(f"/o/salons/{salon_id}", done="labels")


PRIORITIES = {
    "score": ["coverage", "score"],
    "fairness": ["coverage", "fairness", "score"],
}
"""The choice objectives of each priority the dashboard offers (time objectives stay)."""


def priority_of(objectives: list[str]) -> str:
    """The dashboard's name for a salon's choice objectives."""
    return "fairness" if "fairness" in objectives else "score"


@router.post("/salons/{salon_id}/priority")
def save_priority(
    salon_id: SalonId, session: SessionDep, signed: SignedDep, form: FormDep
) -> Response:
    """Share the slots out evenly first (fairness), or give the strongest wishes first."""
    check_csrf(form, signed.secret)
    choice = PRIORITIES.get(first(form, "priority"))
    if choice is None:
        raise PageError("Priorité inconnue.", status=422)
    read = salons.get_salon(session, organiser=signed.organiser, salon_id=salon_id)
    timing = [name for name in read.objectives if name in ("idle", "breaks")]
    salons.update_salon(
        session,
        organiser=signed.organiser,
        salon_id=salon_id,
        data=SalonUpdate(objectives=[*choice, *timing]),
    )
    return redirect(f"/o/salons/{salon_id}", done="priority")


MAIL_KINDS = ("invitation", "published")


@router.post("/salons/{salon_id}/mails")
def send_mails(
    salon_id: SalonId,
    request: Request,
    session: SessionDep,
    signed: SignedDep,
    settings: SettingsDep,
    form: FormDep,
) -> Response:
    """Mail each participant its personal link: to make wishes, or to read its agenda. Limited
    per client address (429 page with Retry-After) and per recipient (counted as not sent)."""
    check_csrf(form, signed.secret)
    kind = first(form, "kind")
    if kind not in MAIL_KINDS:
        raise PageError("Envoi inconnu.", status=422)
    row = _salon(session, signed, salon_id)
    if kind == "published" and service.current_schedule(session, salon_id=salon_id) is None:
        raise PageError("Aucun planning n'est publié : publiez-en un d'abord.", status=409)
    mail_kind: invitations.MailKind = "published" if kind == "published" else "invitation"
    try:
        rate_limits.limit_mail_route(request)
    except rate_limits.RateLimitedError as refused:
        shown = error_page(request, refused.render(request_language(request)), 429)
        return rate_limits.retry_later(shown, refused)
    report = invitations.send_links(
        session,
        salon=row,
        settings=settings,
        kind=mail_kind,
        allowed=rate_limits.recipient_check(request),
    )
    failed = len(report.failed) + len(report.limited)
    missing = len(report.without_address) + failed
    return redirect(
        f"/o/salons/{salon_id}",
        done="mailed",
        sent=str(report.sent),
        missing=str(missing),
        failed=str(failed),
    )


@router.get("/salons/{salon_id}/links.csv")
def links_file(
    salon_id: SalonId, session: SessionDep, signed: SignedDep, settings: SettingsDep
) -> Response:
    """Every participant's personal link, for a mail merge or a hand-out."""
    row = _salon(session, signed, salon_id)
    people = invitations.recipients(session, salon=row, settings=settings)
    return Response(
        invitations.links_csv(people),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="liens-personnels.csv"'},
    )


@router.post("/salons/{salon_id}/wish-window")
def wish_window(
    salon_id: SalonId, session: SessionDep, signed: SignedDep, form: FormDep
) -> Response:
    check_csrf(form, signed.secret)
    open_ = first(form, "open") == "1"
    salons.set_wish_window(session, organiser=signed.organiser, salon_id=salon_id, open_=open_)
    return redirect(f"/o/salons/{salon_id}", done="opened" if open_ else "closed")


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
        states=_labels_in(request_language(request), STATE_LABELS),
        phases=_labels_in(request_language(request), PHASE_LABELS),
        objective_labels=_labels_in(request_language(request), OBJECTIVE_LABELS),
        max_time_limit=_max_time_limit(request),
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


@router.get("/salons/{salon_id}/schedules/{version}", response_class=HTMLResponse)
def schedule_page(
    salon_id: SalonId, version: Version, request: Request, session: SessionDep, signed: SignedDep
) -> HTMLResponse:
    read = salons.get_salon(session, organiser=signed.organiser, salon_id=salon_id)
    schedule = salons.get_schedule(
        session, organiser=signed.organiser, salon_id=salon_id, version=version
    )
    document = salons.export_salon(session, organiser=signed.organiser, salon_id=salon_id)
    names = {p.id: p for p in document.participants}
    return page(
        request,
        "organiser_schedule.html",
        title=read.name,
        signed=signed,
        salon=read,
        schedule=schedule,
        names=names,
        participants=document.participants,
        labels=service.side_labels(session, salon_id=salon_id),
        objective_labels=_labels_in(request_language(request), OBJECTIVE_LABELS),
        spread=meetings_spread(document.participants, schedule.meetings),
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
    row = _salon(session, signed, salon_id)
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
        states=_labels_in(language, STATE_LABELS),
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
