"""Loading a catalogue file (`catalogue/v1` JSON: edition, formats, tracks, events).

Idempotent: records are matched by slug (edition, formats, tracks) or by `ref` (events, within
the edition); loading the same file twice changes nothing the second time. Every change goes
through the same rules as the API and is kept in the audit trail under the actor "system".
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from api.catalogue import service, storage
from api.catalogue.accounts import ensure_contributor
from api.catalogue.errors import CatalogueError, invalid, problems_from_pydantic
from api.catalogue.schemas import (
    EditionCreate,
    EditionUpdate,
    EventCreate,
    EventFields,
    EventUpdate,
    FormatCreate,
    FormatUpdate,
    TrackCreate,
    TrackUpdate,
)
from api.catalogue.tables import Event
from api.catalogue.vocabulary import State
from api.catalogue.workflow import Actor
from api.errors import FieldProblem
from api.timestamps import paris_to_storage, utc_now

FILE_FORMAT = "catalogue/v1"
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_EVENTS = 20_000
"""Events of one file (an edition; the search exports at most as many)."""
MAX_VOCABULARY = 1_000
"""Formats, and tracks, of one file."""


class EventEntry(EventFields):
    """An event of the file: its content plus a stable reference and its state."""

    model_config = ConfigDict(extra="forbid")

    ref: str = Field(min_length=1, max_length=80)
    state: State = "published"
    contributor: str | None = None
    published_at: dt.datetime | None = None


class TrackEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str
    title: str
    description: str = ""


class CatalogueFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: str = FILE_FORMAT
    edition: EditionCreate
    formats: list[FormatCreate] = Field(default_factory=list, max_length=MAX_VOCABULARY)
    tracks: list[TrackEntry] = Field(default_factory=list, max_length=MAX_VOCABULARY)
    events: list[EventEntry] = Field(default_factory=list, max_length=MAX_EVENTS)


def read_catalogue_file(path: Path) -> CatalogueFile:
    """Parse and type-check a file (a 422 error listing each problem with its JSON path)."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_FILE_BYTES:
            message = "Fichier trop volumineux : {size} Mo ({limit} Mo au plus)."
            mega = 1024 * 1024
            params = {"size": -(-size // mega), "limit": MAX_FILE_BYTES // mega}
            raise invalid([FieldProblem("file", message, params)], code="invalid_file")
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise invalid(
            [FieldProblem("file", "Fichier illisible : {error}.", {"error": str(error)})],
            code="invalid_file",
        ) from error
    try:
        loaded = CatalogueFile.model_validate(raw)
    except ValidationError as error:
        raise invalid(problems_from_pydantic(error.errors()), code="invalid_file") from error
    if loaded.format != FILE_FORMAT:
        raise invalid(
            [
                FieldProblem(
                    "format", "Format de fichier inconnu : « {value} ».", {"value": loaded.format}
                )
            ],
            code="invalid_file",
        )
    return loaded


def load_catalogue_file(session: Session, path: Path | str, *, actor: Actor | None = None) -> int:
    """Load (or refresh) a catalogue file; returns the number of events in the file."""
    actor = actor or service.SYSTEM
    data = read_catalogue_file(Path(path))
    edition = storage.get_edition(session, slug=data.edition.slug)
    if edition is None:
        service.create_edition(session, actor=actor, data=data.edition)
    else:
        service.update_edition(
            session,
            actor=actor,
            slug=edition.slug,
            data=EditionUpdate(**data.edition.model_dump(exclude={"slug"})),
        )
    for format_entry in data.formats:
        if storage.get_format(session, slug=format_entry.slug) is None:
            service.create_format(session, actor=actor, data=format_entry)
        else:
            service.update_format(
                session,
                actor=actor,
                slug=format_entry.slug,
                data=FormatUpdate(**format_entry.model_dump(exclude={"slug"})),
            )
    for track in data.tracks:
        if storage.get_track(session, slug=track.slug) is None:
            service.create_track(
                session,
                actor=actor,
                data=TrackCreate(**track.model_dump(), edition=data.edition.slug),
            )
        else:
            service.update_track(
                session,
                actor=actor,
                slug=track.slug,
                data=TrackUpdate(**track.model_dump(exclude={"slug"})),
            )
    problems: list[FieldProblem] = []
    for index, entry in enumerate(data.events):
        try:
            load_event(session, entry, edition_slug=data.edition.slug, actor=actor)
        except CatalogueError as error:
            session.rollback()
            problems.extend(
                FieldProblem(f"events[{index}].{p.field}", p.message, p.params)
                for p in (error.problems or [FieldProblem("", error.message, error.params)])
            )
    if problems:
        raise invalid(problems, code="invalid_file")
    return len(data.events)


def load_event(session: Session, entry: EventEntry, *, edition_slug: str, actor: Actor) -> Event:
    """Create or refresh one event of the file, then bring it to the file's state."""
    edition = storage.get_edition(session, slug=edition_slug)
    assert edition is not None
    content = entry.model_dump(exclude={"ref", "state", "contributor", "published_at"})
    event = storage.get_event_by_ref(session, edition_id=edition.id, external_ref=entry.ref)
    if event is None:
        event = service.create_event(
            session,
            actor=actor,
            data=EventCreate(**content, edition=edition_slug),
            external_ref=entry.ref,
        )
    else:
        event = service.update_event(
            session, actor=actor, event_id=event.id, data=EventUpdate(**content)
        )
    set_loaded_state(session, event, entry, actor=actor)
    return event


def set_loaded_state(session: Session, event: Event, entry: EventEntry, *, actor: Actor) -> None:
    """The file's state, contributor and publication time (audited when they change)."""
    now = utc_now()
    changes: dict[str, Any] = {}
    if entry.contributor:
        contributor = ensure_contributor(session, email=entry.contributor, now=now)
        if event.contributor_id != contributor.id:
            changes["contributor"] = [event.contributor_id, contributor.id]
            event.contributor_id = contributor.id
    if event.state != entry.state:
        changes["state"] = [event.state, entry.state]
        event.state = entry.state
        if entry.state != "draft" and event.submitted_at is None:
            event.submitted_at = now
    published_at = paris_to_storage(entry.published_at) if entry.published_at else None
    if entry.state == "published" and event.published_at is None:
        published_at = published_at or now
    if published_at and event.published_at != published_at:
        changes["published_at"] = [
            event.published_at.isoformat() if event.published_at else None,
            published_at.isoformat(),
        ]
        event.published_at = published_at
    if changes:
        event.updated_at = now
        service.record(
            session,
            actor=actor,
            entity="event",
            entity_id=event.id,
            action="load",
            changes=changes,
            now=now,
        )
    session.commit()
