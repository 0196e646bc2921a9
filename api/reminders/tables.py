"""What participants were told of their agenda: the reminders sent (never twice) and the
version of its agenda each participant last saw on its page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base


class ReminderSent(Base):
    """One reminder mail to one participant. `key` names what it was ("evening:2023-11-28":
    the evening before that day); the pair (participant, key) is unique, so a reminder claimed
    by one sender is never sent by another. `digest` is the agenda it carried."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("participant_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    salon_id: Mapped[int] = mapped_column(ForeignKey("salons.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("salon_participants.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    schedule_version: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime)


class AgendaSeen(Base):
    """The agenda a participant last saw on its page: its meetings' keys and their digest."""

    __tablename__ = "reminders_agenda_seen"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("salon_participants.id", ondelete="CASCADE"), primary_key=True
    )
    schedule_version: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    meetings: Mapped[list[Any]] = mapped_column(JSON)
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime)
