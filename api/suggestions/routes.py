"""The suggestions' JSON API, participant side (`X-Participant-Token`): the other side's
participants whose profiles match the participant's best, as its suggestions page lists them."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.db import SessionDep
from api.deps import Page, ParticipantDep
from api.errors import error_responses
from api.salons.routes.routing import PARTICIPANT, StrictQueryRoute
from api.suggestions import service

router = APIRouter(route_class=StrictQueryRoute)


class SuggestionRead(BaseModel):
    """A suggested participant: how well it matches (`score`, 0 to 1), the words both profiles
    share, the requests it already has against the meetings it can hold (`popular` when full),
    and whether the participant already asked it (`chosen`)."""

    code: str
    name: str
    organisation: str
    role: str
    score: float
    shared: list[str]
    requests: int
    capacity: int
    popular: bool
    chosen: bool


@router.get(
    "/me/suggestions",
    response_model=Page[SuggestionRead],
    tags=PARTICIPANT,
    responses=error_responses(401, 404),
)
def read_my_suggestions(session: SessionDep, participant: ParticipantDep) -> Page[SuggestionRead]:
    """The participant's suggestions, best first (from its organisation and role alone until it
    writes a profile)."""
    found = service.suggestions_for(session, participant=participant)
    data = [SuggestionRead(**vars(item)) for item in found.items]
    return Page(data=data, count=len(data))
