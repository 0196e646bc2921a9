"""Storage of on-the-day repairs: the changes posted, the draft schedule they produced.

A repair's draft is an ordinary preliminary schedule version (api.salons.tables.Schedule); this
row keeps what a schedule row cannot: the changes/v1 list posted, the "now" they were applied
at, the change list for the desk and the participants whose agenda changed. Salon times (`now`)
are naive local times of the salon; `*_at` are naive UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base


class Repair(Base):
    """Changes of the day applied to the published schedule `base_schedule_id`."""

    __tablename__ = "salon_repairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    salon_id: Mapped[int] = mapped_column(ForeignKey("salons.id", ondelete="CASCADE"), index=True)
    base_schedule_id: Mapped[int | None] = mapped_column(
        ForeignKey("salon_schedules.id", ondelete="SET NULL"), nullable=True
    )
    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("salon_schedules.id", ondelete="CASCADE"), unique=True
    )
    now: Mapped[dt.datetime] = mapped_column(DateTime)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # changes/v1 `changes`
    change_list: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # schedule/v1 `changes`
    participants: Mapped[list[str]] = mapped_column(JSON)  # codes whose agenda changed
    notified: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    notified_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
