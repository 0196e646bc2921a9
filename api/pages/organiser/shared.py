"""What the organiser's pages share (no router): the signed-in organiser (`SignedDep`, from
the session cookie), its salon or 404 (`salon_row`), the labels of jobs' states and phases and of
the objectives, the longest solve the forms offer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from api.auth import CurrentOrganiser
from api.db import SessionDep
from api.deps import SettingsDep
from api.i18n import gettext
from api.organisers import sessions
from api.salons import service as salons
from api.salons.schemas import MAX_TIME_LIMIT
from api.settings import Settings
from api.web import SignInRequiredError, csrf_token

ORGANISER_COOKIE = "salon_organiser"
STATE_LABELS = {
    "queued": "en attente",
    "running": "en cours",
    "done": "terminé",
    "failed": "échec",
    "cancelled": "annulé",
}
OBJECTIVE_LABELS = {
    "coverage": "Participants ayant au moins un rendez-vous",
    "fairness": "Équité de la répartition des rendez-vous",
    "score": "Score des souhaits satisfaits",
    "idle": "Créneaux d'attente entre deux rendez-vous",
    "breaks": "Interruptions (périodes d'attente)",
}


def labels_in(language: str, labels: dict[str, str]) -> dict[str, str]:
    return {key: gettext(language, text) for key, text in labels.items()}


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


def salon_row(session: Session, signed: Signed, salon_id: int) -> Any:
    return salons.organiser_salon(session, organiser=signed.organiser, salon_id=salon_id)


def max_time_limit(request: Request) -> int:
    """The longest solve the forms offer: the organiser's quota, within the schema's bound."""
    settings: Settings = request.app.state.settings
    return int(min(settings.solve_max_time_limit, MAX_TIME_LIMIT))
