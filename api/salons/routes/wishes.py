"""The salon JSON API, organiser side: a salon's wishes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile, status

from api.db import SessionDep
from api.deps import DEFAULT_LIMIT, Limit, Offset, OrganiserDep, Page, SalonId, WishId
from api.salons import importers, service, wish_importers
from api.salons.routes.routing import AUTH, ORGANISER, WRITE, StrictQueryRoute
from api.salons.schemas import ImportRead, WishCreate, WishRead, WishUpdate

router = APIRouter(route_class=StrictQueryRoute)


# -------------------------------------------------------------------- wishes


@router.get(
    "/salons/{salon_id:int}/wishes", response_model=Page[WishRead], tags=ORGANISER, responses=AUTH
)
def list_wishes(
    salon_id: SalonId,
    session: SessionDep,
    organiser: OrganiserDep,
    offset: Offset = 0,
    limit: Limit = DEFAULT_LIMIT,
    from_code: Annotated[str | None, Query(alias="from", max_length=64)] = None,
    to_code: Annotated[str | None, Query(alias="to", max_length=64)] = None,
) -> Page[WishRead]:
    """Every wish of the salon (filter by asker `from` or asked `to` code)."""
    return service.list_wishes(
        session,
        organiser=organiser,
        salon_id=salon_id,
        offset=offset,
        limit=limit,
        from_code=from_code,
        to_code=to_code,
    )


@router.post(
    "/salons/{salon_id:int}/wishes",
    status_code=status.HTTP_201_CREATED,
    response_model=WishRead,
    tags=ORGANISER,
    responses=WRITE,
)
def create_wish(
    salon_id: SalonId, data: WishCreate, session: SessionDep, organiser: OrganiserDep
) -> WishRead:
    """An organiser's wish (may be required, pinned or limited in time)."""
    return service.create_wish(session, organiser=organiser, salon_id=salon_id, data=data)


@router.post(
    "/salons/{salon_id:int}/wishes/import",
    response_model=ImportRead,
    tags=ORGANISER,
    responses=AUTH,
)
def import_wishes(
    salon_id: SalonId,
    session: SessionDep,
    organiser: OrganiserDep,
    file: Annotated[UploadFile, File(description="CSV or XLSX")],
    format: Annotated[
        importers.Format | None, Query(description="Default: from the file name")
    ] = None,
) -> ImportRead:
    """Create or update wishes (matched on asker and asked) from a sheet; all or nothing.

    CSV/XLSX columns: from, to, priority, required, message (see docs/service.md); every
    problem is named by its line and column.
    """
    content = file.file.read(importers.MAX_BYTES + 1)
    fmt = importers.detect_format(file.filename, file.content_type, format)
    wishes = wish_importers.read_wishes(content, fmt)
    return service.import_wishes(session, organiser=organiser, salon_id=salon_id, wishes=wishes)


@router.get(
    "/salons/{salon_id:int}/wishes/{wish_id:int}",
    response_model=WishRead,
    tags=ORGANISER,
    responses=AUTH,
)
def read_wish(
    salon_id: SalonId, wish_id: WishId, session: SessionDep, organiser: OrganiserDep
) -> WishRead:
    return service.get_wish(session, organiser=organiser, salon_id=salon_id, wish_id=wish_id)


@router.patch(
    "/salons/{salon_id:int}/wishes/{wish_id:int}",
    response_model=WishRead,
    tags=ORGANISER,
    responses=WRITE,
)
def update_wish(
    salon_id: SalonId,
    wish_id: WishId,
    data: WishUpdate,
    session: SessionDep,
    organiser: OrganiserDep,
) -> WishRead:
    return service.update_wish(
        session, organiser=organiser, salon_id=salon_id, wish_id=wish_id, data=data
    )


@router.delete(
    "/salons/{salon_id:int}/wishes/{wish_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=ORGANISER,
    responses=AUTH,
)
def delete_wish(
    salon_id: SalonId, wish_id: WishId, session: SessionDep, organiser: OrganiserDep
) -> Response:
    service.delete_wish(session, organiser=organiser, salon_id=salon_id, wish_id=wish_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
