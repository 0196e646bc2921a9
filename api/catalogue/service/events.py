"""The catalogue's events, their content: read as editable fields (`event_fields`), checked
against the rules and written (columns, timings, tags), created, duplicated, found and updated."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session, object_session

from api.catalogue import storage
from api.catalogue.errors import invalid, not_found, problems_from_pydantic
from api.catalogue.schemas import TITLE_MAX, EventCreate, EventFields, EventUpdate, PlaceIn
from api.catalogue.service.audit import add_created, record_update
from api.catalogue.service.editions import resolve_edition
from api.catalogue.tables import Edition, Event, EventFormat, EventTag, Timing, Track
from api.catalogue.validation import normalised_place, stored_timings, validate_event
from api.catalogue.workflow import Actor, check_editable, check_owner, check_submission_deadline
from api.timestamps import paris_day, to_paris, utc_now

TAG_KINDS = ("theme", "audience", "accessibility")


# Reading an event as editable fields -------------------------------------------------------


def event_fields(event: Event) -> dict[str, Any]:
    """The event's content in the shape of EventFields (JSON-friendly, Paris times)."""
    place = None
    if any(
        (
            event.place_name,
            event.place_address,
            event.postal_code,
            event.commune,
            event.departement_code,
        )
    ):
        place = {
            "name": event.place_name,
            "address": event.place_address,
            "postal_code": event.postal_code,
            "commune": event.commune,
            "departement": event.departement_code,
            "region": event.region_code,
        }
    return {
        "title": event.title,
        "short_description": event.short_description,
        "long_description": event.long_description,
        "format": event.format.slug,
        "themes": event.tag_values("theme"),
        "keywords": list(event.keywords or []),
        "timings": [
            {"start": to_paris(t.start_at).isoformat(), "end": to_paris(t.end_at).isoformat()}
            for t in event.timings
        ],
        "attendance_mode": event.attendance_mode,
        "online_url": event.online_url,
        "place": place,
        "audiences": event.tag_values("audience"),
        "accessibility": event.tag_values("accessibility"),
        "registration_url": event.registration_url,
        "registration_email": event.registration_email,
        "organizer": {
            "structure": event.organizer_name,
            "contact_name": event.organizer_contact_name,
            "contact_email": event.organizer_contact_email,
        },
        "track": event.track.slug if event.track else None,
        "track_step": event.track_step,
        "status": event.status,
    }


# Writing -----------------------------------------------------------------------------------


def checked_fields(
    session: Session, fields: EventFields, *, edition: Edition, event_id: int | None
) -> tuple[EventFields, EventFormat, Track | None]:
    """The fields with a normalised place, once every rule holds (else a 422 listing them)."""
    fields = fields.model_copy(update={"place": normalised_place(fields.place)})
    event_format = storage.get_format(session, slug=fields.format)
    track = storage.get_track(session, slug=fields.track) if fields.track else None
    holder = None
    if track is not None and fields.track_step is not None:
        holder = storage.step_holder(
            session, track_id=track.id, step=fields.track_step, exclude_event_id=event_id
        )
    problems = validate_event(
        fields,
        edition=edition,
        event_format=event_format,
        track=track,
        step_holder_title=holder.title if holder else None,
    )
    if problems:
        raise invalid(problems)
    assert event_format is not None
    return fields, event_format, track


def search_text(fields: EventFields) -> str:
    """Keywords and themes, indexed with the title and descriptions."""
    return " ".join([*fields.keywords, *fields.themes])


def write_fields(
    event: Event, fields: EventFields, *, event_format: EventFormat, track: Track | None
) -> None:
    """Copy checked fields onto the event (columns, timings, tags)."""
    place = fields.place or PlaceIn()
    event.title = fields.title
    event.short_description = fields.short_description
    event.long_description = fields.long_description
    event.format = event_format
    event.format_id = event_format.id
    event.keywords = list(fields.keywords)
    event.search_text = search_text(fields)
    event.attendance_mode = fields.attendance_mode
    event.online_url = fields.online_url
    event.place_name = place.name
    event.place_address = place.address
    event.postal_code = place.postal_code
    event.commune = place.commune
    event.departement_code = place.departement
    event.region_code = place.region
    event.registration_url = fields.registration_url
    event.registration_email = fields.registration_email
    event.organizer_name = fields.organizer.structure
    event.organizer_contact_name = fields.organizer.contact_name
    event.organizer_contact_email = fields.organizer.contact_email
    event.track = track
    event.track_id = track.id if track else None
    event.track_step = fields.track_step if track else None
    event.status = fields.status
    write_timings(event, fields)
    write_tags(event, fields)


def write_timings(event: Event, fields: EventFields) -> None:
    timings = stored_timings(fields)
    current = [(t.start_at, t.end_at) for t in event.timings]
    if current != [(t.start, t.end) for t in timings]:
        event.timings = [
            Timing(start_at=t.start, end_at=t.end, start_day=paris_day(t.start)) for t in timings
        ]
    event.first_start = timings[0].start
    event.last_end = max(t.end for t in timings)


def write_tags(event: Event, fields: EventFields) -> None:
    wanted = [
        (kind, value, position)
        for kind, values in (
            ("theme", fields.themes),
            ("audience", fields.audiences),
            ("accessibility", fields.accessibility),
        )
        for position, value in enumerate(values)
    ]
    current = [(t.kind, t.value, t.position) for t in event.tags]
    if sorted(current) != sorted(wanted):
        event.tags.clear()
        session = object_session(event)
        if session is not None and event.id is not None:
            session.flush()  # the deletes reach the database before the re-inserted keys
        event.tags.extend(EventTag(kind=k, value=v, position=p) for k, v, p in wanted)


def create_event(
    session: Session,
    *,
    actor: Actor,
    data: EventCreate,
    now: dt.datetime | None = None,
    external_ref: str | None = None,
    origin: dict[str, Any] | None = None,
) -> Event:
    """A new draft (contributors: before the edition's deadline only)."""
    now = now or utc_now()
    edition = resolve_edition(session, data.edition)
    check_submission_deadline(edition, actor, now)
    fields = EventFields.model_validate(data.model_dump(exclude={"edition"}))
    fields, event_format, track = checked_fields(session, fields, edition=edition, event_id=None)
    event = Event(
        edition=edition,
        edition_id=edition.id,
        external_ref=external_ref,
        state="draft",
        contributor_id=actor.contributor_id,
        created_at=now,
        updated_at=now,
        timings=[],
        tags=[],
    )
    write_fields(event, fields, event_format=event_format, track=track)
    return add_created(
        session, event, actor=actor, entity="event", snapshot=event_fields, now=now, origin=origin
    )


COPY_SUFFIX = " (copie)"


def duplicate_event(
    session: Session, *, actor: Actor, event_id: int, now: dt.datetime | None = None
) -> Event:
    """A new draft with the content of one of the actor's events, to change its dates, place...
    The copy is titled "… (copie)", leaves the original's track (a step number is unique) and is
    scheduled; like any new event, contributors can make one before the deadline only."""
    original = find_event(session, actor=actor, event_id=event_id)
    values = event_fields(original)
    title = values["title"][: TITLE_MAX - len(COPY_SUFFIX)].rstrip() + COPY_SUFFIX
    values.update(title=title, track=None, track_step=None, status="scheduled")
    try:
        data = EventCreate.model_validate({**values, "edition": original.edition.slug})
    except ValidationError as error:
        raise invalid(problems_from_pydantic(error.errors())) from error
    return create_event(
        session, actor=actor, data=data, now=now, origin={"copied_from": original.id}
    )


def find_event(session: Session, *, actor: Actor, event_id: int) -> Event:
    """The event, if this actor may see it (its contributor or a moderator)."""
    event = storage.get_event(session, event_id=event_id)
    if event is None:
        raise not_found("Événement introuvable : {key}.", key=event_id)
    check_owner(event, actor)
    return event


def find_public_event(session: Session, *, event_id: int) -> Event:
    """A published event (any other state is not found, for the public)."""
    event = storage.get_event(session, event_id=event_id)
    if event is None or event.state != "published":
        raise not_found("Événement introuvable : {key}.", key=event_id)
    return event


def merged_fields(event: Event, data: EventUpdate) -> EventFields:
    """The event's fields with the update's given fields replacing them."""
    values = event_fields(event)
    values.update(data.model_dump(exclude_unset=True, mode="json"))
    try:
        return EventFields.model_validate(values)
    except ValidationError as error:
        raise invalid(problems_from_pydantic(error.errors())) from error


def update_event(
    session: Session,
    *,
    actor: Actor,
    event_id: int,
    data: EventUpdate,
    now: dt.datetime | None = None,
) -> Event:
    """Change an event's content (see workflow.check_editable for who may change what)."""
    now = now or utc_now()
    event = find_event(session, actor=actor, event_id=event_id)
    before = event_fields(event)
    fields = merged_fields(event, data)
    old, new = canonical(EventFields.model_validate(before)), canonical(fields)
    changed = {key for key in new if new[key] != old.get(key)}
    check_editable(event, actor, changed)
    fields, event_format, track = checked_fields(
        session, fields, edition=event.edition, event_id=event.id
    )
    write_fields(event, fields, event_format=event_format, track=track)
    if record_update(
        session,
        actor=actor,
        entity="event",
        entity_id=event.id,
        before=before,
        after=event_fields(event),
        now=now,
    ):
        event.updated_at = now
    session.commit()
    return event


def canonical(fields: EventFields) -> dict[str, Any]:
    """Fields in a comparable shape (UTC timings, normalised place)."""
    values = fields.model_dump(mode="json")
    values["timings"] = [(t.start.isoformat(), t.end.isoformat()) for t in stored_timings(fields)]
    place = normalised_place(fields.place)
    values["place"] = place.model_dump() if place else None
    return values
