"""The catalogue's use cases: create, change and move events through the workflow; manage
editions, formats and tracks. Each use case checks the rules, writes, records the audit trail
(who, when, what) and commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session, object_session

from api.catalogue import storage
from api.catalogue.errors import (
    CatalogueError,
    invalid,
    not_found,
    problems_from_pydantic,
)
from api.catalogue.schemas import (
    TITLE_MAX,
    EditionCreate,
    EditionUpdate,
    EventCreate,
    EventFields,
    EventUpdate,
    FormatCreate,
    FormatUpdate,
    PlaceIn,
    TrackCreate,
    TrackUpdate,
)
from api.catalogue.tables import (
    AuditEntry,
    Edition,
    Event,
    EventFormat,
    EventTag,
    Timing,
    Track,
)
from api.catalogue.validation import normalised_place, stored_timings, validate_event
from api.catalogue.workflow import (
    Actor,
    check_editable,
    check_message_given,
    check_owner,
    check_submission_deadline,
    check_transition_allowed,
)
from api.errors import FieldProblem
from api.timestamps import paris_day, paris_to_storage, to_paris, utc_now

TAG_KINDS = ("theme", "audience", "accessibility")
SYSTEM = Actor("system", "system", "salon")


# Audit trail ------------------------------------------------------------------------------


def record(
    session: Session,
    *,
    actor: Actor,
    entity: str,
    entity_id: int,
    action: str,
    changes: dict[str, Any],
    now: dt.datetime,
    note: str | None = None,
) -> None:
    """Keep one change in the audit trail."""
    session.add(
        AuditEntry(
            at=now,
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_label=actor.label,
            entity=entity,
            entity_id=entity_id,
            action=action,
            changes=changes,
            note=note,
        )
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """{field: [old, new]} for the fields that differ."""
    return {
        key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)
    }


Row = TypeVar("Row", Event, Edition, EventFormat, Track)


def add_created(
    session: Session,
    row: Row,
    *,
    actor: Actor,
    entity: str,
    snapshot: Callable[[Row], dict[str, Any]],
    now: dt.datetime,
    origin: dict[str, Any] | None = None,
) -> Row:
    """Insert a new record, keep its creation (every field, and `origin`, e.g. the event it
    copies) in the audit trail and commit."""
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        entity=entity,
        entity_id=row.id,
        action="create",
        changes=diff({}, {**snapshot(row), **(origin or {})}),
        now=now,
    )
    session.commit()
    return row


def record_update(
    session: Session,
    *,
    actor: Actor,
    entity: str,
    entity_id: int,
    before: dict[str, Any],
    after: dict[str, Any],
    now: dt.datetime,
) -> bool:
    """Keep the fields that changed in the audit trail (nothing when none did); True if any."""
    changes = diff(before, after)
    if changes:
        record(
            session,
            actor=actor,
            entity=entity,
            entity_id=entity_id,
            action="update",
            changes=changes,
            now=now,
        )
    return bool(changes)


def update_given(
    session: Session,
    row: Row,
    data: BaseModel,
    *,
    actor: Actor,
    entity: str,
    snapshot: Callable[[Row], dict[str, Any]],
    now: dt.datetime,
) -> Row:
    """Set the attributes given (and not null) in `data`, audit what changed and commit."""
    before = snapshot(row)
    for key, value in data.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(row, key, value)
    record_update(
        session,
        actor=actor,
        entity=entity,
        entity_id=row.id,
        before=before,
        after=snapshot(row),
        now=now,
    )
    session.commit()
    return row


def check_slug_free(exists: bool, message: str, slug: str) -> None:
    """A 409 when a record with this slug already exists."""
    if exists:
        raise CatalogueError("already_exists", message, status=409, slug=slug)


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


def resolve_edition(session: Session, slug: str | None) -> Edition:
    edition = storage.get_edition(session, slug=slug) if slug else storage.latest_edition(session)
    if edition is None:
        if slug:
            raise invalid_field("edition", "Édition inconnue : « {value} ».", value=slug)
        raise CatalogueError(
            "no_edition", "Aucune édition du catalogue n'existe encore.", status=409
        )
    return edition


def invalid_field(field: str, message: str, **params: Any) -> CatalogueError:
    return invalid([FieldProblem(field, message, params)])


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


def transition(
    session: Session,
    *,
    actor: Actor,
    event_id: int,
    action: str,
    message: str | None = None,
    now: dt.datetime | None = None,
) -> Event:
    """Move an event through the workflow (submit, publish, request_changes, reject, withdraw)."""
    now = now or utc_now()
    event = find_event(session, actor=actor, event_id=event_id)
    step = check_transition_allowed(event, action, actor)
    check_message_given(step, message)
    if action == "submit" and event.state == "draft":
        check_submission_deadline(event.edition, actor, now)
    before_state = event.state
    event.state = step.target
    event.updated_at = now
    if step.needs_message:
        event.moderation_message = (message or "").strip()
    elif action in ("submit", "publish"):
        event.moderation_message = None
    if action == "submit":
        event.submitted_at = now
    if action == "publish" and event.published_at is None:
        event.published_at = now
    record(
        session,
        actor=actor,
        entity="event",
        entity_id=event.id,
        action=action,
        changes={"state": [before_state, event.state]},
        note=(message or "").strip() or None,
        now=now,
    )
    session.commit()
    return event


def event_history(session: Session, *, actor: Actor, event_id: int) -> Sequence[AuditEntry]:
    find_event(session, actor=actor, event_id=event_id)
    return storage.audit_entries(session, entity="event", entity_id=event_id)


# Editions, formats, tracks (moderators) ----------------------------------------------------


def check_moderator(actor: Actor) -> None:
    if not actor.is_moderator:
        raise CatalogueError(
            "forbidden", "Seuls les modérateurs peuvent effectuer cette action.", status=403
        )


def edition_snapshot(edition: Edition) -> dict[str, Any]:
    return {
        "title": edition.title,
        "starts_on": edition.starts_on.isoformat(),
        "ends_on": edition.ends_on.isoformat(),
        "submission_deadline": to_paris(edition.submission_deadline).isoformat(),
    }


def check_edition_dates(starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on < starts_on:
        raise invalid_field(
            "ends_on",
            "La fin de l'édition ({ends_on}) précède son début ({starts_on}).",
            ends_on=ends_on.isoformat(),
            starts_on=starts_on.isoformat(),
        )


def create_edition(
    session: Session, *, actor: Actor, data: EditionCreate, now: dt.datetime | None = None
) -> Edition:
    now = now or utc_now()
    check_moderator(actor)
    check_edition_dates(data.starts_on, data.ends_on)
    check_slug_free(
        storage.get_edition(session, slug=data.slug) is not None,
        "L'édition « {slug} » existe déjà.",
        data.slug,
    )
    edition = Edition(
        slug=data.slug,
        title=data.title,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        submission_deadline=paris_to_storage(data.submission_deadline),
        created_at=now,
    )
    return add_created(
        session, edition, actor=actor, entity="edition", snapshot=edition_snapshot, now=now
    )


def update_edition(
    session: Session,
    *,
    actor: Actor,
    slug: str,
    data: EditionUpdate,
    now: dt.datetime | None = None,
) -> Edition:
    now = now or utc_now()
    check_moderator(actor)
    edition = storage.get_edition(session, slug=slug)
    if edition is None:
        raise not_found("Édition introuvable : {key}.", key=slug)
    before = edition_snapshot(edition)
    values = data.model_dump(exclude_unset=True)
    starts_on = values.get("starts_on") or edition.starts_on
    ends_on = values.get("ends_on") or edition.ends_on
    check_edition_dates(starts_on, ends_on)
    edition.starts_on, edition.ends_on = starts_on, ends_on
    if values.get("title"):
        edition.title = values["title"]
    if values.get("submission_deadline"):
        edition.submission_deadline = paris_to_storage(values["submission_deadline"])
    record_update(
        session,
        actor=actor,
        entity="edition",
        entity_id=edition.id,
        before=before,
        after=edition_snapshot(edition),
        now=now,
    )
    session.commit()
    return edition


def format_snapshot(event_format: EventFormat) -> dict[str, Any]:
    return {
        "label_fr": event_format.label_fr,
        "label_en": event_format.label_en,
        "position": event_format.position,
        "active": event_format.active,
    }


def create_format(
    session: Session, *, actor: Actor, data: FormatCreate, now: dt.datetime | None = None
) -> EventFormat:
    now = now or utc_now()
    check_moderator(actor)
    check_slug_free(
        storage.get_format(session, slug=data.slug) is not None,
        "Le format « {slug} » existe déjà.",
        data.slug,
    )
    return add_created(
        session,
        EventFormat(**data.model_dump()),
        actor=actor,
        entity="format",
        snapshot=format_snapshot,
        now=now,
    )


def update_format(
    session: Session,
    *,
    actor: Actor,
    slug: str,
    data: FormatUpdate,
    now: dt.datetime | None = None,
) -> EventFormat:
    now = now or utc_now()
    check_moderator(actor)
    event_format = storage.get_format(session, slug=slug)
    if event_format is None:
        raise not_found("Format introuvable : {key}.", key=slug)
    return update_given(
        session,
        event_format,
        data,
        actor=actor,
        entity="format",
        snapshot=format_snapshot,
        now=now,
    )


def track_snapshot(track: Track) -> dict[str, Any]:
    return {"title": track.title, "description": track.description}


def create_track(
    session: Session, *, actor: Actor, data: TrackCreate, now: dt.datetime | None = None
) -> Track:
    now = now or utc_now()
    check_moderator(actor)
    edition = resolve_edition(session, data.edition)
    check_slug_free(
        storage.get_track(session, slug=data.slug) is not None,
        "Le parcours « {slug} » existe déjà.",
        data.slug,
    )
    track = Track(
        edition=edition,
        edition_id=edition.id,
        slug=data.slug,
        title=data.title,
        description=data.description,
        created_at=now,
    )
    return add_created(
        session, track, actor=actor, entity="track", snapshot=track_snapshot, now=now
    )


def update_track(
    session: Session,
    *,
    actor: Actor,
    slug: str,
    data: TrackUpdate,
    now: dt.datetime | None = None,
) -> Track:
    now = now or utc_now()
    check_moderator(actor)
    return update_given(
        session,
        find_track(session, slug=slug),
        data,
        actor=actor,
        entity="track",
        snapshot=track_snapshot,
        now=now,
    )


def find_track(session: Session, *, slug: str) -> Track:
    track = storage.get_track(session, slug=slug)
    if track is None:
        raise not_found("Parcours introuvable : {key}.", key=slug)
    return track
