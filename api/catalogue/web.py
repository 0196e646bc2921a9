"""What the catalogue's routes and pages share: language, settings, error rendering, who calls.

- Language: `?lang=` then the `lang` cookie then Accept-Language (French by default).
- Contributors: the `catalogue_session` cookie (pages) or `Authorization: Bearer <session
  token>` (JSON API), from a magic link.
- Moderators are organisers: `OrganiserDep` (API key as Bearer) on the JSON API; on the pages,
  the API key entered once on /catalogue/moderation/login and kept in an HttpOnly cookie.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from api.auth import organiser_for_key
from api.catalogue import accounts
from api.catalogue.errors import CatalogueError, invalid, problems_from_pydantic
from api.catalogue.tables import Contributor
from api.catalogue.workflow import Actor
from api.db import SessionDep
from api.deps import OrganiserDep
from api.errors import DomainError
from api.i18n import request_language
from api.settings import Settings, get_settings

SESSION_COOKIE = "catalogue_session"
MODERATOR_COOKIE = "catalogue_moderator"


def set_session_cookie(response: Response, token: str, *, secure: bool = False) -> None:
    """Keep a contributor's session token in an HttpOnly cookie for the session's lifetime."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/catalogue",
    )


def request_settings(request: Request) -> Settings:
    settings = getattr(request.app.state, "settings", None)
    return settings if isinstance(settings, Settings) else get_settings()


def base_url(request: Request) -> str:
    return request_settings(request).base_url.rstrip("/")


def error_json(
    request: Request, status: int, detail: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def as_catalogue_error(error: Exception) -> CatalogueError | None:
    """Domain errors (ours, the service's) and request validation errors as CatalogueError."""
    if isinstance(error, CatalogueError):
        return error
    if isinstance(error, RequestValidationError):
        return invalid(problems_from_pydantic(list(error.errors())), code="invalid_request")
    if isinstance(error, DomainError):
        converted = CatalogueError(error.code, error.message, status=error.status, **error.params)
        return converted
    return None


class CatalogueRoute(APIRoute):
    """JSON routes: domain and validation errors become `{"detail": {code, message, errors}}`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except (CatalogueError, DomainError, RequestValidationError) as error:
                converted = as_catalogue_error(error)
                assert converted is not None
                headers = {"WWW-Authenticate": "Bearer"} if converted.status == 401 else None
                if isinstance(error, DomainError) and error.headers:  # Retry-After of a 429
                    headers = {**(headers or {}), **error.headers}
                return error_json(
                    request, converted.status, converted.detail(request_language(request)), headers
                )

        return handler


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def contributor_session_token(request: Request) -> str | None:
    """The session token: the Bearer header (API clients) first, else the cookie (pages)."""
    return bearer_token(request) or request.cookies.get(SESSION_COOKIE)


def optional_contributor(request: Request, session: SessionDep) -> Contributor | None:
    token = contributor_session_token(request)
    if not token:
        return None
    return accounts.contributor_for_token(session, token=token)


def current_contributor(
    contributor: Annotated[Contributor | None, Depends(optional_contributor)],
) -> Contributor:
    """The signed-in contributor, else 401."""
    if contributor is None:
        raise CatalogueError(
            "not_authenticated",
            "Connexion requise : demandez un lien de connexion par e-mail.",
            status=401,
        )
    return contributor


ContributorDep = Annotated[Contributor, Depends(current_contributor)]


def contributor_actor(contributor: ContributorDep) -> Actor:
    return accounts.contributor_actor(contributor)


def moderator_actor(organiser: OrganiserDep) -> Actor:
    """Moderators are organisers (API key)."""
    return Actor("moderator", f"organiser:{organiser.id}", organiser.email)


ContributorActorDep = Annotated[Actor, Depends(contributor_actor)]
ModeratorDep = Annotated[Actor, Depends(moderator_actor)]


def page_moderator(request: Request, session: SessionDep) -> Actor | None:
    """The organiser whose API key is in the moderation cookie, if still valid."""
    key = request.cookies.get(MODERATOR_COOKIE)
    if not key:
        return None
    organiser = organiser_for_key(session, key)
    if organiser is None:
        return None
    return Actor("moderator", f"organiser:{organiser.id}", organiser.email)
