"""Storage tables of profiles: a salon's list of themes and each participant's profile (its
image re-encoded, stored in the row). Timestamps are naive UTC."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base


class ProfileThemes(Base):
    """The themes a salon's participants pick from, in the organiser's order."""

    __tablename__ = "profile_themes"

    salon_id: Mapped[int] = mapped_column(
        ForeignKey("salons.id", ondelete="CASCADE"), primary_key=True
    )
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)


class Profile(Base):
    """A participant's profile: Markdown description, offers, needs, keywords, themes, links and
    an image (PNG or JPEG as re-encoded, `image_type` its media type)."""

    __tablename__ = "participant_profiles"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("salon_participants.id", ondelete="CASCADE"), primary_key=True
    )
    salon_id: Mapped[int] = mapped_column(ForeignKey("salons.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    offers: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    image: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    image_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
