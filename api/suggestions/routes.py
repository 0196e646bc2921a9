"""The suggestions' JSON API, participant side (`X-Participant-Token`): the other side's
participants whose profiles match the participant's best, as its suggestions page lists them."""

from __future__ import annotations

from fastapi import APIRouter

from api.db import SessionDep
from api.deps import Page, ParticipantDep
from api.errors import error_responses
from api.salons.routes.routing import PARTICIPANT, StrictQueryRoute
from api.suggestions import service

router = APIRouter(route_class=StrictQueryRoute)


@router.get(
    "/me/suggestions",
    response_model=Page[service.Suggested],
    tags=PARTICIPANT,
    responses=error_responses(401, 404),
)
def read_my_suggestions(
    session: SessionDep, participant: ParticipantDep
) -> Page[service.Suggested]:
    """The participant's suggestions, best first (from its organisation and role alone until it
    writes a profile)."""
    found = service.suggestions_for(session, participant=participant).items
    return Page(data=found, count=len(found))
