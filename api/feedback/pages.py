"""The participant's feedback page and form under its personal link (`/p/{token}/feedback`).

The agenda page includes templates/feedback/_agenda_feedback.html: with a `feedback` value in
its context (`my_feedback`) it shows the forms inline, else a link to this page. Both post to
`POST /p/{token}/feedback`, which goes back where the form was (`back=agenda`: the agenda).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api import web
from api.auth import CurrentParticipant, participant_for_token
from api.db import SessionDep
from api.feedback import service
from api.feedback.service import RATINGS
from api.feedback.tables import NOTE_MAX
from api.i18n import gettext, request_language
from api.pages.web import PageError, PageRoute
from api.web import FormDep, check_csrf, csrf_token, first, redirect

router = APIRouter(prefix="/p", route_class=PageRoute, include_in_schema=False)
Token = Annotated[str, Path(min_length=8, max_length=128)]


@dataclass(frozen=True)
class Link:
    """The participant of a personal link, its pages' base and form token."""

    who: CurrentParticipant
    base: str
    csrf: str


def link_of(session: Session, token: str) -> Link:
    who = participant_for_token(session, token)
    if who is None:
        raise PageError("Ce lien personnel est inconnu, révoqué ou expiré.", status=404)
    return Link(who, f"/p/{token}", csrf_token(token))


@router.get("/{token}/feedback", response_class=HTMLResponse)
def feedback_page(token: Token, request: Request, session: SessionDep) -> HTMLResponse:
    v = link_of(session, token)
    return web.page(
        request,
        "feedback/feedback.html",
        forget=("done",),
        done=request.query_params.get("done", ""),
        title=gettext(request_language(request), "Votre avis sur vos rendez-vous"),
        v=v,
        feedback=service.my_feedback(session, participant=v.who),
        ratings=RATINGS,
        note_max=NOTE_MAX,
    )


@router.post("/{token}/feedback")
def save_feedback(token: Token, session: SessionDep, form: FormDep) -> Response:
    v = link_of(session, token)
    check_csrf(form, token)
    saved = service.give_feedback(
        session,
        participant=v.who,
        other=first(form, "other"),
        start=first(form, "start"),
        rating=first(form, "rating"),
        follow_up=first(form, "follow_up") == "1",
        note=first(form, "note"),
    )
    where = f"{v.base}/agenda" if first(form, "back") == "agenda" else f"{v.base}/feedback"
    response = redirect(where, done="feedback")
    response.headers["location"] += f"#{saved.anchor}"
    return response
