"""Stored records as response schemas (EventRead, TrackRead...), with absolute URLs."""

from __future__ import annotations

from collections.abc import Sequence

from api.catalogue.geography import departements, regions
from api.catalogue.markdown import render_markdown
from api.catalogue.schemas import (
    AuditRead,
    ContributorRead,
    EditionRead,
    EventRead,
    FormatRead,
    FormatRef,
    NamedCode,
    OrganizerRead,
    PlaceRead,
    TimingRead,
    TrackRead,
    TrackRef,
)
from api.catalogue.tables import AuditEntry, Contributor, Edition, Event, EventFormat, Track
from api.catalogue.workflow import submissions_open
from api.timestamps import to_paris, utc_now


def event_url(base_url: str, event_id: int) -> str:
    return f"{base_url.rstrip('/')}/catalogue/events/{event_id}"


def track_url(base_url: str, slug: str) -> str:
    return f"{base_url.rstrip('/')}/catalogue/tracks/{slug}"


def track_ref(track: Track, base_url: str) -> TrackRef:
    return TrackRef(slug=track.slug, title=track.title, url=track_url(base_url, track.slug))


def place_read(event: Event) -> PlaceRead | None:
    if not any((event.place_name, event.place_address, event.commune, event.departement_code)):
        return None
    departement = departements().get(event.departement_code or "")
    region = regions().get(event.region_code or "")
    return PlaceRead(
        name=event.place_name,
        address=event.place_address,
        postal_code=event.postal_code,
        commune=event.commune,
        departement=NamedCode(code=departement.code, name=departement.name)
        if departement
        else None,
        region=NamedCode(code=region.code, name=region.name) if region else None,
    )


def event_read(event: Event, base_url: str, *, with_moderation: bool = False) -> EventRead:
    """The public (or, with_moderation, the contributor's/moderator's) view of an event."""
    return EventRead(
        id=event.id,
        url=event_url(base_url, event.id),
        edition=event.edition.slug,
        state=event.state,  # type: ignore[arg-type]
        status=event.status,  # type: ignore[arg-type]
        title=event.title,
        short_description=event.short_description,
        long_description=event.long_description,
        long_description_html=render_markdown(event.long_description),
        format=FormatRef.model_validate(event.format, from_attributes=True),
        themes=event.tag_values("theme"),
        keywords=list(event.keywords or []),
        timings=[
            TimingRead(start=to_paris(t.start_at), end=to_paris(t.end_at)) for t in event.timings
        ],
        attendance_mode=event.attendance_mode,  # type: ignore[arg-type]
        online_url=event.online_url,
        place=place_read(event),
        audiences=event.tag_values("audience"),
        accessibility=event.tag_values("accessibility"),
        registration_url=event.registration_url,
        registration_email=event.registration_email,
        organizer=OrganizerRead(
            structure=event.organizer_name,
            contact_name=event.organizer_contact_name,
            contact_email=event.organizer_contact_email,
        ),
        track=track_ref(event.track, base_url) if event.track else None,
        track_step=event.track_step,
        moderation_message=event.moderation_message if with_moderation else None,
        created_at=to_paris(event.created_at),
        updated_at=to_paris(event.updated_at),
        submitted_at=to_paris(event.submitted_at) if event.submitted_at else None,
        published_at=to_paris(event.published_at) if event.published_at else None,
    )


def track_read(track: Track, steps: Sequence[Event], base_url: str) -> TrackRead:
    return TrackRead(
        slug=track.slug,
        title=track.title,
        description=track.description,
        edition=track.edition.slug,
        url=track_url(base_url, track.slug),
        steps=[event_read(step, base_url) for step in steps],
    )


def edition_read(edition: Edition) -> EditionRead:
    return EditionRead(
        slug=edition.slug,
        title=edition.title,
        starts_on=edition.starts_on,
        ends_on=edition.ends_on,
        submission_deadline=to_paris(edition.submission_deadline),
        submissions_open=submissions_open(edition, utc_now()),
    )


def format_read(event_format: EventFormat) -> FormatRead:
    return FormatRead.model_validate(event_format, from_attributes=True)


def contributor_read(contributor: Contributor) -> ContributorRead:
    return ContributorRead.model_validate(contributor, from_attributes=True)


def audit_read(entry: AuditEntry) -> AuditRead:
    return AuditRead(
        at=to_paris(entry.at),
        actor_kind=entry.actor_kind,
        actor=entry.actor_label,
        action=entry.action,
        changes=dict(entry.changes or {}),
        note=entry.note,
    )
