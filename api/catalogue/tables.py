"""Storage tables of the catalogue (all named `catalogue_*`).

Datetimes are stored as naive UTC; `catalogue_timings.start_day` is the local (Europe/Paris) day
of a timing's start, used by the date facet. The full-text index is dialect specific and lives
outside these models: an FTS5 table `catalogue_events_fts` kept in sync by triggers on SQLite, a
generated `search_vector` tsvector column with a GIN index on PostgreSQL (see the migration).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base


class Edition(Base):
    """One edition of the catalogue, e.g. the 2023 Mois de l'innovation publique."""

    __tablename__ = "catalogue_editions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    submission_deadline: Mapped[dt.datetime] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class EventFormat(Base):
    """An entry of the editable list of formats (conférence, webinaire, atelier...)."""

    __tablename__ = "catalogue_formats"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    label_fr: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Track(Base):
    """A multi-step track ("parcours"): its steps are events with a step number."""

    __tablename__ = "catalogue_tracks"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("catalogue_editions.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(140))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)

    edition: Mapped[Edition] = relationship(lazy="joined")


class Contributor(Base):
    """A public agent who references events; identified by an e-mail address."""

    __tablename__ = "catalogue_contributors"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(140), default="")
    structure: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class ContributorSecret:
    """Columns of a secret given to a contributor until it expires (only its SHA-256 is stored)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    contributor_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_contributors.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


class LoginToken(ContributorSecret, Base):
    """A one-time magic link sent by e-mail."""

    __tablename__ = "catalogue_login_tokens"

    # sort_order: after the shared columns, as in the migration
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True, sort_order=1)


class ContributorSession(ContributorSecret, Base):
    """A signed-in contributor's session (cookie or bearer token)."""

    __tablename__ = "catalogue_sessions"

    contributor: Mapped[Contributor] = relationship(lazy="joined")


class Event(Base):
    """An event of the catalogue, with its moderation state and its live status."""

    __tablename__ = "catalogue_events"
    __table_args__ = (
        UniqueConstraint("edition_id", "external_ref", name="uq_catalogue_events_external_ref"),
        Index("ix_catalogue_events_state_start", "state", "first_start"),
        Index("ix_catalogue_events_state_published", "state", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("catalogue_editions.id"), index=True)
    external_ref: Mapped[str | None] = mapped_column(String(80), nullable=True)
    state: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(140))
    short_description: Mapped[str] = mapped_column(String(200))
    long_description: Mapped[str] = mapped_column(Text, default="")
    format_id: Mapped[int] = mapped_column(ForeignKey("catalogue_formats.id"), index=True)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    search_text: Mapped[str] = mapped_column(Text, default="")
    attendance_mode: Mapped[str] = mapped_column(String(10), index=True)
    online_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    place_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    place_address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    postal_code: Mapped[str | None] = mapped_column(String(5), nullable=True)
    commune: Mapped[str | None] = mapped_column(String(140), nullable=True)
    departement_code: Mapped[str | None] = mapped_column(String(3), nullable=True, index=True)
    region_code: Mapped[str | None] = mapped_column(String(2), nullable=True, index=True)
    registration_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    registration_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    organizer_name: Mapped[str] = mapped_column(String(200))
    organizer_contact_name: Mapped[str | None] = mapped_column(String(140), nullable=True)
    organizer_contact_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    track_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalogue_tracks.id"), nullable=True, index=True
    )
    track_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    moderation_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    contributor_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalogue_contributors.id"), nullable=True, index=True
    )
    first_start: Mapped[dt.datetime] = mapped_column(DateTime)
    last_end: Mapped[dt.datetime] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)

    edition: Mapped[Edition] = relationship(lazy="joined")
    format: Mapped[EventFormat] = relationship(lazy="joined")
    track: Mapped[Track | None] = relationship(lazy="joined")
    contributor: Mapped[Contributor | None] = relationship(lazy="joined")
    timings: Mapped[list[Timing]] = relationship(
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="(Timing.start_at, Timing.id)",
        back_populates="event",
    )
    tags: Mapped[list[EventTag]] = relationship(
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="(EventTag.kind, EventTag.position)",
        back_populates="event",
    )

    def tag_values(self, kind: str) -> list[str]:
        """The values of one kind of tag ('theme', 'audience', 'accessibility'), in order."""
        return [tag.value for tag in self.tags if tag.kind == kind]


class Timing(Base):
    """One occurrence of an event (start and end, naive UTC)."""

    __tablename__ = "catalogue_timings"
    __table_args__ = (Index("ix_catalogue_timings_day_event", "start_day", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_events.id", ondelete="CASCADE"), index=True
    )
    start_at: Mapped[dt.datetime] = mapped_column(DateTime)
    end_at: Mapped[dt.datetime] = mapped_column(DateTime)
    start_day: Mapped[dt.date] = mapped_column(Date)

    event: Mapped[Event] = relationship(back_populates="timings")


class EventTag(Base):
    """A faceted multi-valued attribute of an event: a theme, an audience or an accommodation."""

    __tablename__ = "catalogue_event_tags"
    __table_args__ = (Index("ix_catalogue_event_tags_kind_value", "kind", "value", "event_id"),)

    event_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_events.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(80), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="tags")


class AuditEntry(Base):
    """One change: who (actor), when, what (action and field changes) on which record."""

    __tablename__ = "catalogue_audit"
    __table_args__ = (Index("ix_catalogue_audit_entity", "entity", "entity_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str] = mapped_column(String(80))
    actor_label: Mapped[str] = mapped_column(String(254))
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    changes: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class SearchState(Base):
    """One row: this database's identity and a counter that triggers bump on every change of
    events, tags or timings, so that each process knows when its search index is stale."""

    __tablename__ = "catalogue_search_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=0)
