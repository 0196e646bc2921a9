"""The frame of the catalogue's events, managed by moderators: editions, formats and tracks
(created and changed, with their audit trail), and an edition or a track found by its slug."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from api.catalogue import storage
from api.catalogue.errors import CatalogueError, invalid, not_found
from api.catalogue.schemas import (
    EditionCreate,
    EditionUpdate,
    FormatCreate,
    FormatUpdate,
    TrackCreate,
    TrackUpdate,
)
from api.catalogue.service.audit import add_created, record_update, update_given
from api.catalogue.tables import Edition, EventFormat, Track
from api.catalogue.workflow import Actor
from api.errors import FieldProblem
from api.timestamps import paris_to_storage, to_paris, utc_now


def check_slug_free(exists: bool, message: str, slug: str) -> None:
    """A 409 when a record with this slug already exists."""
    if exists:
        raise CatalogueError("already_exists", message, status=409, slug=slug)


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
