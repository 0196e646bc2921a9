"""Request and response schemas of the catalogue (XCreate / XUpdate / XRead).

Schemas check types and lengths only; the business rules (place required on site, known
département, end after start, deadline...) live in `validation` and `workflow`. Naive datetimes
are read as Europe/Paris time; every datetime is returned in Europe/Paris with its offset.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
)
from pydantic_core import PydanticCustomError

from api.catalogue.vocabulary import Accessibility, AttendanceMode, Audience, LiveStatus, State
from api.deps import Page
from scheduler.format import Day, Flag, Integer, Moment


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _split_list(value: Any) -> Any:
    """Lists may be given as a comma-separated string (HTML forms)."""
    if isinstance(value, str):
        value = value.split(",")
    if isinstance(value, list):
        cleaned = []
        for item in value:
            text = " ".join(item.split()) if isinstance(item, str) else item
            if text and text not in cleaned:
                cleaned.append(text)
        return cleaned
    return value


TITLE_MAX = 140
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_printable(value: str | None) -> str | None:
    """Refuses invisible control characters (NUL...); tabs and line breaks are allowed."""
    found = CONTROL_CHARACTER.search(value) if value is not None else None
    if found:
        raise PydanticCustomError(
            "control_character",
            "control character U+{code} at position {position}",
            {"code": f"{ord(found.group()):04X}", "position": found.start() + 1},
        )
    return value


def _printable(value: str) -> str:
    check_printable(value)
    return value


OptionalText = Annotated[
    str | None, BeforeValidator(_blank_to_none), AfterValidator(check_printable)
]
Text = Annotated[str, BeforeValidator(_strip), AfterValidator(_printable)]
Markdown = Annotated[str, AfterValidator(_printable)]
TextList = Annotated[
    list[Annotated[str, Field(max_length=80), AfterValidator(_printable)]],
    BeforeValidator(_split_list),
]

class TimingIn(BaseModel):
    """One occurrence; a naive datetime is Europe/Paris time."""

    start: dt.datetime
    end: dt.datetime


class PlaceIn(BaseModel):
    name: OptionalText = Field(default=None, max_length=200)
    address: OptionalText = Field(default=None, max_length=300)
    postal_code: OptionalText = Field(default=None, max_length=10)
    commune: OptionalText = Field(default=None, max_length=140)
    departement: OptionalText = Field(default=None, max_length=3, description="INSEE code, e.g. 2A")
    region: OptionalText = Field(default=None, max_length=3, description="INSEE code, e.g. 11")


class OrganizerIn(BaseModel):
    structure: Text = Field(min_length=1, max_length=200)
    contact_name: OptionalText = Field(default=None, max_length=140)
    contact_email: OptionalText = Field(default=None, max_length=254)


class EventFields(BaseModel):
    """The editable content of an event."""

    model_config = ConfigDict(extra="forbid")

    title: Text = Field(min_length=1, max_length=TITLE_MAX)
    short_description: Text = Field(min_length=1, max_length=200)
    long_description: Markdown = Field(default="", max_length=20_000)
    format: Text = Field(min_length=1, max_length=60, description="slug of a format")
    themes: TextList = Field(default_factory=list, max_length=10)
    keywords: TextList = Field(default_factory=list, max_length=20)
    timings: list[TimingIn] = Field(min_length=1, max_length=60)
    attendance_mode: AttendanceMode
    online_url: OptionalText = Field(default=None, max_length=500)
    place: PlaceIn | None = None
    audiences: list[Audience] = Field(default_factory=list)
    accessibility: list[Accessibility] = Field(default_factory=list)
    registration_url: OptionalText = Field(default=None, max_length=500)
    registration_email: OptionalText = Field(default=None, max_length=254)
    organizer: OrganizerIn
    track: OptionalText = Field(default=None, max_length=80, description="slug of a track")
    track_step: Integer | None = Field(default=None, ge=1, le=100)
    status: LiveStatus = "scheduled"

    @field_validator("audiences", "accessibility", mode="before")
    @classmethod
    def _dedupe(cls, value: Any) -> Any:
        return _split_list(value)


class EventCreate(EventFields):
    """A new event (created as a draft) in an edition (default: the latest edition)."""

    edition: OptionalText = Field(default=None, max_length=80, description="slug of an edition")


class EventUpdate(BaseModel):
    """A partial change: only the fields given are changed (null clears an optional field)."""

    model_config = ConfigDict(extra="forbid")

    title: Text | None = Field(default=None, min_length=1, max_length=TITLE_MAX)
    short_description: Text | None = Field(default=None, min_length=1, max_length=200)
    long_description: Markdown | None = Field(default=None, max_length=20_000)
    format: Text | None = Field(default=None, min_length=1, max_length=60)
    themes: TextList | None = Field(default=None, max_length=10)
    keywords: TextList | None = Field(default=None, max_length=20)
    timings: list[TimingIn] | None = Field(default=None, min_length=1, max_length=60)
    attendance_mode: AttendanceMode | None = None
    online_url: OptionalText = Field(default=None, max_length=500)
    place: PlaceIn | None = None
    audiences: list[Audience] | None = None
    accessibility: list[Accessibility] | None = None
    registration_url: OptionalText = Field(default=None, max_length=500)
    registration_email: OptionalText = Field(default=None, max_length=254)
    organizer: OrganizerIn | None = None
    track: OptionalText = Field(default=None, max_length=80)
    track_step: Integer | None = Field(default=None, ge=1, le=100)
    status: LiveStatus | None = None


class ModerationMessage(BaseModel):
    """The message of a moderation decision (required to reject or to ask for changes)."""

    message: OptionalText = Field(default=None, max_length=5000)


class TimingRead(BaseModel):
    start: dt.datetime
    end: dt.datetime


class NamedCode(BaseModel):
    code: str
    name: str


class PlaceRead(BaseModel):
    name: str | None
    address: str | None
    postal_code: str | None
    commune: str | None
    departement: NamedCode | None
    region: NamedCode | None


class OrganizerRead(BaseModel):
    structure: str
    contact_name: str | None
    contact_email: str | None


class FormatRef(BaseModel):
    slug: str
    label_fr: str
    label_en: str


class TrackRef(BaseModel):
    slug: str
    title: str
    url: str


class EventRead(BaseModel):
    id: int
    url: str
    edition: str
    state: State
    status: LiveStatus
    title: str
    short_description: str
    long_description: str
    long_description_html: str
    format: FormatRef
    themes: list[str]
    keywords: list[str]
    timings: list[TimingRead]
    attendance_mode: AttendanceMode
    online_url: str | None
    place: PlaceRead | None
    audiences: list[str]
    accessibility: list[str]
    registration_url: str | None
    registration_email: str | None
    organizer: OrganizerRead
    track: TrackRef | None
    track_step: int | None
    moderation_message: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    published_at: dt.datetime | None


class FormatCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Text = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9-]+$")
    label_fr: Text = Field(min_length=1, max_length=100)
    label_en: Text = Field(min_length=1, max_length=100)
    position: Integer = 0
    active: Flag = True


class FormatUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label_fr: Text | None = Field(default=None, min_length=1, max_length=100)
    label_en: Text | None = Field(default=None, min_length=1, max_length=100)
    position: Integer | None = None
    active: Flag | None = None


class FormatRead(FormatCreate):
    pass


class EditionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Text = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9-]+$")
    title: Text = Field(min_length=1, max_length=200)
    starts_on: Day
    ends_on: Day
    submission_deadline: Moment


class EditionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Text | None = Field(default=None, min_length=1, max_length=200)
    starts_on: Day | None = None
    ends_on: Day | None = None
    submission_deadline: Moment | None = None


class EditionRead(BaseModel):
    slug: str
    title: str
    starts_on: dt.date
    ends_on: dt.date
    submission_deadline: dt.datetime
    submissions_open: bool


class TrackCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Text = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9-]+$")
    title: Text = Field(min_length=1, max_length=TITLE_MAX)
    description: str = Field(default="", max_length=5000)
    edition: OptionalText = Field(default=None, max_length=80)


class TrackUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Text | None = Field(default=None, min_length=1, max_length=TITLE_MAX)
    description: str | None = Field(default=None, max_length=5000)


class TrackRead(BaseModel):
    slug: str
    title: str
    description: str
    edition: str
    url: str
    steps: list[EventRead]


class ContributorRead(BaseModel):
    id: int
    email: str
    name: str
    structure: str


class MagicLinkRequest(BaseModel):
    email: Text = Field(min_length=3, max_length=254)


class SessionCreate(BaseModel):
    token: Text = Field(min_length=10, max_length=200)


class SessionRead(BaseModel):
    session_token: str
    contributor: ContributorRead


class AuditRead(BaseModel):
    at: dt.datetime
    actor_kind: str
    actor: str
    action: str
    changes: dict[str, Any]
    note: str | None


class FacetValue(BaseModel):
    value: str
    label: str
    count: int
    selected: bool


class SearchRead(Page[EventRead]):
    """One page of the search (`offset`, `limit`), the total count and the facets."""

    facets: dict[str, list[FacetValue]]
