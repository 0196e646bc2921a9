"""The salon JSON API, organiser side: the organiser, salons (settings, import, export, wish
window), participants (and their import) and their personal links."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile, status

from api.db import SessionDep
from api.deps import (
    DEFAULT_LIMIT,
    Limit,
    LinkId,
    Offset,
    OrganiserDep,
    Page,
    ParticipantId,
    SalonId,
    SettingsDep,
)
from api.errors import error_responses
from api.salons import importers, service
from api.salons.routes.routing import AUTH, ORGANISER, WRITE, StrictQueryRoute
from api.salons.schemas import (
    ImportRead,
    Kind,
    LinkCreate,
    LinkCreated,
    LinkRead,
    OrganiserRead,
    ParticipantCreate,
    ParticipantRead,
    ParticipantUpdate,
    SalonCreate,
    SalonRead,
    SalonUpdate,
)
from scheduler import format as v1

router = APIRouter(route_class=StrictQueryRoute)


# ---------------------------------------------------------------- organisers


@router.get(
    "/organisers/me", response_model=OrganiserRead, tags=ORGANISER, responses=error_responses(401)
)
def read_organiser(organiser: OrganiserDep) -> OrganiserRead:
    """The organiser of the API key."""
    return OrganiserRead(id=organiser.id, email=organiser.email, name=organiser.name)


# -------------------------------------------------------------------- salons


@router.post(
    "/salons",
    status_code=status.HTTP_201_CREATED,
    response_model=SalonRead,
    tags=ORGANISER,
    responses=error_responses(401, 422),
)
def create_salon(data: SalonCreate, session: SessionDep, organiser: OrganiserDep) -> SalonRead:
    """Create a salon: time grid, tables, rules; participants come next (or use /import)."""
    return service.create_salon(session, organiser=organiser, data=data)


@router.get(
    "/salons", response_model=Page[SalonRead], tags=ORGANISER, responses=error_responses(401, 422)
)
def list_salons(
    session: SessionDep, organiser: OrganiserDep, offset: Offset = 0, limit: Limit = DEFAULT_LIMIT
) -> Page[SalonRead]:
    return service.list_salons(session, organiser=organiser, offset=offset, limit=limit)


@router.post(
    "/salons/import",
    status_code=status.HTTP_201_CREATED,
    response_model=SalonRead,
    tags=ORGANISER,
    responses=error_responses(401, 422),
)
def import_salon(document: v1.Salon, session: SessionDep, organiser: OrganiserDep) -> SalonRead:
    """Create a salon from a whole salon/v1 file (participants and wishes included)."""
    return service.import_salon(session, organiser=organiser, document=document)


@router.get("/salons/{salon_id:int}", response_model=SalonRead, tags=ORGANISER, responses=AUTH)
def read_salon(salon_id: SalonId, session: SessionDep, organiser: OrganiserDep) -> SalonRead:
    return service.get_salon(session, organiser=organiser, salon_id=salon_id)


@router.patch("/salons/{salon_id:int}", response_model=SalonRead, tags=ORGANISER, responses=WRITE)
def update_salon(
    salon_id: SalonId, data: SalonUpdate, session: SessionDep, organiser: OrganiserDep
) -> SalonRead:
    """Change settings; refused (422) when the salon would break a salon/v1 rule."""
    return service.update_salon(session, organiser=organiser, salon_id=salon_id, data=data)


@router.delete(
    "/salons/{salon_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=ORGANISER,
    responses=WRITE,
)
def delete_salon(salon_id: SalonId, session: SessionDep, organiser: OrganiserDep) -> Response:
    service.delete_salon(session, organiser=organiser, salon_id=salon_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/salons/{salon_id:int}/export",
    response_model=v1.Salon,
    tags=ORGANISER,
    responses=AUTH,
    response_model_exclude_none=True,
)
def export_salon(salon_id: SalonId, session: SessionDep, organiser: OrganiserDep) -> v1.Salon:
    """The salon as a salon/v1 file (what /salons/import reads back)."""
    return service.export_salon(session, organiser=organiser, salon_id=salon_id)


@router.post(
    "/salons/{salon_id:int}/wish-window/open",
    response_model=SalonRead,
    tags=ORGANISER,
    responses=AUTH,
)
def open_wish_window(salon_id: SalonId, session: SessionDep, organiser: OrganiserDep) -> SalonRead:
    """Let participants submit wishes and answer requests."""
    return service.set_wish_window(session, organiser=organiser, salon_id=salon_id, open_=True)


@router.post(
    "/salons/{salon_id:int}/wish-window/close",
    response_model=SalonRead,
    tags=ORGANISER,
    responses=AUTH,
)
def close_wish_window(salon_id: SalonId, session: SessionDep, organiser: OrganiserDep) -> SalonRead:
    return service.set_wish_window(session, organiser=organiser, salon_id=salon_id, open_=False)


# -------------------------------------------------------------- participants


@router.get(
    "/salons/{salon_id:int}/participants",
    response_model=Page[ParticipantRead],
    tags=ORGANISER,
    responses=AUTH,
)
def list_participants(
    salon_id: SalonId,
    session: SessionDep,
    organiser: OrganiserDep,
    offset: Offset = 0,
    limit: Limit = DEFAULT_LIMIT,
    kind: Kind | None = None,
) -> Page[ParticipantRead]:
    return service.list_participants(
        session, organiser=organiser, salon_id=salon_id, offset=offset, limit=limit, kind=kind
    )


@router.post(
    "/salons/{salon_id:int}/participants",
    status_code=status.HTTP_201_CREATED,
    response_model=ParticipantRead,
    tags=ORGANISER,
    responses=WRITE,
)
def create_participant(
    salon_id: SalonId, data: ParticipantCreate, session: SessionDep, organiser: OrganiserDep
) -> ParticipantRead:
    return service.create_participant(session, organiser=organiser, salon_id=salon_id, data=data)


@router.post(
    "/salons/{salon_id:int}/participants/import",
    response_model=ImportRead,
    tags=ORGANISER,
    responses=AUTH,
)
def import_participants(
    salon_id: SalonId,
    session: SessionDep,
    organiser: OrganiserDep,
    file: Annotated[UploadFile, File(description="salon/v1 JSON, CSV or XLSX")],
    format: Annotated[
        importers.Format | None, Query(description="Default: from the file name")
    ] = None,
) -> ImportRead:
    """Create or update participants (matched on `code`) from a file; all or nothing.

    CSV/XLSX columns: id, name, organisation, role, table, representatives, max_meetings,
    email, unavailable (see docs/service.md).
    """
    content = file.file.read(importers.MAX_BYTES + 1)
    fmt = importers.detect_format(file.filename, file.content_type, format)
    specs = importers.read_participants(content, fmt)
    return service.import_participants(session, organiser=organiser, salon_id=salon_id, specs=specs)


@router.get(
    "/salons/{salon_id:int}/participants/{participant_id:int}",
    response_model=ParticipantRead,
    tags=ORGANISER,
    responses=AUTH,
)
def read_participant(
    salon_id: SalonId,
    participant_id: ParticipantId,
    session: SessionDep,
    organiser: OrganiserDep,
) -> ParticipantRead:
    return service.get_participant(
        session, organiser=organiser, salon_id=salon_id, participant_id=participant_id
    )


@router.patch(
    "/salons/{salon_id:int}/participants/{participant_id:int}",
    response_model=ParticipantRead,
    tags=ORGANISER,
    responses=WRITE,
)
def update_participant(
    salon_id: SalonId,
    participant_id: ParticipantId,
    data: ParticipantUpdate,
    session: SessionDep,
    organiser: OrganiserDep,
) -> ParticipantRead:
    return service.update_participant(
        session, organiser=organiser, salon_id=salon_id, participant_id=participant_id, data=data
    )


@router.delete(
    "/salons/{salon_id:int}/participants/{participant_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=ORGANISER,
    responses=WRITE,
)
def delete_participant(
    salon_id: SalonId,
    participant_id: ParticipantId,
    session: SessionDep,
    organiser: OrganiserDep,
) -> Response:
    """Delete a participant, its wishes and links (409 when a stored schedule names it)."""
    service.delete_participant(
        session, organiser=organiser, salon_id=salon_id, participant_id=participant_id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/salons/{salon_id:int}/participants/{participant_id:int}/links",
    response_model=Page[LinkRead],
    tags=ORGANISER,
    responses=AUTH,
)
def list_links(
    salon_id: SalonId,
    participant_id: ParticipantId,
    session: SessionDep,
    organiser: OrganiserDep,
) -> Page[LinkRead]:
    """The participant's links (their tokens are never shown again)."""
    return service.list_links(
        session, organiser=organiser, salon_id=salon_id, participant_id=participant_id
    )


@router.post(
    "/salons/{salon_id:int}/participants/{participant_id:int}/links",
    status_code=status.HTTP_201_CREATED,
    response_model=LinkCreated,
    tags=ORGANISER,
    responses=AUTH,
)
def create_link(
    salon_id: SalonId,
    participant_id: ParticipantId,
    data: LinkCreate,
    session: SessionDep,
    organiser: OrganiserDep,
    settings: SettingsDep,
) -> LinkCreated:
    """A new personal link `{base_url}/p/{token}`; the token is shown this once."""
    return service.create_link(
        session,
        organiser=organiser,
        salon_id=salon_id,
        participant_id=participant_id,
        data=data,
        base_url=settings.base_url,
    )


@router.delete(
    "/salons/{salon_id:int}/participants/{participant_id:int}/links/{link_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=ORGANISER,
    responses=AUTH,
)
def revoke_link(
    salon_id: SalonId,
    participant_id: ParticipantId,
    link_id: LinkId,
    session: SessionDep,
    organiser: OrganiserDep,
) -> Response:
    """Revoke a link: its token stops working at once."""
    service.revoke_link(
        session,
        organiser=organiser,
        salon_id=salon_id,
        participant_id=participant_id,
        link_id=link_id,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
