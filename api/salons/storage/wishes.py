"""Wishes and the intervals they ask for."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.salons.storage.queries import chunks, paged
from api.salons.tables import Wish, WishInterval


def list_wishes(
    session: Session,
    *,
    salon_id: int,
    offset: int = 0,
    limit: int | None = None,
    from_id: int | None = None,
    to_id: int | None = None,
) -> tuple[list[Wish], int]:
    query = select(Wish).where(Wish.salon_id == salon_id)
    if from_id is not None:
        query = query.where(Wish.from_id == from_id)
    if to_id is not None:
        query = query.where(Wish.to_id == to_id)
    return paged(session, query.order_by(Wish.position, Wish.id), offset=offset, limit=limit)


def wishes_from(session: Session, *, participant_id: int) -> list[Wish]:
    """A participant's own wishes, most wanted first."""
    return list(
        session.scalars(
            select(Wish).where(Wish.from_id == participant_id).order_by(Wish.rank, Wish.id)
        )
    )


def wishes_to(session: Session, *, participant_id: int) -> list[Wish]:
    """The requests addressed to a participant, in the order they came."""
    return list(
        session.scalars(
            select(Wish).where(Wish.to_id == participant_id).order_by(Wish.created_at, Wish.id)
        )
    )


def find_wish(session: Session, *, salon_id: int, wish_id: int) -> Wish | None:
    wish = session.get(Wish, wish_id)
    if wish is None or wish.salon_id != salon_id:
        return None
    return wish


def find_wish_between(session: Session, *, from_id: int, to_id: int) -> Wish | None:
    return session.scalar(select(Wish).where(Wish.from_id == from_id, Wish.to_id == to_id))


def next_wish_position(session: Session, *, salon_id: int) -> int:
    last = session.scalar(select(func.max(Wish.position)).where(Wish.salon_id == salon_id))
    return 0 if last is None else int(last) + 1


def insert_wishes(session: Session, *, wishes: Sequence[Wish]) -> None:
    session.add_all(wishes)
    session.flush()


def delete_wishes(session: Session, *, wish_ids: Sequence[int]) -> None:
    if wish_ids:
        session.execute(delete(Wish).where(Wish.id.in_(wish_ids)))
        session.flush()


def intervals_of(session: Session, *, wish_ids: Sequence[int]) -> dict[int, list[WishInterval]]:
    grouped: dict[int, list[WishInterval]] = defaultdict(list)
    if not wish_ids:
        return grouped
    for chunk in chunks(list(wish_ids), 500):
        rows = session.scalars(
            select(WishInterval)
            .where(WishInterval.wish_id.in_(chunk))
            .order_by(WishInterval.wish_id, WishInterval.position)
        )
        for row in rows:
            grouped[row.wish_id].append(row)
    return grouped


def salon_wish_intervals(session: Session, *, salon_id: int) -> dict[int, list[WishInterval]]:
    grouped: dict[int, list[WishInterval]] = defaultdict(list)
    rows = session.scalars(
        select(WishInterval)
        .join(Wish, Wish.id == WishInterval.wish_id)
        .where(Wish.salon_id == salon_id)
        .order_by(WishInterval.wish_id, WishInterval.position)
    )
    for row in rows:
        grouped[row.wish_id].append(row)
    return grouped


def replace_wish_intervals(
    session: Session, *, wish_id: int, intervals: Sequence[tuple[dt.datetime, dt.datetime]]
) -> None:
    session.execute(delete(WishInterval).where(WishInterval.wish_id == wish_id))
    session.add_all(
        WishInterval(wish_id=wish_id, position=i, start=start, end=end)
        for i, (start, end) in enumerate(intervals)
    )
    session.flush()


def insert_wish_intervals(session: Session, *, intervals: Sequence[WishInterval]) -> None:
    session.add_all(intervals)
    session.flush()
