"""What the job queue reads and writes (keyword-only, flush only): claiming a job for one run,
its runs, the writes only the run owning a job may make, queue entries and positions, printed
files and the mail outbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from api.organisers import storage as organiser_storage
from api.queue.tables import JobRun, OutboxMail, PrintFile, QueueEntry
from api.salons.tables import ACTIVE_JOB_STATES, Job, Salon
from api.timestamps import utc_now


@dataclass(frozen=True)
class Claim:
    """What a run got: `claimed` (the job is its own now; `took_over` from a dead run), `gone`
    (ended, cancelled, or another run has it), `busy` (its organiser runs its share of solves:
    try later) or `alive` (running under a run whose heartbeat is fresh: try later)."""

    outcome: str
    job: Job | None = None
    took_over: bool = False


def running_solves_of_organiser(session: Session, *, organiser_id: int) -> int:
    return int(
        session.scalar(
            select(func.count(Job.id))
            .join(Salon, Salon.id == Job.salon_id)
            .where(Salon.organiser_id == organiser_id, Job.kind == "solve", Job.state == "running")
        )
        or 0
    )


def organiser_of_job(session: Session, *, job: Job) -> int | None:
    return session.scalar(select(Salon.organiser_id).where(Salon.id == job.salon_id))


def claim_job(
    session: Session,
    *,
    job_id: int,
    owner: str,
    first_phase: str,
    now: dt.datetime,
    max_running: int | None,
    takeover_before: dt.datetime | None,
) -> Claim:
    """Make `job_id` the job of run `owner`: from queued (a solve only while its organiser runs
    fewer than `max_running`), or, when `takeover_before` is given, from a run silent since
    before then (its run is closed as abandoned). One conditional UPDATE decides."""
    job = session.get(Job, job_id)
    if job is None:
        return Claim("gone")
    session.refresh(job)
    if job.state == "queued":
        if job.kind == "solve" and max_running is not None:
            organiser_id = organiser_of_job(session, job=job)
            if organiser_id is not None:
                organiser_storage.lock_organiser(session, organiser_id=organiser_id)
                if running_solves_of_organiser(session, organiser_id=organiser_id) >= max_running:
                    return Claim("busy")
                # A solve of the organiser may have finished since `now` was read (that is
                # why it can start): its start is read after, never before that end.
                now = max(now, utc_now())
        condition = Job.state == "queued"
        values: dict[str, Any] = {"state": "running", "started_at": now}
        took_over = False
    elif job.state == "running" and takeover_before is not None:
        if job.heartbeat_at is not None and job.heartbeat_at > takeover_before:
            return Claim("alive")
        condition = and_(  # still silent when the UPDATE runs: a live run is never taken
            Job.state == "running",
            _same_owner(job.owner),
            or_(Job.heartbeat_at.is_(None), Job.heartbeat_at <= takeover_before),
        )
        values = {}
        took_over = True
    else:
        return Claim("gone")
    values.update(owner=owner, heartbeat_at=now, phase=first_phase)
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        return Claim("gone")
    if took_over:
        end_runs(session, job_id=job_id, outcome="abandoned", now=now)
    session.add(JobRun(job_id=job_id, owner=owner, started_at=now, last_beat_at=now))
    session.flush()
    session.refresh(job)
    return Claim("claimed", job, took_over)


def _same_owner(owner: str | None) -> Any:
    return Job.owner.is_(None) if owner is None else Job.owner == owner


def update_owned_job(
    session: Session,
    *,
    job_id: int,
    owner: str,
    only_states: Sequence[str] = ACTIVE_JOB_STATES,
    **values: Any,
) -> bool:
    """Set columns of a job while run `owner` has it (and it is in `only_states`): a run that
    lost its job (taken over after it fell silent) writes nothing. True if a row changed."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.owner == owner, Job.state.in_(only_states))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def release_job(session: Session, *, job_id: int, owner: str, now: dt.datetime) -> bool:
    """Give a running job back to the queue (its worker stops): queued again, no owner."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.owner == owner, Job.state == "running")
        .values(state="queued", owner=None, phase="", message="", started_at=None)
        .execution_options(synchronize_session=False)
    )
    released = bool(getattr(result, "rowcount", 0))
    if released:
        end_runs(session, job_id=job_id, outcome="released", now=now, owner=owner)
    return released


def beat(session: Session, *, job_id: int, owner: str, now: dt.datetime) -> tuple[bool, bool]:
    """Stamp the heartbeat of a job (queued or running) if `owner` still has it, then of its
    run (the job's row first, then the run's: the order every write of a job follows, so that
    a beat never deadlocks with a run ending); whether `owner` still has it, and whether its
    cancellation was asked."""
    mine = and_(Job.id == job_id, Job.owner == owner, Job.state.in_(ACTIVE_JOB_STATES))
    cancel = session.scalar(
        update(Job)
        .where(mine)
        .values(heartbeat_at=now)
        .returning(Job.cancel_requested)
        .execution_options(synchronize_session=False)
    )
    if cancel is None:
        return False, False
    session.execute(
        update(JobRun)
        .where(JobRun.job_id == job_id, JobRun.owner == owner, JobRun.ended_at.is_(None))
        .values(last_beat_at=now)
        .execution_options(synchronize_session=False)
    )
    return True, bool(cancel)


def end_runs(
    session: Session,
    *,
    job_id: int,
    outcome: str,
    now: dt.datetime,
    owner: str | None = None,
) -> None:
    """Close the open runs of a job (of run `owner` only, when given) with `outcome`."""
    statement = update(JobRun).where(JobRun.job_id == job_id, JobRun.ended_at.is_(None))
    if owner is not None:
        statement = statement.where(JobRun.owner == owner)
    session.execute(
        statement.values(ended_at=now, outcome=outcome).execution_options(
            synchronize_session=False
        )
    )


def job_runs(session: Session, *, job_id: int) -> list[JobRun]:
    return list(session.scalars(select(JobRun).where(JobRun.job_id == job_id).order_by(JobRun.id)))


# ------------------------------------------------------------------ entries


def put_entry(session: Session, *, entry: QueueEntry) -> QueueEntry:
    """Record (or replace) how a job was queued."""
    merged = session.merge(entry)
    session.flush()
    return merged


def find_entry(session: Session, *, job_id: int) -> QueueEntry | None:
    return session.get(QueueEntry, job_id)


def set_queue_job(session: Session, *, job_id: int, queue_job_id: int) -> None:
    session.execute(
        update(QueueEntry)
        .where(QueueEntry.job_id == job_id)
        .values(queue_job_id=queue_job_id)
        .execution_options(synchronize_session=False)
    )


def queue_position(session: Session, *, job: Job) -> int | None:
    """A queued job's place among the queued jobs of its kind (1: next), the higher priorities
    first, then the oldest; None when it is not queued."""
    if job.state != "queued":
        return None
    entry = session.get(QueueEntry, job.id)
    priority = entry.priority if entry is not None else 0
    other_priority = func.coalesce(QueueEntry.priority, 0)
    ahead = session.scalar(
        select(func.count(Job.id))
        .select_from(Job)
        .outerjoin(QueueEntry, QueueEntry.job_id == Job.id)
        .where(
            Job.kind == job.kind,
            Job.state == "queued",
            Job.id != job.id,
            or_(
                other_priority > priority,
                and_(other_priority == priority, Job.id < job.id),
            ),
        )
    )
    return int(ahead or 0) + 1


def listed_jobs(
    session: Session, *, states: Sequence[str], limit: int
) -> list[tuple[Job, QueueEntry | None]]:
    """Jobs of every kind in `states` (all when empty), newest first, with their entries."""
    query = select(Job, QueueEntry).outerjoin(QueueEntry, QueueEntry.job_id == Job.id)
    if states:
        query = query.where(Job.state.in_(states))
    rows = session.execute(query.order_by(Job.id.desc()).limit(limit)).all()
    return [(row[0], row[1]) for row in rows]


def queued_jobs_without_queue_job(session: Session, *, before: dt.datetime) -> list[int]:
    """Queued jobs older than `before` that no procrastinate job carries (their server stopped
    between the commit and the queueing): to be queued again."""
    return list(
        session.scalars(
            select(Job.id)
            .outerjoin(QueueEntry, QueueEntry.job_id == Job.id)
            .where(
                Job.state == "queued",
                Job.created_at < before,
                QueueEntry.queue_job_id.is_(None),
            )
        )
    )


# ------------------------------------------------------------- print files


def save_print_file(session: Session, *, job_id: int, data: bytes, now: dt.datetime) -> None:
    session.merge(PrintFile(job_id=job_id, data=data, created_at=now))
    session.flush()


def print_file(session: Session, *, job_id: int) -> bytes | None:
    return session.scalar(select(PrintFile.data).where(PrintFile.job_id == job_id))


# ------------------------------------------------------------------ outbox


def insert_mail(session: Session, *, mail: OutboxMail) -> OutboxMail:
    session.add(mail)
    session.flush()
    return mail


def find_mail(session: Session, *, mail_id: int) -> OutboxMail | None:
    return session.get(OutboxMail, mail_id)


def update_mail(session: Session, *, mail_id: int, **values: Any) -> None:
    session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


FINISHED_MAIL_STATES = ("sent", "failed")
"""Mails the clean-up may delete once old: sent, or given up (never queued nor outbox ones)."""


def delete_old_mails(session: Session, *, before: dt.datetime) -> int:
    """Delete the sent and failed mails last touched before `before`; how many."""
    touched = func.coalesce(OutboxMail.sent_at, OutboxMail.created_at)
    result = session.execute(
        delete(OutboxMail).where(
            OutboxMail.state.in_(FINISHED_MAIL_STATES), touched < before
        )
    )
    session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def outbox_mails(session: Session, *, states: Sequence[str] = ()) -> list[OutboxMail]:
    """The mails of the database outbox, oldest first (in `states` when given)."""
    query = select(OutboxMail).order_by(OutboxMail.id)
    if states:
        query = query.where(OutboxMail.state.in_(states))
    return list(session.scalars(query))
