"""Storage tables of self-registration: a salon's form (window, sides, fields asked, consent)
and the requests it received. Timestamps are naive UTC."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base


class RegistrationForm(Base):
    """A salon's public registration form; `sides` is "industrial", "director" or "both";
    `fields` the optional fields asked (api.registration.service.OPTIONAL_FIELDS)."""

    __tablename__ = "registration_forms"

    salon_id: Mapped[int] = mapped_column(
        ForeignKey("salons.id", ondelete="CASCADE"), primary_key=True
    )
    opens_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    closes_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    sides: Mapped[str] = mapped_column(String(16), default="industrial")
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    consent: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class RegistrationRequest(Base):
    """Someone asking to take part: pending until the organiser approves (a participant is
    made, `participant_id`) or refuses it."""

    __tablename__ = "registration_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    salon_id: Mapped[int] = mapped_column(ForeignKey("salons.id", ondelete="CASCADE"), index=True)
    side: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(Text, default="")
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(8), default="fr")
    state: Mapped[str] = mapped_column(String(16), default="pending")
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("salon_participants.id", ondelete="SET NULL"), nullable=True
    )
    consented_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
