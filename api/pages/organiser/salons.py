"""The organiser's salons under `/o`: the list and import of salons, a salon's dashboard, its
settings (side labels, priority, wish window, caps per kind), participants' and wishes' imports,
mails and personal links."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from api import rate_limits
from api.db import SessionDep
from api.deps import SalonId, SettingsDep
from api.errors import DomainError
from api.i18n import gettext
from api.pages import invitations, service
from api.pages.organiser.shared import Signed, SignedDep, max_time_limit, salon_row
from api.pages.web import PageError, PageRoute, error_page, page, request_language
from api.salons import convert, importers, wish_importers
from api.salons import service as salons
from api.salons.schemas import SalonUpdate
from api.web import FormDep, check_csrf, first, redirect
from scheduler.errors import FileFormatError
from scheduler.loading import load_salon
from scheduler.stats import salon_statistics

router = APIRouter(prefix="/o", route_class=PageRoute, include_in_schema=False)
MAX_UPLOAD = 20 * 1024 * 1024
BOUNDS_SECONDS = 5.0


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
    wish_import_problems: list[str] | None = None,
    caps_problems: list[str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The salon's dashboard; with `import_problems`, the participants file was refused (the
    wishes file with `wish_import_problems`, the caps per kind with `caps_problems`)."""
    row = salon_row(session, signed, salon_id)
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
        wish_import_problems=wish_import_problems or [],
        caps_problems=caps_problems or [],
        published=service.current_schedule(session, salon_id=salon_id) is not None,
        max_time_limit=max_time_limit(request),
    )


@router.post("/salons/{salon_id}/participants", response_class=HTMLResponse)
async def import_participants(
    salon_id: SalonId, request: Request, session: SessionDep, signed: SignedDep
) -> Response:
    """Create or update participants from a CSV, XLSX or salon/v1 JSON file (all or nothing)."""

    def store(content: bytes, fmt: str) -> Any:
        specs = importers.read_participants(content, fmt)
        return salons.import_participants(
            session, organiser=signed.organiser, salon_id=salon_id, specs=specs
        )

    missing = "Choisissez un fichier de participants (CSV, XLSX ou JSON)."
    return await _import_file(request, session, signed, salon_id, "participants", missing, store)


@router.post("/salons/{salon_id}/wishes", response_class=HTMLResponse)
async def import_wishes(
    salon_id: SalonId, request: Request, session: SessionDep, signed: SignedDep
) -> Response:
    """Create or update wishes from a CSV or XLSX sheet (all or nothing, line/column errors)."""

    def store(content: bytes, fmt: str) -> Any:
        wishes = wish_importers.read_wishes(content, fmt)
        return salons.import_wishes(
            session, organiser=signed.organiser, salon_id=salon_id, wishes=wishes
        )

    missing = "Choisissez un fichier de souhaits (CSV ou XLSX)."
    return await _import_file(request, session, signed, salon_id, "wishes", missing, store)


async def _import_file(
    request: Request,
    session: Session,
    signed: Signed,
    salon_id: int,
    what: str,
    missing: str,
    store: Callable[[bytes, str], Any],
) -> Response:
    """The form's file read and stored by `store` (all or nothing): back to the dashboard with
    what was done, or with the problems by line and column (`what`: participants, wishes)."""
    form = await request.form()
    check_csrf({"csrf": [str(form.get("csrf") or "")]}, signed.secret)
    salon_row(session, signed, salon_id)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise PageError(missing, status=422)
    content = await upload.read(importers.MAX_BYTES + 1)
    try:
        done = store(content, importers.detect_format(upload.filename, upload.content_type, None))
    except DomainError as error:
        session.rollback()
        if error.status == 404:
            raise
        language = request_language(request)
        problems = [f"{p.field} : {p.render(language)}" for p in error.problems]
        problems = problems or [error.render(language)]
        if what == "participants":
            return _dashboard(request, session, signed, salon_id, import_problems=problems,
                              status=422)
        return _dashboard(request, session, signed, salon_id, wish_import_problems=problems,
                          status=422)
    return redirect(
        f"/o/salons/{salon_id}", done=what, created=str(done.created), updated=str(done.updated)
    )


@router.post("/salons/{salon_id}/caps", response_class=HTMLResponse)
def save_caps(
    salon_id: SalonId, request: Request, session: SessionDep, signed: SignedDep, form: FormDep
) -> Response:
    """The caps per kind of participant (empty: no cap for that kind)."""
    check_csrf(form, signed.secret)
    caps = {kind: first(form, kind).strip() for kind in ("director", "industrial")}
    try:
        data = SalonUpdate.model_validate(
            {"max_meetings_by_kind": {k: v for k, v in caps.items() if v} or None}
        )
        salons.update_salon(session, organiser=signed.organiser, salon_id=salon_id, data=data)
    except (DomainError, ValidationError) as error:
        session.rollback()
        if isinstance(error, DomainError) and error.status == 404:
            raise
        language = request_language(request)
        message = gettext(language, "Nombre entier de 0 à 10 000 attendu, ou rien : sans plafond.")
        return _dashboard(request, session, signed, salon_id, caps_problems=[message], status=422)
    return redirect(f"/o/salons/{salon_id}", done="caps")


@router.post("/salons/{salon_id}/labels")
def save_labels(
    salon_id: SalonId, session: SessionDep, signed: SignedDep, form: FormDep
) -> Response:
    check_csrf(form, signed.secret)
    salon_row(session, signed, salon_id)
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
    row = salon_row(session, signed, salon_id)
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
    row = salon_row(session, signed, salon_id)
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
