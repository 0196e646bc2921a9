"""What every use case of the organiser side shares: the organiser's salon or 404 (a salon of
another organiser is "not found" too), a row or 404, and the bounds of a page of a list."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from api.auth import CurrentOrganiser
from api.deps import MAX_LIMIT
from api.errors import not_found
from api.salons import storage
from api.salons.tables import Salon

RowT = TypeVar("RowT")


def found(row: RowT | None, message: str) -> RowT:
    """`row`, else 404 with `message` (a French sentence such as "Salon introuvable.")."""
    if row is None:
        raise not_found(message)
    return row


def organiser_salon(session: Session, *, organiser: CurrentOrganiser, salon_id: int) -> Salon:
    """The organiser's salon, else 404 (whether it is missing or someone else's)."""
    return found(
        storage.find_salon(session, salon_id=salon_id, organiser_id=organiser.id),
        "Salon introuvable.",
    )


def page_bounds(offset: int, limit: int) -> tuple[int, int]:
    """`offset` and `limit` within the paging convention (api.deps: 0 or more, 1 to MAX_LIMIT)."""
    return max(0, offset), max(1, min(limit, MAX_LIMIT))
