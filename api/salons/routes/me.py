"""The salon JSON API, participant side (`/me`, `X-Participant-Token`): the profile, the
directory, the participant's wishes, requests and decisions, and agenda."""

from __future__ import annotations

from fastapi import APIRouter

from api.db import SessionDep
from api.deps import DEFAULT_LIMIT, Limit, Offset, Page, ParticipantDep, WishId
from api.errors import error_responses
from api.salons import self_service
from api.salons.routes.routing import AUTH, PARTICIPANT, WRITE, StrictQueryRoute
from api.salons.schemas import (
    AgendaRead,
    DirectoryEntry,
    Kind,
    MeRead,
    MyWishesUpdate,
    MyWishRead,
    RequestDecision,
    RequestRead,
)

router = APIRouter(route_class=StrictQueryRoute)


# ---------------------------------------------------------------- participant


@router.get("/me", response_model=MeRead, tags=PARTICIPANT, responses=error_responses(401, 404))
def read_me(session: SessionDep, participant: ParticipantDep) -> MeRead:
    """The participant's profile and its salon's wish window."""
    return self_service.me(session, participant=participant)


@router.get("/me/directory", response_model=Page[DirectoryEntry], tags=PARTICIPANT, responses=AUTH)
def read_directory(
    session: SessionDep,
    participant: ParticipantDep,
    offset: Offset = 0,
    limit: Limit = DEFAULT_LIMIT,
    kind: Kind | None = None,
) -> Page[DirectoryEntry]:
    """The salon's other participants (to choose wishes from)."""
    return self_service.directory(
        session, participant=participant, offset=offset, limit=limit, kind=kind
    )


@router.get(
    "/me/wishes",
    response_model=Page[MyWishRead],
    tags=PARTICIPANT,
    responses=error_responses(401, 404),
)
def read_my_wishes(session: SessionDep, participant: ParticipantDep) -> Page[MyWishRead]:
    """The participant's wishes, most wanted first, with the answers received."""
    return self_service.my_wishes(session, participant=participant)


@router.put("/me/wishes", response_model=Page[MyWishRead], tags=PARTICIPANT, responses=WRITE)
def replace_my_wishes(
    data: MyWishesUpdate, session: SessionDep, participant: ParticipantDep
) -> Page[MyWishRead]:
    """Submit the whole wish list, most wanted first (until the wish deadline)."""
    return self_service.replace_my_wishes(session, participant=participant, data=data)


@router.get(
    "/me/requests",
    response_model=Page[RequestRead],
    tags=PARTICIPANT,
    responses=error_responses(401, 404),
)
def read_my_requests(session: SessionDep, participant: ParticipantDep) -> Page[RequestRead]:
    """The wishes addressed to the participant."""
    return self_service.my_requests(session, participant=participant)


@router.put(
    "/me/requests/{wish_id:int}", response_model=RequestRead, tags=PARTICIPANT, responses=WRITE
)
def decide_request(
    wish_id: WishId, data: RequestDecision, session: SessionDep, participant: ParticipantDep
) -> RequestRead:
    """Accept or decline a request (a declined wish is never scheduled)."""
    return self_service.decide_request(
        session, participant=participant, wish_id=wish_id, decision=data.decision
    )


@router.get(
    "/me/agenda", response_model=AgendaRead, tags=PARTICIPANT, responses=error_responses(401, 404)
)
def read_my_agenda(session: SessionDep, participant: ParticipantDep) -> AgendaRead:
    """The participant's meetings in the published schedule."""
    return self_service.my_agenda(session, participant=participant)
