"""The repair API (thin: parse, call api.repairs.service, answer).

Organiser routes (`Authorization: Bearer <API key>`): post the changes of the day and get a
draft repair with its change list, read repairs, publish one (and mail the participants whose
agenda changed). A salon or repair that is not the caller's answers 404.
"""

from __future__ import annotations

from enum import Enum

from fastapi import APIRouter, Request, status

from api import rate_limits
from api.db import SessionDep
from api.deps import (
    DEFAULT_LIMIT,
    Limit,
    Offset,
    OrganiserDep,
    Page,
    RepairId,
    SalonId,
    SettingsDep,
)
from api.errors import error_responses
from api.repairs import service
from api.repairs.schemas import RepairCreate, RepairRead
from api.salons.routes.routing import StrictQueryRoute

router = APIRouter(route_class=StrictQueryRoute)

TAGS: list[str | Enum] = ["repairs (organiser)"]


@router.post(
    "/salons/{salon_id}/repairs",
    response_model=RepairRead,
    status_code=status.HTTP_201_CREATED,
    tags=TAGS,
    responses=error_responses(401, 404, 409, 422),
)
def create_repair(
    salon_id: SalonId, data: RepairCreate, session: SessionDep, organiser: OrganiserDep
) -> RepairRead:
    """Repair the published schedule after the changes of the day (answers in seconds): the
    draft is the salon's next schedule version, with the change list and the people to tell."""
    return service.create_repair(session, organiser=organiser, salon_id=salon_id, data=data)


@router.get(
    "/salons/{salon_id}/repairs",
    response_model=Page[RepairRead],
    tags=TAGS,
    responses=error_responses(401, 404, 422),
)
def list_repairs(
    salon_id: SalonId,
    session: SessionDep,
    organiser: OrganiserDep,
    offset: Offset = 0,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[RepairRead]:
    """The salon's repairs, newest first."""
    return service.list_repairs(
        session, organiser=organiser, salon_id=salon_id, offset=offset, limit=limit
    )


@router.get(
    "/salons/{salon_id}/repairs/{repair_id}",
    response_model=RepairRead,
    tags=TAGS,
    responses=error_responses(401, 404, 422),
)
def read_repair(
    salon_id: SalonId, repair_id: RepairId, session: SessionDep, organiser: OrganiserDep
) -> RepairRead:
    return service.get_repair(session, organiser=organiser, salon_id=salon_id, repair_id=repair_id)


@router.post(
    "/salons/{salon_id}/repairs/{repair_id}/publish",
    response_model=RepairRead,
    tags=TAGS,
    responses=error_responses(401, 404, 409, 422, 429),
)
def publish_repair(
    salon_id: SalonId,
    repair_id: RepairId,
    request: Request,
    session: SessionDep,
    organiser: OrganiserDep,
    settings: SettingsDep,
) -> RepairRead:
    """Publish the draft (participants see it) and mail each participant whose agenda changed
    (once; through SMTP, or the outbox when no SMTP server is set). 429 with Retry-After over
    the limit of mail-sending requests per client address; a participant who received too
    many mails lately, or whose mail failed, is not counted in `notified`."""
    rate_limits.limit_mail_route(request)
    return service.publish_repair(
        session,
        organiser=organiser,
        salon_id=salon_id,
        repair_id=repair_id,
        settings=settings,
        submit=request.app.state.runner.submit,
        allowed=rate_limits.recipient_check(request),
    )
