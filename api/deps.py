"""What every router shares: dependency aliases, id path types and the one paging convention.

- Dependencies: `SettingsDep` (the app's `Settings`), `LanguageDep` (the request's language),
  `OrganiserDep` / `ParticipantDep` (who calls, api.auth). `SessionDep` stays in api.db, with the
  engine and the request sessions it limits.
- Ids in paths: `SalonId`, `ParticipantId`, `LinkId`, `WishId`, `JobId`, `Version`, `RepairId`,
  `EventId`: 1 to `MAX_ID` (PostgreSQL's `integer`), so that a bigger number is a 422 naming the
  path, never a database error.
- Paging: JSON lists take `?offset=&limit=` (`Offset`, `Limit`: limit 1 to `MAX_LIMIT`, 500;
  offset 0 to `MAX_OFFSET`) and answer `Page[X]`, `{"data": [...], "count": N}` where `count`
  is the total before paging. Pages for people that show page numbers (the catalogue's search)
  keep `?page=N` in their URLs and turn it into the same offset and limit with `page_window`.
"""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Path, Query, Request
from pydantic import BaseModel

from api.auth import CurrentOrganiser, CurrentParticipant, current_organiser, current_participant
from api.i18n import request_language
from api.settings import Settings

ItemT = TypeVar("ItemT")


# ---------------------------------------------------------------- dependencies


def request_settings(request: Request) -> Settings:
    """The settings the app was made with (`create_app(settings)`)."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(request_settings)]
LanguageDep = Annotated[str, Depends(request_language)]
OrganiserDep = Annotated[CurrentOrganiser, Depends(current_organiser)]
ParticipantDep = Annotated[CurrentParticipant, Depends(current_participant)]


# ---------------------------------------------------------------------- ids


MAX_ID = 2_147_483_647
"""The largest id a path takes (PostgreSQL's `integer`)."""
_Id = Annotated[int, Path(ge=1, le=MAX_ID)]

SalonId = _Id
ParticipantId = _Id
LinkId = _Id
WishId = _Id
JobId = _Id
Version = _Id
"""A schedule's version number within its salon."""
RepairId = _Id
EventId = _Id
"""A catalogue event."""


# ------------------------------------------------------------------- paging


MAX_LIMIT = 500
"""The most items one page of any JSON list holds (`limit`)."""
DEFAULT_LIMIT = 100
"""Items per page when `limit` is not given (the catalogue's search: its page size, 20)."""
MAX_OFFSET = 1_000_000_000

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip (default 0)")]
Limit = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page, 1 to {MAX_LIMIT}")
]


class Page(BaseModel, Generic[ItemT]):
    """One page of a list: the items and the total count (before paging)."""

    data: list[ItemT]
    count: int


def page_window(number: int, size: int) -> tuple[int, int]:
    """The `(offset, limit)` of page `number` (from 1) of `size` items (at most `MAX_LIMIT`)."""
    limit = max(1, min(size, MAX_LIMIT))
    return min((max(1, number) - 1) * limit, MAX_OFFSET), limit


def page_number(offset: int, limit: int) -> int:
    """The page (from 1) that starts at or holds `offset`, with pages of `limit` items."""
    return offset // max(1, limit) + 1


def page_count(count: int, limit: int) -> int:
    """How many pages of `limit` items hold `count` items (at least 1: an empty first page)."""
    return max(1, -(-count // max(1, limit)))
