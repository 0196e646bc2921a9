"""The counters of the rate limits kept in the database (shared by every server process)."""

from __future__ import annotations

from sqlalchemy import Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base


class RateLimitCounter(Base):
    """One fixed window of one limit: its key (`limits` notation, the identity hashed), the
    requests counted in it and when it ends (seconds since the epoch)."""

    __tablename__ = "rate_limit_counters"
    __table_args__ = (Index("ix_rate_limit_counters_expires_at", "expires_at"),)

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float)
