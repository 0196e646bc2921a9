"""The suggestions page of a participant, `/p/{token}/suggestions`: the other side's
participants whose profiles match its own best, with what they share (the same list as the
wish page's "suggested for you", templates/profiles/_suggestions.html)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from api import web
from api.db import SessionDep
from api.i18n import gettext, request_language
from api.pages.participant import visit
from api.pages.web import PageRoute
from api.suggestions import service

router = APIRouter(prefix="/p", route_class=PageRoute, include_in_schema=False)
Token = Annotated[str, Path(min_length=8, max_length=128)]


@router.get("/{token}/suggestions", response_class=HTMLResponse)
def suggestions_page(token: Token, request: Request, session: SessionDep) -> HTMLResponse:
    v = visit(session, token)
    return web.page(
        request,
        "profiles/suggestions.html",
        title=gettext(request_language(request), "Suggestions de rendez-vous"),
        v=v,
        salon=v.me.salon,
        suggestions=service.suggestions_for(session, participant=v.who),
    )
