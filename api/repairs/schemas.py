"""Request and response bodies of the repair API.

Salon-local times (`now`, meeting starts) are naive ISO datetimes in the salon's timezone, as in
salon/v1; `*_at` timestamps are aware UTC. The changes are changes/v1 items (docs/changes.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.salons.schemas import ObjectiveRead, UnscheduledRead
from scheduler.changes import DayChange, LocalTime


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class _Out(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class RepairCreate(_In):
    """Changes of the day, applied to the published schedule."""

    changes: Annotated[list[DayChange], Field(max_length=1000)] = Field(
        description="changes/v1 items: cancellations, unavailabilities, cancelled meetings, "
        "no-shows, walk-ins, new wishes, closed tables"
    )
    now: LocalTime | None = Field(
        default=None,
        description="The salon's local time, without UTC offset (default: the current time "
        "in the salon's timezone); meetings started before it are frozen",
    )


class MeetingRefRead(_Out):
    start: dt.datetime
    table: str


class ChangeRead(_Out):
    """A meeting kept (with a no-show mark), moved, dropped or added by the repair."""

    kind: Literal["kept", "moved", "dropped", "added"]
    from_: str = Field(alias="from")
    to: str
    before: MeetingRefRead | None = None
    after: MeetingRefRead | None = None
    reason: str


class AffectedParticipant(_Out):
    """A participant whose agenda the repair changes (to tell)."""

    code: str
    name: str
    email: str | None


class RepairRead(_Out):
    """A repair: the changes posted, its draft schedule version and its change list."""

    id: int
    salon_id: int
    state: Literal["draft", "published"]
    current: bool = Field(
        description="True when the draft starts from the version participants "
        "see now (or is it): it can be published without losing a change"
    )
    base_version: int | None
    version: int = Field(description="The draft's schedule version (GET /schedules/{version})")
    now: dt.datetime
    changes: list[DayChange]
    change_list: list[ChangeRead]
    participants: list[AffectedParticipant]
    moved: int
    dropped: int
    added: int
    objectives: list[ObjectiveRead]
    unscheduled: list[UnscheduledRead]
    notified: int = Field(description="Mails sent when it was published through this API")
    created_at: dt.datetime
    published_at: dt.datetime | None
    notified_at: dt.datetime | None
