"""What the catalogue's routes and pages read, besides the search: editions, formats, tracks
with their published steps, a contributor's events, the moderation queue and its counts, an
event's audit trail. Reads only (no write, no commit): the use cases that write are in
api.catalogue.service, the public search in api.catalogue.search.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from api.catalogue import storage
from api.catalogue.service import find_track, resolve_edition
from api.catalogue.tables import AuditEntry, Edition, Event, EventFormat, Track

PUBLISHED = ("published",)


def editions(session: Session) -> Sequence[Edition]:
    """Every edition, the latest first."""
    return storage.list_editions(session)


def latest_edition(session: Session) -> Edition | None:
    """The edition that starts last (the current one), if any."""
    return storage.latest_edition(session)


def formats(session: Session, *, include_inactive: bool = False) -> Sequence[EventFormat]:
    """The formats in their order (active ones unless `include_inactive`)."""
    return storage.list_formats(session, active_only=not include_inactive)


def tracks(session: Session, *, edition_id: int | None = None) -> Sequence[Track]:
    """The tracks by title (of one edition when given)."""
    return storage.list_tracks(session, edition_id=edition_id)


def published_steps(session: Session, *, track: Track) -> Sequence[Event]:
    """A track's published events, by step number."""
    return storage.track_steps(session, track_id=track.id, states=PUBLISHED)


def tracks_with_steps(
    session: Session, *, edition: str | None = None
) -> list[tuple[Track, Sequence[Event]]]:
    """The tracks (of the edition of slug `edition` when given, else of every edition), each
    with its published steps in order."""
    edition_id = resolve_edition(session, edition).id if edition else None
    return [
        (track, published_steps(session, track=track))
        for track in storage.list_tracks(session, edition_id=edition_id)
    ]


def track_with_steps(session: Session, *, slug: str) -> tuple[Track, Sequence[Event]]:
    """The track of `slug` (else 404) and its published steps in order."""
    track = find_track(session, slug=slug)
    return track, published_steps(session, track=track)


def contributor_events(session: Session, *, contributor_id: int) -> Sequence[Event]:
    """A contributor's events in every state, newest change first."""
    return storage.contributor_events(session, contributor_id=contributor_id)


def moderation_queue(
    session: Session, *, states: Sequence[str], edition: str | None, offset: int, limit: int
) -> tuple[Sequence[Event], int]:
    """Events in `states` (of the edition of slug `edition` when given), oldest submission
    first, and their count."""
    edition_id = resolve_edition(session, edition).id if edition else None
    return storage.moderation_queue(
        session, states=states, edition_id=edition_id, offset=offset, limit=limit
    )


def state_counts(session: Session, *, edition: str | None = None) -> dict[str, int]:
    """How many events are in each state (of the edition of slug `edition` when given)."""
    edition_id = resolve_edition(session, edition).id if edition else None
    return storage.state_counts(session, edition_id=edition_id)


def event_audit(session: Session, *, event: Event) -> Sequence[AuditEntry]:
    """The audit trail of an event the caller may already see, oldest first."""
    return storage.audit_entries(session, entity="event", entity_id=event.id)
