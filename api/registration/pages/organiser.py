"""The organiser's registration page, `/o/salons/{salon_id}/registrations`: the form's settings
(window, side, fields asked, consent) and the requests received, approved or refused in bulk."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api import rate_limits, web
from api.db import SessionDep
from api.deps import SalonId, SettingsDep
from api.i18n import gettext, request_language
from api.pages.organiser.shared import SignedDep
from api.pages.service import side_labels
from api.pages.web import PageError, PageRoute
from api.registration import service
from api.salons import service as salons
from api.web import FormDep, check_csrf, first, redirect

router = APIRouter(prefix="/o/salons", route_class=PageRoute, include_in_schema=False)
Count = Annotated[int, Query(ge=0, le=100_000)]


def local_moment(form: dict[str, list[str]], name: str) -> dt.datetime | None:
    """A `datetime-local` field (salon time), else None; a 422 naming the field if unreadable."""
    value = first(form, name).strip()
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=None, second=0, microsecond=0)
    except ValueError as exc:
        message = "Date et heure illisibles (%(field)s) : %(value)s"
        raise PageError(message, 422, field=name, value=value[:40]) from exc


@router.get("/{salon_id}/registrations", response_class=HTMLResponse)
def registrations_page(
    salon_id: SalonId,
    request: Request,
    session: SessionDep,
    signed: SignedDep,
    approved: Count = 0,
    refused: Count = 0,
    skipped: Count = 0,
    mailed: Count = 0,
    unmailed: Count = 0,
    blocked: Count = 0,
) -> HTMLResponse:
    read = salons.get_salon(session, organiser=signed.organiser, salon_id=salon_id)
    settings = service.form_settings(session, organiser=signed.organiser, salon_id=salon_id)
    requests = service.list_requests(session, organiser=signed.organiser, salon_id=salon_id)
    language = request_language(request)
    counts = {
        "approved": approved,
        "refused": refused,
        "skipped": skipped,
        "mailed": mailed,
        "unmailed": unmailed,
        "blocked": blocked,
    }
    return web.page(
        request,
        "registration/organiser.html",
        forget=("done", *counts),
        title=gettext(language, "Inscriptions") + f" – {read.name}",
        signed=signed,
        salon=read,
        form=settings,
        requests=requests,
        public_url=f"/register/{salon_id}",
        fields=service.OPTIONAL_FIELDS,
        labels=side_labels(session, salon_id=salon_id),
        counts=counts,
        done=request.query_params.get("done", ""),
    )


@router.post("/{salon_id}/registrations/settings")
def save_settings(
    salon_id: SalonId, session: SessionDep, signed: SignedDep, form: FormDep
) -> Response:
    check_csrf(form, signed.secret)
    data = service.FormSettings(
        enabled=first(form, "enabled") == "yes",
        opens=local_moment(form, "opens"),
        closes=local_moment(form, "closes"),
        sides=first(form, "sides", "industrial"),
        fields=[name for name in form.get("fields", []) if name],
        consent=first(form, "consent")[:5000],
    )
    service.save_settings(session, organiser=signed.organiser, salon_id=salon_id, data=data)
    return redirect(f"/o/salons/{salon_id}/registrations", done="settings")


@router.post("/{salon_id}/registrations/decide")
def decide(
    salon_id: SalonId,
    request: Request,
    session: SessionDep,
    signed: SignedDep,
    settings: SettingsDep,
    form: FormDep,
) -> Response:
    check_csrf(form, signed.secret)
    decision = first(form, "decision")
    if decision not in ("approve", "refuse"):
        raise PageError("Décision invalide.", status=422)
    try:
        ids = sorted({int(value) for value in form.get("request", [])})
    except ValueError as exc:
        raise PageError("Demande invalide.", status=422) from exc
    if not ids:
        raise PageError("Cochez au moins une demande.", status=422)
    if decision == "approve":
        rate_limits.limit_mail_route(request)
    report = service.decide(
        session,
        organiser=signed.organiser,
        salon_id=salon_id,
        ids=ids,
        approve=decision == "approve",
        settings=settings,
        allowed=rate_limits.recipient_check(request),
    )
    return redirect(
        f"/o/salons/{salon_id}/registrations",
        done="decided",
        approved=str(report.approved),
        refused=str(report.refused),
        skipped=str(report.skipped),
        mailed=str(report.mailed),
        unmailed=str(len(report.unmailed)),
        blocked=str(len(report.problems)),
    )
