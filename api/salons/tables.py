"""Storage tables of salons: every part of a salon/v1 file, schedules and jobs (solves, batch
prints) are rows.

Salon times (sessions, intervals, pins, meetings) are naive local times of the salon's
timezone; bookkeeping timestamps (`*_at`, the wish deadline) are naive UTC.
A salon exports back to the salon/v1 file it was imported from (see api.salons.convert):
`position` columns keep the file's order and `tables_form` its way of writing the tables.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base

ACTIVE_JOB_STATES = ("queued", "running")


class Salon(Base):
    """A salon: its time grid and rules (salon/v1) plus the wish window and its owner.

    `director_max_meetings` / `industrial_max_meetings` are salon/v1's `max_meetings_by_kind`."""

    __tablename__ = "salons"

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("organisers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    meeting_minutes: Mapped[int] = mapped_column(Integer)
    changeover_minutes: Mapped[int] = mapped_column(Integer, default=0)
    max_in_a_row: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_break_spread: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tables_form: Mapped[str] = mapped_column(String(8), default="specs")
    wishes_open: Mapped[bool] = mapped_column(Boolean, default=False)
    wish_deadline: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    max_wishes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    director_max_meetings: Mapped[int | None] = mapped_column(Integer, nullable=True)
    industrial_max_meetings: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class SalonObjective(Base):
    """One objective of the salon's ordered objective list."""

    __tablename__ = "salon_objectives"

    salon_id: Mapped[int] = mapped_column(
        ForeignKey("salons.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(16))


class SalonSession(Base):
    """A block of meetings on one day."""

    __tablename__ = "salon_sessions"
    __table_args__ = (UniqueConstraint("salon_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    salon_id: Mapped[int] = mapped_column(ForeignKey("salons.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    date: Mapped[dt.date] = mapped_column(Date)
    start: Mapped[dt.time] = mapped_column(Time)
    end: Mapped[dt.time] = mapped_column(Time)


class SalonTable(Base):
    """A meeting table; `code` is its id in the salon/v1 file."""

    __tablename__ = "salon_tables"
    __table_args__ = (UniqueConstraint("salon_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    salon_id: Mapped[int] = mapped_column(ForeignKey("salons.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(Text, nullable=True)
    room: Mapped[str | None] = mapped_column(Text, nullable=True)


class Participant(Base):
    """An industrial or a director; `code` is its id in the salon/v1 file.

    A participant with a home table is a director (it receives at its table), the others are
    industrials.
    """

    __tablename__ = "salon_participants"
    __table_args__ = (UniqueConstraint("salon_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    salon_id: Mapped[int] = mapped_column(ForeignKey("salons.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(Text, default="")
    table_id: Mapped[int | None] = mapped_column(
        ForeignKey("salon_tables.id"), nullable=True, index=True
    )
    representatives: Mapped[int] = mapped_column(Integer, default=1)
    max_meetings: Mapped[int | None] = mapped_column(Integer, nullable=True)
    email: Mapped[str | None] = mapped_column(Text, nullable=True)
    wishes_submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Unavailability(Base):
    """An interval when a participant cannot meet."""

    __tablename__ = "salon_unavailabilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("salon_participants.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    start: Mapped[dt.datetime] = mapped_column(DateTime)
    end: Mapped[dt.datetime] = mapped_column(DateTime)


class Wish(Base):
    """A wish of `from` to meet `to`, with an optional short `message` the asked one reads.

    `rank` orders the wishes of one participant (1 = most wanted), `position` keeps the order
    of the salon/v1 file (distinct in a salon: new wishes come after the others, under the
    salon's lock). `decided_at` is set when the asked participant accepted or declined;
    `has_during` tells an empty `during` list (never) from no `during` at all (any time).
    """

    __tablename__ = "salon_wishes"
    __table_args__ = (
        UniqueConstraint("from_id", "to_id"),
        Index("uq_salon_wishes_position", "salon_id", "position", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    salon_id: Mapped[int] = mapped_column(ForeignKey("salons.id", ondelete="CASCADE"), index=True)
    from_id: Mapped[int] = mapped_column(
        ForeignKey("salon_participants.id", ondelete="CASCADE"), index=True
    )
    to_id: Mapped[int] = mapped_column(
        ForeignKey("salon_participants.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    rank: Mapped[int] = mapped_column(Integer)
    priority: Mapped[int] = mapped_column(Integer, default=2)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    declined: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    has_during: Mapped[bool] = mapped_column(Boolean, default=False)
    pinned: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    message: Mapped[str] = mapped_column(Text, default="", server_default="")  # to the asked
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class WishInterval(Base):
    """One interval of a wish's `during` list."""

    __tablename__ = "salon_wish_intervals"

    id: Mapped[int] = mapped_column(primary_key=True)
    wish_id: Mapped[int] = mapped_column(
        ForeignKey("salon_wishes.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    start: Mapped[dt.datetime] = mapped_column(DateTime)
    end: Mapped[dt.datetime] = mapped_column(DateTime)


class ParticipantLink(Base):
    """A participant's personal secret link: the SHA-256 of its token, expiry, revocation."""

    __tablename__ = "salon_participant_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("salon_participants.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Job(Base):
    """A background job of a salon, of one `kind`: a solve or a batch print (api.jobs runs both).

    The same states for every kind (queued, running, done, failed, cancelled), the same
    liveness (`owner` names the process running it, `heartbeat_at` proves it alive; a job whose
    process died is failed), the same cancel flag and the same progress columns: a solve's
    `phase`, `elapsed` and `message`, a print's `done` of `total` documents. The columns of one
    kind only are empty (or 0) on the other: a print has no time limit, workers or seed (0).
    """

    __tablename__ = "salon_jobs"
    __table_args__ = (
        Index(
            "uq_salon_jobs_active_solve",
            "salon_id",
            unique=True,
            sqlite_where=text("kind = 'solve' AND state IN ('queued', 'running')"),
            postgresql_where=text("kind = 'solve' AND state IN ('queued', 'running')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), server_default="solve")
    salon_id: Mapped[int] = mapped_column(ForeignKey("salons.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16))
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    time_limit: Mapped[float] = mapped_column(Float)
    workers: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    phase: Mapped[str] = mapped_column(String(32), default="")
    elapsed: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    participant_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    wish_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    document: Mapped[str | None] = mapped_column(String(32), nullable=True)  # a print's batch
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the schedule printed
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    pages: Mapped[int | None] = mapped_column(Integer, nullable=True)
    filename: Mapped[str | None] = mapped_column(String(200), nullable=True)  # download name
    file_path: Mapped[str | None] = mapped_column(Text, nullable=True)  # the result on disk
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    snapshot_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)

    __mapper_args__ = {"polymorphic_on": "kind"}


class SolveJob(Job):
    """A background solve: live progress, the snapshot it read and its result (a schedule).

    At most one queued or running solve per salon (a partial unique index). Queries of
    `SolveJob` see solves only (single-table inheritance adds `kind = 'solve'`).
    """

    __mapper_args__ = {"polymorphic_identity": "solve"}


class PrintJob(Job):
    """A batch PDF of a schedule version (`document`: one of api.pages.prints.DOCUMENTS), made
    in the background; its result is the file at `file_path`, downloaded as `filename`."""

    __mapper_args__ = {"polymorphic_identity": "print"}


class SolveJobObjective(Base):
    """Live progress of a job for one objective: best value found and proven bound."""

    __tablename__ = "salon_solve_job_objectives"

    job_id: Mapped[int] = mapped_column(
        ForeignKey("salon_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[int | None] = mapped_column(Integer, nullable=True)
    bound: Mapped[int | None] = mapped_column(Integer, nullable=True)


class SolveJobClash(Base):
    """A requirement taking part in the infeasibility of a failed job."""

    __tablename__ = "salon_solve_job_clashes"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(
        ForeignKey("salon_jobs.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)  # English, as the core words it
    message_fr: Mapped[str] = mapped_column(Text, default="", server_default="")  # "" if none


class Schedule(Base):
    """A schedule version of a salon: preliminary until published (`published_at`).

    The newest published version is the one participants see; earlier ones stay readable.
    `stats` holds the solver's free-form diagnostics (schedule/v1 `stats`), nothing else.
    """

    __tablename__ = "salon_schedules"
    __table_args__ = (UniqueConstraint("salon_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    salon_id: Mapped[int] = mapped_column(ForeignKey("salons.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    job_id: Mapped[int | None] = mapped_column(
        ForeignKey("salon_jobs.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    salon_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    stats: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class ScheduleObjective(Base):
    """An objective's value and bound in a schedule."""

    __tablename__ = "salon_schedule_objectives"

    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("salon_schedules.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(16))
    value: Mapped[int] = mapped_column(Integer)
    bound: Mapped[int] = mapped_column(Integer)


class ScheduledMeeting(Base):
    """A meeting of a schedule: who, when (salon-local), at which table."""

    __tablename__ = "salon_schedule_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("salon_schedules.id", ondelete="CASCADE"), index=True
    )
    from_id: Mapped[int] = mapped_column(ForeignKey("salon_participants.id"), index=True)
    to_id: Mapped[int] = mapped_column(ForeignKey("salon_participants.id"), index=True)
    start: Mapped[dt.datetime] = mapped_column(DateTime)
    end: Mapped[dt.datetime] = mapped_column(DateTime)
    table_id: Mapped[int] = mapped_column(ForeignKey("salon_tables.id"), index=True)


class UnscheduledWish(Base):
    """A wish a schedule does not hold, with the rule that explains it."""

    __tablename__ = "salon_schedule_unscheduled"

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("salon_schedules.id", ondelete="CASCADE"), index=True
    )
    from_id: Mapped[int] = mapped_column(ForeignKey("salon_participants.id"), index=True)
    to_id: Mapped[int] = mapped_column(ForeignKey("salon_participants.id"), index=True)
    reason: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")
    detail_en: Mapped[str] = mapped_column(Text, default="")
