"""What the storage modules share: a page of a query with the count of all its rows, and
ids in chunks (for long IN lists)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

RowT = TypeVar("RowT")
ItemT = TypeVar("ItemT")


def paged(
    session: Session, query: Select[Any], *, offset: int, limit: int | None
) -> tuple[list[RowT], int]:
    """The rows of `query` from `offset`, at most `limit` (all when None), and how many rows the
    whole query has."""
    count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    if limit is not None:
        query = query.offset(offset).limit(limit)
    elif offset:
        query = query.offset(offset)
    return list(session.scalars(query)), int(count or 0)


def chunks(items: list[ItemT], size: int) -> Iterable[list[ItemT]]:
    """`items` in lists of at most `size`, in order."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
