"""Request and response bodies of the salon API (`XCreate / XUpdate / XRead`; lists
are `api.deps.Page[X]`).

Salon-local times (sessions, intervals, meetings, pins) are naive ISO datetimes in the salon's
timezone, as in salon/v1. Bookkeeping timestamps (`*_at`) and the wish deadline are aware
(UTC on output; a naive deadline on input is read in the salon's timezone).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from scheduler.format import (
    MAX_LIMIT,
    Flag,
    Integer,
    Interval,
    KindCaps,
    Moment,
    Number,
    ObjectiveName,
    SessionSpec,
    TableSpec,
)

Code = Annotated[str, Field(min_length=1, max_length=64, description="The id in salon/v1 files")]
MAX_MESSAGE = 300
"""Longest message a wish carries to the asked participant (characters)."""
Message = Annotated[
    str, Field(max_length=MAX_MESSAGE, description="A short message the asked participant reads")
]
Priority = Annotated[Integer, Field(ge=1, le=3, description="1 = most wanted, 3 = least")]
Kind = Literal["director", "industrial"]
Decision = Literal["pending", "accepted", "declined"]
JobState = Literal["queued", "running", "done", "failed", "cancelled"]
Tables = Annotated[
    Integer | list[str] | list[TableSpec],
    Field(description="A number of tables T1..Tn, a list of ids or a list of table specs"),
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class _Out(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


# ------------------------------------------------------------------------ salons


class SalonCreate(_In):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    timezone: Annotated[str, Field(max_length=64)] = "Europe/Paris"
    meeting_minutes: Annotated[Integer, Field(ge=1, le=24 * 60)] = 15
    changeover_minutes: Annotated[Integer, Field(ge=0, le=24 * 60)] = 0
    sessions: Annotated[list[SessionSpec], Field(min_length=1, max_length=100)]
    tables: Tables = 0
    max_in_a_row: Annotated[Integer, Field(ge=1, le=MAX_LIMIT)] | None = None
    objectives: list[ObjectiveName] | None = None
    max_break_spread: Annotated[Integer, Field(ge=0, le=MAX_LIMIT)] | None = None
    max_meetings_by_kind: KindCaps | None = None
    wish_deadline: Moment | None = None
    max_wishes: Annotated[Integer, Field(ge=1, le=1000)] | None = None


class SalonUpdate(_In):
    """Fields to change; `null` clears an optional setting, a list replaces the old one."""

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    timezone: Annotated[str, Field(max_length=64)] | None = None
    meeting_minutes: Annotated[Integer, Field(ge=1, le=24 * 60)] | None = None
    changeover_minutes: Annotated[Integer, Field(ge=0, le=24 * 60)] | None = None
    sessions: Annotated[list[SessionSpec], Field(min_length=1, max_length=100)] | None = None
    tables: Tables | None = None
    max_in_a_row: Annotated[Integer, Field(ge=1, le=MAX_LIMIT)] | None = None
    objectives: list[ObjectiveName] | None = None
    max_break_spread: Annotated[Integer, Field(ge=0, le=MAX_LIMIT)] | None = None
    max_meetings_by_kind: KindCaps | None = None
    wish_deadline: Moment | None = None
    max_wishes: Annotated[Integer, Field(ge=1, le=1000)] | None = None


class SalonRead(_Out):
    id: int
    name: str
    timezone: str
    meeting_minutes: int
    changeover_minutes: int
    sessions: list[SessionSpec]
    tables: list[TableSpec]
    max_in_a_row: int | None
    objectives: list[ObjectiveName]
    max_break_spread: int | None
    max_meetings_by_kind: KindCaps | None
    wishes_open: bool
    wish_deadline: dt.datetime | None
    max_wishes: int | None
    participant_count: int
    wish_count: int
    published_version: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


# ------------------------------------------------------------------ participants


class ParticipantCreate(_In):
    code: Code
    name: Annotated[str, Field(min_length=1, max_length=200)]
    organisation: Annotated[str, Field(max_length=500)] = ""
    role: Annotated[str, Field(max_length=500)] = ""
    table: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        default=None, description="Home table (directors); none for industrials"
    )
    representatives: Annotated[Integer, Field(ge=1, le=50)] = 1
    max_meetings: Annotated[Integer, Field(ge=0, le=10_000)] | None = None
    unavailable: Annotated[list[Interval], Field(max_length=100)] = Field(default_factory=list)
    email: Annotated[str, Field(max_length=254)] | None = None


class ParticipantUpdate(_In):
    code: Code | None = None
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    organisation: Annotated[str, Field(max_length=500)] | None = None
    role: Annotated[str, Field(max_length=500)] | None = None
    table: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    representatives: Annotated[Integer, Field(ge=1, le=50)] | None = None
    max_meetings: Annotated[Integer, Field(ge=0, le=10_000)] | None = None
    unavailable: Annotated[list[Interval], Field(max_length=100)] | None = None
    email: Annotated[str, Field(max_length=254)] | None = None


class ParticipantRead(_Out):
    id: int
    code: str
    name: str
    organisation: str
    role: str
    kind: Kind
    table: str | None
    representatives: int
    max_meetings: int | None
    unavailable: list[Interval]
    email: str | None
    wishes_submitted_at: dt.datetime | None
    created_at: dt.datetime


class ImportRead(_Out):
    """What an import did: participants created and updated (matched on `code`)."""

    created: int
    updated: int
    count: int


class LinkCreate(_In):
    expires_at: Moment | None = Field(
        default=None, description="When the link stops working (none: until revoked)"
    )


class LinkRead(_Out):
    id: int
    active: bool
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class LinkCreated(LinkRead):
    """A new link: the token is shown once, only its hash is stored."""

    token: str
    url: str


# ------------------------------------------------------------------------ wishes


class WishCreate(_In):
    from_: Code = Field(alias="from")
    to: Code
    priority: Priority = 2
    required: Flag = False
    declined: Flag = False
    during: Annotated[list[Interval], Field(max_length=50)] | None = None
    pinned: Moment | None = None
    message: Message | None = None


class WishUpdate(_In):
    priority: Priority | None = None
    required: Flag | None = None
    declined: Flag | None = None
    during: Annotated[list[Interval], Field(max_length=50)] | None = None
    pinned: Moment | None = None
    message: Message | None = None


class WishRead(_Out):
    id: int
    from_: str = Field(alias="from")
    to: str
    rank: int
    priority: int
    required: bool
    declined: bool
    decision: Decision
    during: list[Interval] | None
    pinned: dt.datetime | None
    message: str
    created_at: dt.datetime
    updated_at: dt.datetime


# ------------------------------------------------------------- participant side


class SalonPublicRead(_Out):
    """What a participant sees of its salon."""

    name: str
    timezone: str
    meeting_minutes: int
    sessions: list[SessionSpec]
    wishes_open: bool
    wish_deadline: dt.datetime | None
    max_wishes: int | None


class MeRead(_Out):
    code: str
    name: str
    organisation: str
    role: str
    kind: Kind
    table: str | None
    representatives: int
    email: str | None
    wishes_submitted_at: dt.datetime | None
    salon: SalonPublicRead


class DirectoryEntry(_Out):
    """Another participant of the salon, as a participant sees it (no wishes, no agenda)."""

    code: str
    name: str
    organisation: str
    role: str
    kind: Kind
    table: str | None


class MyWishIn(_In):
    to: Code
    priority: Priority | None = Field(
        default=None, description="Default: from the rank (first third 1, middle 2, last 3)"
    )
    rank: Annotated[Integer, Field(ge=1, le=1000)] | None = Field(
        default=None,
        description="1 = most wanted; given on every wish or on none (then the list's order); "
        "two wishes with one rank are refused (duplicate_rank)",
    )
    message: Message = ""


class MyWishesUpdate(_In):
    """A participant's whole wish list, most wanted first (replaces the previous one)."""

    wishes: Annotated[list[MyWishIn], Field(max_length=1000)]


class MyWishRead(_Out):
    id: int
    to: str
    to_name: str
    to_organisation: str
    rank: int
    priority: int
    decision: Decision
    message: str


class RequestRead(_Out):
    """A wish addressed to the participant."""

    id: int
    from_: str = Field(alias="from")
    from_name: str
    from_organisation: str
    from_role: str
    message: str
    decision: Decision
    decided_at: dt.datetime | None


class RequestDecision(_In):
    decision: Literal["accepted", "declined"]


class Counterpart(_Out):
    code: str
    name: str
    organisation: str


class AgendaMeeting(_Out):
    start: dt.datetime
    end: dt.datetime
    table: str
    table_name: str | None
    room: str | None
    with_: Counterpart = Field(alias="with")


class AgendaUnmet(_Out):
    """A wish made or received by the participant that the published schedule does not hold."""

    with_: Counterpart = Field(alias="with")
    asked_by_me: bool
    reason: str = Field(description="the rule that explains it (docs/formats.md)")


class AgendaRead(_Out):
    """The participant's meetings in the published schedule (empty before publication), and
    the wishes and requests it does not hold."""

    published: bool
    version: int | None
    published_at: dt.datetime | None
    meetings: list[AgendaMeeting]
    unscheduled: list[AgendaUnmet] = Field(default_factory=list)


# -------------------------------------------------------------- solves, schedules


MAX_TIME_LIMIT = 3600
"""The longest solve anyone may ask (seconds); each organiser's is `solve_max_time_limit`."""
MAX_WORKERS = 64
"""The most CP-SAT workers anyone may ask; each organiser's is `solve_max_workers`."""


class SolveCreate(_In):
    time_limit: Annotated[Number, Field(gt=0, le=MAX_TIME_LIMIT)] | None = Field(
        default=None,
        description="Seconds (default: the service's setting; at most `solve_max_time_limit`)",
    )
    workers: Annotated[Integer, Field(ge=1, le=MAX_WORKERS)] | None = Field(
        default=None, description="CP-SAT workers (at most `solve_max_workers`)"
    )
    seed: Annotated[Integer, Field(ge=0, le=2**31 - 1)] = 0


class ClashRead(_Out):
    rule: str
    message: str


class JobError(_Out):
    code: str
    message: str
    clashes: list[ClashRead] = Field(default_factory=list)


class SolveRead(_Out):
    """A solve job: state, live progress (phase, best values, bounds, elapsed) and result."""

    id: int
    salon_id: int
    state: JobState
    cancel_requested: bool
    phase: str
    elapsed: float
    message: str
    values: dict[str, int]
    bounds: dict[str, int]
    time_limit: float
    workers: int
    seed: int
    participant_count: int | None
    wish_count: int | None
    error: JobError | None
    schedule_version: int | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    queue_position: int | None = Field(
        default=None,
        description="While queued: its place among the queued solves (1: the next to start; "
        "the salon's day first, then the oldest). None once started.",
    )


class ObjectiveRead(_Out):
    name: str
    value: int
    bound: int


class ScheduleSummary(_Out):
    version: int
    state: Literal["preliminary", "published"]
    current: bool = Field(description="True for the version participants see")
    status: Literal["optimal", "feasible"]
    job_id: int | None
    objectives: list[ObjectiveRead]
    meeting_count: int
    unscheduled_count: int
    created_at: dt.datetime
    published_at: dt.datetime | None


class MeetingRead(_Out):
    from_: str = Field(alias="from")
    to: str
    start: dt.datetime
    end: dt.datetime
    table: str


class UnscheduledRead(_Out):
    from_: str = Field(alias="from")
    to: str
    reason: str
    detail: str
    detail_en: str


class ScheduleRead(ScheduleSummary):
    meetings: list[MeetingRead]
    unscheduled: list[UnscheduledRead]
    stats: dict[str, Any]


class OrganiserRead(_Out):
    id: int
    email: str
    name: str
