"""The room display's routes: the organiser's page of display links (`/o/salons/{id}/display`),
the full-screen display under its secret link (`/display/{salon_id}/{token}`, `?hall=` for one
hall), its JSON state and its two assets. A wrong token or salon answers 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.db import SessionDep
from api.deps import SalonId, SettingsDep
from api.display import service
from api.display.links import display_url, valid_display_token
from api.errors import not_found
from api.i18n import gettext, request_language
from api.pages.organiser.shared import SignedDep, salon_row
from api.pages.web import PageRoute
from api.rendering import TEMPLATES_DIR
from api.salons.tables import Salon
from api.settings import Settings
from api.web import page as plain_page

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Token = Annotated[str, Path(min_length=8, max_length=128)]
Hall = Annotated[str, Query(max_length=200)]


def _asset(name: str, media_type: str) -> Response:
    return Response(
        (TEMPLATES_DIR / "display" / name).read_bytes(),
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=300"},
    )


@router.get("/assets/display/room.css")
def display_stylesheet() -> Response:
    """The display's stylesheet."""
    return _asset("room.css", "text/css; charset=utf-8")


@router.get("/assets/display/room.js")
def display_script() -> Response:
    """The display's script (a file: the pages' policy allows no inline script)."""
    return _asset("room.js", "text/javascript; charset=utf-8")


@router.get("/o/salons/{salon_id}/display", response_class=HTMLResponse)
def display_links(
    salon_id: SalonId,
    request: Request,
    session: SessionDep,
    signed: SignedDep,
    settings: SettingsDep,
) -> HTMLResponse:
    """The organiser's display links: the whole salon's, then one per hall."""
    salon = salon_row(session, signed, salon_id)
    halls = service.salon_halls(session, salon=salon)
    return plain_page(
        request,
        "display/links.html",
        title=gettext(request_language(request), "Affichage de salle"),
        signed=signed,
        salon=salon,
        whole=display_url(settings, salon_id=salon.id),
        halls=[(hall, display_url(settings, salon_id=salon.id, hall=hall)) for hall in halls],
    )


def _displayed_salon(session: SessionDep, settings: Settings, salon_id: int, token: str) -> Salon:
    if not valid_display_token(settings, salon_id=salon_id, token=token):
        raise not_found("Lien d'affichage inconnu.")
    return service.display_salon(session, salon_id=salon_id)


@router.get("/display/{salon_id}/{token}", response_class=HTMLResponse)
def room_display(
    salon_id: SalonId,
    token: Token,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    hall: Hall = "",
) -> HTMLResponse:
    """The full-screen room display (its script polls the state below)."""
    salon = _displayed_salon(session, settings, salon_id, token)
    response = plain_page(
        request,
        "display/room.html",
        title=salon.name,
        salon=salon,
        hall=hall,
        state_url=f"/display/{salon_id}/{token}/state.json",
        poll_seconds=settings.display_poll_seconds,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.get("/display/{salon_id}/{token}/state.json")
def room_state(
    salon_id: SalonId,
    token: Token,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    hall: Hall = "",
    known: Annotated[str, Query(max_length=64)] = "",
) -> JSONResponse:
    """The display's state: only the server's time while `known` is still the digest."""
    salon = _displayed_salon(session, settings, salon_id, token)
    language = request_language(request)
    state = service.display_state(
        session, salon=salon, hall=hall or None, known=known or None, language=language
    )
    return JSONResponse(state, headers={"Cache-Control": "no-store"})
