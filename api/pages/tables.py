"""Page settings of a salon kept by the pages module: the names of its two sides."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base


class SalonLabels(Base):
    """How a salon names its directors and its industrials (None: the default texts)."""

    __tablename__ = "pages_salon_labels"

    salon_id: Mapped[int] = mapped_column(
        ForeignKey("salons.id", ondelete="CASCADE"), primary_key=True
    )
    director_label: Mapped[str | None] = mapped_column(String(80), nullable=True)
    industrial_label: Mapped[str | None] = mapped_column(String(80), nullable=True)
