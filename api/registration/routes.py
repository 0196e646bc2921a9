"""The registration JSON API, organiser side (`Authorization: Bearer <API key>`): the settings
of the salon's self-registration form (as on the organiser's page), the requests it received
with their duplicate flags, and the bulk decision that approves (a participant made and mailed
its personal link) or refuses them. A salon that is not the caller's answers 404."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from api import rate_limits
from api.db import SessionDep
from api.deps import DEFAULT_LIMIT, Limit, Offset, OrganiserDep, Page, SalonId, SettingsDep
from api.errors import error_responses
from api.registration import service
from api.salons.routes.routing import AUTH, ORGANISER, StrictQueryRoute
from api.timestamps import from_storage, maybe_from_storage
from scheduler.format import Moment

router = APIRouter(route_class=StrictQueryRoute)

MAX_DECIDED = 1000
"""Most requests decided by one call."""


class RegistrationSettingsRead(BaseModel):
    """The salon's self-registration form: open or not (`enabled`), its window in the salon's
    local time (`opens`, `closes`; none for no limit), who may register (`sides`: industrial,
    director or both), the optional fields asked (`fields`, among organisation, role, phone,
    website, message; name and e-mail are always asked) and the consent text."""

    enabled: bool
    opens: dt.datetime | None
    closes: dt.datetime | None
    sides: str
    fields: list[str]
    consent: str


class RegistrationSettingsUpdate(BaseModel):
    """The form's settings, all at once: `enabled=false` closes the form (the requests received
    stay). A moment with an offset is converted to the salon's local time."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool
    opens: Moment | None = None
    closes: Moment | None = None
    sides: Annotated[str, Field(max_length=40)] = "industrial"
    fields: Annotated[
        list[Annotated[str, Field(max_length=40)]], Field(max_length=len(service.OPTIONAL_FIELDS))
    ] = ["organisation"]
    consent: Annotated[str, Field(max_length=5000)] = service.DEFAULT_CONSENT


class RegistrationRead(BaseModel):
    """A registration request: who asks, on which side, its state (`pending`, `approved`,
    `refused`), the participant made of it (`participant`, its code, once approved), and the
    participants or requests it may duplicate (`duplicates`: "e-mail = name", ...)."""

    id: int
    side: str
    name: str
    email: str
    organisation: str
    role: str
    answers: dict[str, str]
    language: str
    state: str
    participant: str | None
    duplicates: list[str]
    created_at: dt.datetime
    decided_at: dt.datetime | None


class RegistrationDecision(BaseModel):
    """Approve or refuse the pending requests `ids` (the others are skipped)."""

    model_config = ConfigDict(extra="forbid")

    ids: Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=1, max_length=MAX_DECIDED)]
    decision: Literal["approved", "refused"]


class DecisionRead(BaseModel):
    """What a decision did: requests approved, refused, skipped (not pending any more), the
    approved mailed their link (`mailed`; `unmailed` those whose mail was not sent), and the
    approvals refused (`problems`, e.g. no free table for a director)."""

    approved: int
    refused: int
    skipped: int
    mailed: int
    unmailed: list[str]
    problems: list[str]


def _read(view: service.RequestView, codes: dict[int, str]) -> RegistrationRead:
    row = view.row
    return RegistrationRead(
        id=row.id,
        side=row.side,
        name=row.name,
        email=row.email,
        organisation=row.organisation,
        role=row.role,
        answers=dict(row.answers or {}),
        language=row.language,
        state=row.state,
        participant=codes.get(row.participant_id) if row.participant_id else None,
        duplicates=view.duplicates,
        created_at=from_storage(row.created_at),
        decided_at=maybe_from_storage(row.decided_at),
    )


def _settings_read(data: service.FormSettings) -> RegistrationSettingsRead:
    return RegistrationSettingsRead(**vars(data))


@router.get(
    "/salons/{salon_id}/registrations/settings",
    response_model=RegistrationSettingsRead,
    tags=ORGANISER,
    responses=AUTH,
)
def read_registration_settings(
    salon_id: SalonId, session: SessionDep, organiser: OrganiserDep
) -> RegistrationSettingsRead:
    """The salon's self-registration settings (`enabled: false` when its form is closed)."""
    return _settings_read(service.form_settings(session, organiser=organiser, salon_id=salon_id))


@router.put(
    "/salons/{salon_id}/registrations/settings",
    response_model=RegistrationSettingsRead,
    tags=ORGANISER,
    responses=error_responses(401, 404, 422),
)
def save_registration_settings(
    salon_id: SalonId,
    data: RegistrationSettingsUpdate,
    session: SessionDep,
    organiser: OrganiserDep,
) -> RegistrationSettingsRead:
    """Open, change or close the salon's self-registration form (public at
    `/register/{salon_id}`); 422 naming each field that is wrong, nothing changed then."""
    settings = service.FormSettings(**data.model_dump())
    saved = service.save_settings(
        session, organiser=organiser, salon_id=salon_id, data=settings, prefix="body."
    )
    return _settings_read(saved)


@router.get(
    "/salons/{salon_id}/registrations",
    response_model=Page[RegistrationRead],
    tags=ORGANISER,
    responses=AUTH,
)
def list_registrations(
    salon_id: SalonId,
    session: SessionDep,
    organiser: OrganiserDep,
    offset: Offset = 0,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[RegistrationRead]:
    """The salon's registration requests, in the order they came."""
    views = service.list_requests(session, organiser=organiser, salon_id=salon_id)
    shown = views[offset : offset + limit]
    codes = service.participant_codes(session, views=shown)
    return Page(data=[_read(view, codes) for view in shown], count=len(views))


@router.post(
    "/salons/{salon_id}/registrations/decisions",
    response_model=DecisionRead,
    tags=ORGANISER,
    responses=error_responses(401, 404, 422, 429),
)
def decide_registrations(
    salon_id: SalonId,
    data: RegistrationDecision,
    request: Request,
    session: SessionDep,
    organiser: OrganiserDep,
    settings: SettingsDep,
) -> DecisionRead:
    """Approve or refuse pending requests: each approval makes a participant (a director gets a
    free table) and mails its personal link. 429 with Retry-After over the limit of
    mail-sending requests per client address."""
    approve = data.decision == "approved"
    if approve:
        rate_limits.limit_mail_route(request)
    report = service.decide(
        session,
        organiser=organiser,
        salon_id=salon_id,
        ids=sorted(set(data.ids)),
        approve=approve,
        settings=settings,
        allowed=rate_limits.recipient_check(request),
    )
    return DecisionRead(**vars(report))
