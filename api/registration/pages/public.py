"""The public registration form of a salon, `/register/{salon_id}`, French and English.

No account and no form token (nobody is signed in): a form posted from another site is refused
(api.web.check_same_origin), each client address may post a few forms only (the `registration`
rate limit), and a field that people never see (the honeypot, `homepage`) makes the post of a
robot that fills it look received while nothing is stored. A refused form is shown again with
what was typed and the fields to correct.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api import rate_limits, web
from api.db import SessionDep
from api.deps import SalonId
from api.errors import DomainError
from api.i18n import gettext, request_language
from api.pages.web import PageRoute
from api.registration import service
from api.web import FormDep, check_same_origin, first, redirect

router = APIRouter(prefix="/register", route_class=PageRoute, include_in_schema=False)
HONEYPOT = "homepage"
TEXT_FIELDS = ("side", "name", "email", "organisation", "role", "phone", "website", "message")


def _page(
    request: Request,
    form: service.PublicForm,
    *,
    values: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    language = request_language(request)
    return web.page(
        request,
        "registration/form.html",
        status=status,
        forget=("done",),
        title=gettext(language, "Inscription") + f" – {form.salon_name}",
        form=form,
        values=values or {},
        problems=problems or {},
        done=request.query_params.get("done", ""),
    )


@router.get("/{salon_id}", response_class=HTMLResponse)
def registration_page(salon_id: SalonId, request: Request, session: SessionDep) -> HTMLResponse:
    return _page(request, service.public_form(session, salon_id=salon_id))


@router.post("/{salon_id}", response_class=HTMLResponse)
def register(salon_id: SalonId, request: Request, session: SessionDep, form: FormDep) -> Response:
    check_same_origin(request)
    public = service.public_form(session, salon_id=salon_id)
    rate_limits.limit_registration(request)
    if first(form, HONEYPOT).strip():
        return redirect(f"/register/{salon_id}", done="received")
    values = {name: first(form, name)[:5000] for name in TEXT_FIELDS}
    language = request_language(request)
    try:
        service.submit(
            session,
            salon_id=salon_id,
            values=values,
            consent=first(form, "consent") == "yes",
            language=language,
        )
    except DomainError as refused:
        if not refused.problems:
            raise
        session.rollback()
        problems = {p.field: p.render(language) for p in refused.problems}
        return _page(request, public, values=values, problems=problems, status=422)
    return redirect(f"/register/{salon_id}", done="received")
