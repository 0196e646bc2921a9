"""Storage of the feedback after a meeting.

A meeting is named by its two participants and its start (salon-local, naive), not by a
schedule's meeting row: a repair makes a new schedule version whose rows are new, and a meeting
that stayed keeps its feedback. `note` is private to its author: no figure, page or export of
the organiser reads it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base

NOTE_MAX = 2000
"""Characters of a private note."""


class MeetingFeedback(Base):
    """What `author_id` says of its meeting with `other_id` that started at `start`."""

    __tablename__ = "salon_meeting_feedback"
    __table_args__ = (
        UniqueConstraint("author_id", "other_id", "start"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    salon_id: Mapped[int] = mapped_column(ForeignKey("salons.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(
        ForeignKey("salon_participants.id", ondelete="CASCADE"), index=True
    )
    other_id: Mapped[int] = mapped_column(
        ForeignKey("salon_participants.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[dt.datetime] = mapped_column(DateTime)  # the meeting's, salon-local
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
