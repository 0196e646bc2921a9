"""Queries and writes of the catalogue tables (keyword-only, typed; no business rules here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import Session

from api.catalogue.tables import (
    AuditEntry,
    Contributor,
    ContributorSession,
    Edition,
    Event,
    EventFormat,
    LoginToken,
    Track,
)

LIVE_STATES = ("draft", "submitted", "changes_requested", "published")


# Editions ---------------------------------------------------------------------------------


def get_edition(session: Session, *, slug: str) -> Edition | None:
    return session.scalars(select(Edition).where(Edition.slug == slug)).first()


def latest_edition(session: Session) -> Edition | None:
    """The edition that starts last (the current one)."""
    query = select(Edition).order_by(Edition.starts_on.desc(), Edition.id.desc()).limit(1)
    return session.scalars(query).first()


def list_editions(session: Session) -> Sequence[Edition]:
    return session.scalars(select(Edition).order_by(Edition.starts_on.desc())).all()


# Formats ----------------------------------------------------------------------------------


def get_format(session: Session, *, slug: str) -> EventFormat | None:
    return session.scalars(select(EventFormat).where(EventFormat.slug == slug)).first()


def list_formats(session: Session, *, active_only: bool = False) -> Sequence[EventFormat]:
    query = select(EventFormat).order_by(EventFormat.position, EventFormat.label_fr)
    if active_only:
        query = query.where(EventFormat.active.is_(True))
    return session.scalars(query).all()


# Tracks -----------------------------------------------------------------------------------


def get_track(session: Session, *, slug: str) -> Track | None:
    return session.scalars(select(Track).where(Track.slug == slug)).first()


def list_tracks(session: Session, *, edition_id: int | None = None) -> Sequence[Track]:
    query = select(Track).order_by(Track.title)
    if edition_id is not None:
        query = query.where(Track.edition_id == edition_id)
    return session.scalars(query).all()


def track_steps(session: Session, *, track_id: int, states: Sequence[str]) -> Sequence[Event]:
    """The events of a track in the given states, by step number."""
    query = (
        select(Event)
        .where(Event.track_id == track_id, Event.state.in_(states))
        .order_by(Event.track_step, Event.first_start, Event.id)
    )
    return session.scalars(query).all()


def step_holder(
    session: Session, *, track_id: int, step: int, exclude_event_id: int | None
) -> Event | None:
    """The live event (not rejected nor withdrawn) holding a step of a track, if any."""
    query = select(Event).where(
        Event.track_id == track_id, Event.track_step == step, Event.state.in_(LIVE_STATES)
    )
    if exclude_event_id is not None:
        query = query.where(Event.id != exclude_event_id)
    return session.scalars(query.limit(1)).first()


# Events -----------------------------------------------------------------------------------


def get_event(session: Session, *, event_id: int) -> Event | None:
    return session.get(Event, event_id)


def get_event_by_ref(session: Session, *, edition_id: int, external_ref: str) -> Event | None:
    query = select(Event).where(Event.edition_id == edition_id, Event.external_ref == external_ref)
    return session.scalars(query).first()


def contributor_events(session: Session, *, contributor_id: int) -> Sequence[Event]:
    """A contributor's events, newest change first."""
    query = (
        select(Event)
        .where(Event.contributor_id == contributor_id)
        .order_by(Event.updated_at.desc(), Event.id.desc())
    )
    return session.scalars(query).all()


def moderation_queue(
    session: Session,
    *,
    states: Sequence[str],
    edition_id: int | None,
    offset: int,
    limit: int,
) -> tuple[Sequence[Event], int]:
    """Events in the given states, oldest submission first, and their count."""
    conditions: list[ColumnElement[bool]] = [Event.state.in_(states)]
    if edition_id is not None:
        conditions.append(Event.edition_id == edition_id)
    count = session.scalar(select(func.count()).select_from(Event).where(*conditions)) or 0
    query = (
        select(Event)
        .where(*conditions)
        .order_by(Event.submitted_at.asc(), Event.updated_at.asc(), Event.id)
        .offset(offset)
        .limit(limit)
    )
    return session.scalars(query).all(), count


def state_counts(session: Session, *, edition_id: int | None) -> dict[str, int]:
    """How many events are in each state."""
    query = select(Event.state, func.count()).group_by(Event.state)
    if edition_id is not None:
        query = query.where(Event.edition_id == edition_id)
    return {state: count for state, count in session.execute(query)}


# Contributors and their sign-in ------------------------------------------------------------


def get_contributor(session: Session, *, contributor_id: int) -> Contributor | None:
    return session.get(Contributor, contributor_id)


def get_contributor_by_email(session: Session, *, email: str) -> Contributor | None:
    return session.scalars(select(Contributor).where(Contributor.email == email)).first()


def use_login_token(session: Session, *, token_hash: str, now: dt.datetime) -> int | None:
    """Mark the magic link used, if it is unused and unexpired, in one conditional UPDATE (of
    two uses at once, one only finds it unused); its contributor's id, else None."""
    used = session.execute(
        update(LoginToken)
        .where(
            LoginToken.token_hash == token_hash,
            LoginToken.used_at.is_(None),
            LoginToken.expires_at >= now,
        )
        .values(used_at=now)
        .returning(LoginToken.contributor_id)
        .execution_options(synchronize_session=False)
    )
    return used.scalar_one_or_none()


def get_contributor_session(session: Session, *, token_hash: str) -> ContributorSession | None:
    query = select(ContributorSession).where(ContributorSession.token_hash == token_hash)
    return session.scalars(query).first()


def delete_contributor_session(session: Session, *, token_hash: str) -> None:
    session.execute(delete(ContributorSession).where(ContributorSession.token_hash == token_hash))


def delete_expired_tokens(session: Session, *, now: dt.datetime) -> None:
    session.execute(delete(LoginToken).where(LoginToken.expires_at < now))
    session.execute(delete(ContributorSession).where(ContributorSession.expires_at < now))


# Audit ------------------------------------------------------------------------------------


def audit_entries(session: Session, *, entity: str, entity_id: int) -> Sequence[AuditEntry]:
    """The trail of one record, oldest first."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.id)
    )
    return session.scalars(query).all()
