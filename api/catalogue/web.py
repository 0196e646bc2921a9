"""What the catalogue's routes and pages share: settings, who calls, the sign-in cookies (on
api.web's helpers) and the JSON routes' class (refusals answered by the app's handlers).

- Contributors: the `catalogue_session` cookie (pages) or `Authorization: Bearer <session
  token>` (JSON API), from a magic link.
- Moderators are organisers: `OrganiserDep` (API key as Bearer) on the JSON API; on the pages,
  the API key entered once on /catalogue/moderation/login opens an organiser's session
  (api.organisers.sessions, as on /o): the `catalogue_moderator` cookie carries the session's
  random id, never the key; logout, the key's revocation, idleness and the session's lifetime
  end it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from api import web
from api.auth import CurrentOrganiser
from api.catalogue import accounts
from api.catalogue.errors import CatalogueError, invalid, problems_from_pydantic
from api.catalogue.tables import Contributor
from api.catalogue.workflow import Actor
from api.db import SessionDep
from api.deps import OrganiserDep, SettingsDep, request_settings
from api.errors import DomainError
from api.organisers import sessions

SESSION_COOKIE = "catalogue_session"
MODERATOR_COOKIE = "catalogue_moderator"
COOKIE_PATH = "/catalogue"


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    """Keep a contributor's session token in the sign-in cookie for the session's lifetime."""
    lifetime = accounts.SESSION_LIFETIME.total_seconds()
    web.set_sign_in_cookie(
        response, request, SESSION_COOKIE, token, path=COOKIE_PATH, max_age=lifetime
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    web.clear_sign_in_cookie(response, request, SESSION_COOKIE, path=COOKIE_PATH)


def set_moderator_cookie(
    response: Response, request: Request, opened: sessions.OpenedSession, lifetime: float
) -> None:
    """Keep a moderator's session id (never the API key) in the moderation cookie (SameSite
    strict) for the session's `lifetime` in seconds."""
    web.set_sign_in_cookie(
        response,
        request,
        MODERATOR_COOKIE,
        opened.token,
        path=COOKIE_PATH,
        max_age=lifetime,
        samesite="strict",
    )


def clear_moderator_cookie(response: Response, request: Request) -> None:
    web.clear_sign_in_cookie(
        response, request, MODERATOR_COOKIE, path=COOKIE_PATH, samesite="strict"
    )


def base_url(request: Request) -> str:
    return request_settings(request).base_url.rstrip("/")


class CatalogueRoute(APIRoute):
    """JSON routes of the catalogue: a request that does not validate is refused in the
    catalogue's words (422 `invalid_request`, the fields named as its forms name them) and a 401
    asks for a Bearer token (`WWW-Authenticate`); the app's handlers (api.app) answer every
    refusal, `{"detail": {code, message, errors}}`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except RequestValidationError as error:
                problems = problems_from_pydantic(list(error.errors()))
                raise invalid(problems, code="invalid_request") from error
            except DomainError as error:
                if error.status == 401:
                    error.headers.setdefault("WWW-Authenticate", "Bearer")
                raise

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


def organiser_actor(organiser: CurrentOrganiser) -> Actor:
    """Moderators are organisers: the actor of the audit trail."""
    return Actor("moderator", f"organiser:{organiser.id}", organiser.email)


def moderator_actor(organiser: OrganiserDep) -> Actor:
    """The moderator of a JSON request (an organiser's API key as Bearer)."""
    return organiser_actor(organiser)


ContributorActorDep = Annotated[Actor, Depends(contributor_actor)]
ModeratorDep = Annotated[Actor, Depends(moderator_actor)]


@dataclass(frozen=True)
class SignedModerator:
    """A moderator signed in on the pages: the actor and its session's id (`secret`, the
    cookie's value, which the forms' token is bound to: `check_csrf(form, who.secret)`)."""

    actor: Actor
    secret: str

    @property
    def csrf(self) -> str:
        return web.csrf_token(self.secret)


def page_moderator(
    request: Request, session: SessionDep, settings: SettingsDep
) -> SignedModerator | None:
    """The moderator of the live organiser's session in the moderation cookie, else None."""
    token = request.cookies.get(MODERATOR_COOKIE)
    if not token:
        return None
    idle = settings.organiser_session_idle_seconds
    organiser = sessions.session_organiser(session, token=token, idle_seconds=idle)
    if organiser is None:
        return None
    return SignedModerator(organiser_actor(organiser), token)
