"""The job queue's own tables (api.queue): where each job was queued, every run of it, the
printed files and the mail outbox, all in the database so that any process of any machine reads
them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base


class QueueEntry(Base):
    """How a job (a row of `salon_jobs`) was queued: its queue, its priority (higher first), the
    organiser whose share it counts in, and the procrastinate job carrying it (none in the
    embedded mode)."""

    __tablename__ = "queue_entries"

    job_id: Mapped[int] = mapped_column(
        ForeignKey("salon_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    queue: Mapped[str] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    organiser_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    lock: Mapped[str | None] = mapped_column(String(64), nullable=True)
    queue_job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    queued_at: Mapped[dt.datetime] = mapped_column(DateTime)


class JobRun(Base):
    """One run of a job by one process (`owner`): a job taken over after its worker died has
    two, the first `abandoned`. `last_beat_at` is stamped by the run itself while it lives, so
    two runs of one job overlap only if the first beat after the second started."""

    __tablename__ = "queue_job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(
        ForeignKey("salon_jobs.id", ondelete="CASCADE"), index=True
    )
    owner: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_beat_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)


class PrintFile(Base):
    """The PDF a batch print made (served by any web process)."""

    __tablename__ = "queue_print_files"

    job_id: Mapped[int] = mapped_column(
        ForeignKey("salon_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class OutboxMail(Base):
    """A mail to send (state `queued`), sent through SMTP (`sent`), kept as the outbox when no
    SMTP server is set (`outbox`), or given up (`failed`, its last error)."""

    __tablename__ = "queue_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text)
    message: Mapped[bytes] = mapped_column(LargeBinary)  # RFC 5322, as sent
    state: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
