"""The profiles' JSON API, participant side (`X-Participant-Token`): the participant's own
profile (read, replaced until the wish deadline) and the profile of another participant it may
read (api.profiles.service.may_read). The image stays on the pages (a file upload)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from api.db import SessionDep
from api.deps import ParticipantDep
from api.errors import error_responses
from api.profiles import service
from api.profiles.formats import ProfileFields
from api.salons.routes.routing import PARTICIPANT, WRITE, StrictQueryRoute
from api.salons.schemas import Code, Kind
from api.timestamps import maybe_from_storage

router = APIRouter(route_class=StrictQueryRoute)


class ProfileRead(BaseModel):
    """A participant and what it wrote about itself (`profile`; the description in Markdown)."""

    code: str
    name: str
    organisation: str
    role: str
    kind: Kind
    profile: ProfileFields
    has_image: bool


class MyProfileRead(ProfileRead):
    """The participant's own profile, the salon's themes to choose from, and whether it may
    still change it (until the wish deadline)."""

    salon_themes: list[str]
    editable: bool
    deadline: dt.datetime | None  # the wish deadline (UTC)


def _read(view: service.ProfileView) -> ProfileRead:
    return ProfileRead(
        code=view.code,
        name=view.name,
        organisation=view.organisation,
        role=view.role,
        kind=view.kind,  # type: ignore[arg-type]  # "director" or "industrial"
        profile=view.fields,
        has_image=view.has_image,
    )


def _mine(session: SessionDep, participant: ParticipantDep) -> MyProfileRead:
    mine = service.my_profile(session, participant=participant)
    return MyProfileRead(
        **_read(mine.view).model_dump(),
        salon_themes=mine.salon_themes,
        editable=mine.editable,
        deadline=maybe_from_storage(mine.deadline),
    )


@router.get(
    "/me/profile",
    response_model=MyProfileRead,
    tags=PARTICIPANT,
    responses=error_responses(401, 404),
)
def read_my_profile(session: SessionDep, participant: ParticipantDep) -> MyProfileRead:
    """The participant's profile (empty fields until it writes one)."""
    return _mine(session, participant)


@router.put("/me/profile", response_model=MyProfileRead, tags=PARTICIPANT, responses=WRITE)
def replace_my_profile(
    data: ProfileFields, session: SessionDep, participant: ParticipantDep
) -> MyProfileRead:
    """Replace the participant's profile (its image is kept): 409 after the wish deadline,
    422 naming a theme the salon does not offer."""
    service.save_my_profile(session, participant=participant, data=data, themes_field="body.themes")
    return _mine(session, participant)


@router.get(
    "/me/people/{code}",
    response_model=ProfileRead,
    tags=PARTICIPANT,
    responses=error_responses(401, 404, 422),
)
def read_profile(
    code: Annotated[Code, Path()], session: SessionDep, participant: ParticipantDep
) -> ProfileRead:
    """Another participant's profile: a director's for anyone of the salon, an industrial's for
    the directors (404 otherwise, as for an unknown code)."""
    return _read(service.person(session, participant=participant, code=code))
