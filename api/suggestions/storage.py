"""Queries of suggestions (keyword-only, read only): the requests each participant received."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.salons.tables import Wish


def requests_received(session: Session, *, salon_id: int) -> dict[int, int]:
    """Participant id -> wishes made to it (its requests), in one salon."""
    query = (
        select(Wish.to_id, func.count())
        .where(Wish.salon_id == salon_id)
        .group_by(Wish.to_id)
    )
    return {to_id: int(count) for to_id, count in session.execute(query)}
