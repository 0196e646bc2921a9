"""Pydantic models of the public file formats: salon/v1 (input) and schedule/v1 (output).

All times are naive local times in the salon's timezone. See docs/formats.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, field_validator
from pydantic_core import PydanticCustomError

ObjectiveName = Literal["coverage", "fairness", "score", "idle", "breaks"]
DEFAULT_OBJECTIVES: list[ObjectiveName] = ["coverage", "score", "idle"]
MAX_TABLES = 10_000
"""Most tables a salon may number with `tables: N` (a larger N is a typo, not a salon)."""
MAX_LIMIT = 10_000
"""Largest `max_in_a_row`, `max_meetings` and `max_break_spread`: no salon needs more (omit the
field for no limit), and the solver's integers stay far from CP-SAT's 64-bit range."""



def reject_boolean(value: Any) -> Any:
    """Refuse true/false where a number is expected (pydantic would read them as 1 and 0)."""
    if isinstance(value, bool):
        raise PydanticCustomError("number_type", "Input should be a number, not true or false")
    return value


Integer = Annotated[int, BeforeValidator(reject_boolean)]
"""A whole number; a numeral in text is read (CSV cells), true/false is refused."""
Number = Annotated[float, BeforeValidator(reject_boolean)]
"""A number; true/false is refused."""
Flag = Annotated[bool, Strict()]
"""true or false, nothing that merely looks like one (1, "yes")."""


def written_as_text(kind: str, what: str) -> BeforeValidator:
    """Refuse a number where a date or a time is expected (pydantic would read a Unix time, or
    seconds since midnight), with pydantic's error type `{kind}_type`."""

    def reject_number(value: Any) -> Any:
        if isinstance(value, int | float):
            raise PydanticCustomError(f"{kind}_type", f"Input should be {what}, not a number")
        return value

    return BeforeValidator(reject_number)


Moment = Annotated[dt.datetime, written_as_text("datetime", "a date and time")]
"""A date and time written as text (2023-11-28T09:30, with or without an offset)."""
Day = Annotated[dt.date, written_as_text("date", "a date")]
"""A date written as text (2023-11-28)."""
ClockTime = Annotated[dt.time, written_as_text("time", "a time")]
"""A time of day written as text (09:30)."""

Id = Annotated[str, Field(min_length=1, max_length=64)]
"""A participant or table id."""
Limit = Annotated[Integer, Field(ge=0, le=MAX_LIMIT)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


LOCAL_TIME_MESSAGE = "times are local to the salon's timezone: remove the UTC offset"


def reject_utc_offset(value: Any) -> Any:
    """Reject a datetime or time with a UTC offset: every time of a salon is local."""
    if value is not None and value.tzinfo is not None:
        raise ValueError(LOCAL_TIME_MESSAGE)
    return value


class Interval(_Strict):
    """A half-open interval [start, end) of local time."""

    start: Moment
    end: Moment

    _naive = field_validator("start", "end")(reject_utc_offset)

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        """True when [start, end) meets this interval."""
        return start < self.end and self.start < end

    def contains(self, start: dt.datetime, end: dt.datetime) -> bool:
        """True when [start, end) lies inside this interval."""
        return self.start <= start and end <= self.end


class SessionSpec(_Strict):
    """A block of meetings on one day, e.g. the morning."""

    date: Day
    start: ClockTime
    end: ClockTime

    _naive = field_validator("start", "end")(reject_utc_offset)

    @property
    def starts_at(self) -> dt.datetime:
        return dt.datetime.combine(self.date, self.start)

    @property
    def ends_at(self) -> dt.datetime:
        return dt.datetime.combine(self.date, self.end)


class TableSpec(_Strict):
    id: Id
    name: str | None = None
    room: str | None = None


class Participant(_Strict):
    id: Id
    name: Annotated[str, Field(min_length=1, max_length=200)]
    organisation: str = ""
    role: str = ""
    table: str | None = None
    representatives: Annotated[Integer, Field(ge=1, le=50)] = 1
    max_meetings: Limit | None = None
    unavailable: list[Interval] = Field(default_factory=list)
    email: str | None = None


class KindCaps(_Strict):
    """Caps on the meetings of every participant of one kind (salon/v1 `max_meetings_by_kind`).

    A director is a participant with a home table, an industrial one without (the service's two
    sides). A participant's effective cap is the smaller of its own `max_meetings` and its kind's.
    """

    director: Limit | None = None
    industrial: Limit | None = None

    def of(self, participant: Participant) -> int | None:
        """The cap of the participant's kind (None: no cap for that kind)."""
        return self.director if participant.table is not None else self.industrial


class Wish(_Strict):
    from_: Annotated[str, Field(alias="from", min_length=1)]
    to: Annotated[str, Field(min_length=1)]
    priority: Annotated[Integer, Field(ge=1, le=3)] = 2
    required: Flag = False
    declined: Flag = False
    during: list[Interval] | None = None
    pinned: Moment | None = None

    _naive = field_validator("pinned")(reject_utc_offset)

    @property
    def weight(self) -> int:
        """The wish's weight: 4 - priority (3 for the most wanted)."""
        return 0 if self.declined else 4 - self.priority


class Salon(_Strict):
    """A salon/v1 file."""

    format: Literal["salon/v1"] = "salon/v1"
    name: Annotated[str, Field(min_length=1, max_length=200)]
    timezone: str = "Europe/Paris"
    meeting_minutes: Annotated[Integer, Field(ge=1, le=24 * 60)]
    changeover_minutes: Annotated[Integer, Field(ge=0, le=24 * 60)] = 0
    sessions: Annotated[list[SessionSpec], Field(min_length=1)]
    tables: Annotated[Integer, Field(ge=0, le=MAX_TABLES)] | list[Id] | list[TableSpec] = 0
    max_in_a_row: Annotated[Integer, Field(ge=1, le=MAX_LIMIT)] | None = None
    objectives: list[ObjectiveName] = Field(default_factory=lambda: list(DEFAULT_OBJECTIVES))
    max_break_spread: Limit | None = None
    max_meetings_by_kind: KindCaps | None = None
    participants: list[Participant] = Field(default_factory=list)
    wishes: list[Wish] = Field(default_factory=list)

    def table_specs(self) -> list[TableSpec]:
        """The tables as a list of TableSpec, whatever form the file used."""
        if isinstance(self.tables, int):
            return [TableSpec(id=f"T{i}") for i in range(1, self.tables + 1)]
        return [t if isinstance(t, TableSpec) else TableSpec(id=t) for t in self.tables]

    def to_json_dict(self) -> dict[str, Any]:
        """The salon as a JSON-ready dict using the file's field names."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


# ---------------------------------------------------------------- schedule/v1


class ScheduledMeeting(_Strict):
    from_: str = Field(alias="from")
    to: str
    start: Moment
    end: Moment
    table: str


class UnscheduledWish(_Strict):
    from_: str = Field(alias="from")
    to: str
    reason: str
    detail: str = ""
    detail_en: str = ""


class ObjectiveValue(_Strict):
    name: ObjectiveName
    value: int
    bound: int


class MeetingRef(_Strict):
    start: Moment
    table: str


class Change(_Strict):
    kind: Literal["kept", "moved", "dropped", "added"]
    from_: str = Field(alias="from")
    to: str
    before: MeetingRef | None = None
    after: MeetingRef | None = None
    reason: str = ""


class Schedule(_Strict):
    """A schedule/v1 file."""

    format: Literal["schedule/v1"] = "schedule/v1"
    salon: str
    status: Literal["optimal", "feasible"] = "feasible"
    objectives: list[ObjectiveValue] = Field(default_factory=list)
    meetings: list[ScheduledMeeting] = Field(default_factory=list)
    unscheduled: list[UnscheduledWish] = Field(default_factory=list)
    stats: dict[str, Any] = Field(default_factory=dict)
    changes: list[Change] | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """The schedule as a JSON-ready dict using the file's field names."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
