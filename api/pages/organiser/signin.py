"""The organiser's sign-in under `/o`: the login page, sign-in with an API key (an organiser's
session, its cookie) and logout. Its router checks the printed links' secret at start-up."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api import rate_limits
from api.db import SessionDep
from api.deps import SettingsDep
from api.i18n import gettext
from api.organisers import sessions
from api.pages import service
from api.pages.organiser.shared import ORGANISER_COOKIE, SignedDep
from api.pages.web import PageRoute, page, request_language
from api.web import (
    FormDep,
    check_csrf,
    check_same_origin,
    clear_sign_in_cookie,
    first,
    redirect,
    set_sign_in_cookie,
)

router = APIRouter(
    prefix="/o", route_class=PageRoute, include_in_schema=False, lifespan=service.pages_lifespan
)  # at start-up: the printed links' secret is checked


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
    check_same_origin(request)
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
