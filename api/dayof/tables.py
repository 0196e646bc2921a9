"""Storage tables of the day itself: arrivals at the desk and attendance of the meetings.

`arrived_at` and `marked_at` are naive UTC (api.timestamps); a meeting's `start` is a salon
time (naive, the salon's timezone) as in the schedules. A meeting is named by its two
participants and its start, so its attendance outlives a new schedule version that keeps it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base

ATTENDANCE_STATES = ("held", "no_show")
MARKERS = ("table", "organiser", "participant")


class Arrival(Base):
    """A participant checked in at the desk (once: a second scan changes nothing)."""

    __tablename__ = "dayof_arrivals"

    id: Mapped[int] = mapped_column(primary_key=True)
    salon_id: Mapped[int] = mapped_column(ForeignKey("salons.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("salon_participants.id", ondelete="CASCADE"), unique=True
    )
    arrived_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Attendance(Base):
    """Whether a meeting took place (`held`) or not (`no_show`, `absent` naming who did not
    come when known), as last marked by the table's staff, the organiser or a participant."""

    __tablename__ = "dayof_attendance"
    __table_args__ = (UniqueConstraint("salon_id", "from_id", "to_id", "start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    salon_id: Mapped[int] = mapped_column(ForeignKey("salons.id", ondelete="CASCADE"), index=True)
    from_id: Mapped[int] = mapped_column(
        ForeignKey("salon_participants.id", ondelete="CASCADE"), index=True
    )
    to_id: Mapped[int] = mapped_column(
        ForeignKey("salon_participants.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[dt.datetime] = mapped_column(DateTime)
    table_code: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    absent_id: Mapped[int | None] = mapped_column(
        ForeignKey("salon_participants.id", ondelete="CASCADE"), nullable=True
    )
    marked_by: Mapped[str] = mapped_column(String(16))
    marked_at: Mapped[dt.datetime] = mapped_column(DateTime)
