"""Background jobs of every kind (api.jobs runs them): a solve's objectives and clashes, the
one cancel, and what the runner reads and writes to keep them alive."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from api.salons.storage.queries import paged
from api.salons.tables import ACTIVE_JOB_STATES, Job, SolveJob, SolveJobClash, SolveJobObjective
from scheduler.errors import Clash


def insert_job(session: Session, *, job: SolveJob) -> SolveJob:
    session.add(job)
    session.flush()
    return job


def find_job(session: Session, *, job_id: int, salon_id: int | None = None) -> SolveJob | None:
    job = session.get(SolveJob, job_id)
    if job is None or (salon_id is not None and job.salon_id != salon_id):
        return None
    return job


def active_job(session: Session, *, salon_id: int) -> SolveJob | None:
    return session.scalar(
        select(SolveJob).where(SolveJob.salon_id == salon_id, SolveJob.state.in_(ACTIVE_JOB_STATES))
    )


def list_jobs(
    session: Session, *, salon_id: int, offset: int, limit: int
) -> tuple[list[SolveJob], int]:
    query = select(SolveJob).where(SolveJob.salon_id == salon_id).order_by(SolveJob.id.desc())
    return paged(session, query, offset=offset, limit=limit)


def find_any_job(session: Session, *, job_id: int) -> Job | None:
    """A job of any kind (a solve, a print), as the runner reads it."""
    return session.get(Job, job_id)


def update_job(
    session: Session, *, job_id: int, only_states: Sequence[str] = (), **values: Any
) -> bool:
    """Set columns of a job of any kind (only while in `only_states` when given); True if a row
    changed."""
    statement = update(Job).where(Job.id == job_id)
    if only_states:
        statement = statement.where(Job.state.in_(only_states))
    result = session.execute(
        statement.values(**values).execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def job_objectives(
    session: Session, *, job_ids: Sequence[int]
) -> dict[int, list[SolveJobObjective]]:
    grouped: dict[int, list[SolveJobObjective]] = defaultdict(list)
    if not job_ids:
        return grouped
    rows = session.scalars(
        select(SolveJobObjective)
        .where(SolveJobObjective.job_id.in_(job_ids))
        .order_by(SolveJobObjective.job_id, SolveJobObjective.name)
    )
    for row in rows:
        grouped[row.job_id].append(row)
    return grouped


def replace_job_objectives(
    session: Session,
    *,
    job_id: int,
    values: dict[str, int],
    bounds: dict[str, int],
) -> None:
    session.execute(delete(SolveJobObjective).where(SolveJobObjective.job_id == job_id))
    session.add_all(
        SolveJobObjective(job_id=job_id, name=name, value=values.get(name), bound=bounds.get(name))
        for name in sorted(set(values) | set(bounds))
    )
    session.flush()


def job_clashes(session: Session, *, job_id: int) -> list[SolveJobClash]:
    return list(
        session.scalars(
            select(SolveJobClash).where(SolveJobClash.job_id == job_id).order_by(SolveJobClash.id)
        )
    )


def insert_job_clashes(session: Session, *, job_id: int, clashes: Sequence[Clash]) -> None:
    session.add_all(
        SolveJobClash(job_id=job_id, rule=c.rule, message=c.message, message_fr=c.message_fr)
        for c in clashes
    )
    session.flush()


def cancel_job(session: Session, *, job_id: int, now: dt.datetime) -> bool:
    """Cancel a queued job at once, or ask a running one to stop (its runner ends it): one
    conditional UPDATE each, so a job starting meanwhile is asked to stop, never missed. True if
    the job was queued and is now cancelled."""
    if update_job(
        session,
        job_id=job_id,
        only_states=("queued",),
        state="cancelled",
        cancel_requested=True,
        finished_at=now,
        message="annulé avant le début",
    ):
        return True
    update_job(session, job_id=job_id, only_states=("running",), cancel_requested=True)
    return False


def active_jobs(session: Session) -> list[Job]:
    """Every queued or running job of every kind and salon."""
    return list(session.scalars(select(Job).where(Job.state.in_(ACTIVE_JOB_STATES))))


def cancel_requests(session: Session, *, job_ids: Sequence[int]) -> set[int]:
    """The jobs among `job_ids` whose cancellation was asked."""
    if not job_ids:
        return set()
    return set(session.scalars(select(Job.id).where(Job.id.in_(job_ids), Job.cancel_requested)))


def touch_jobs(session: Session, *, job_ids: Sequence[int], now: dt.datetime) -> None:
    if job_ids:
        session.execute(
            update(Job)
            .where(Job.id.in_(job_ids), Job.state.in_(ACTIVE_JOB_STATES))
            .values(heartbeat_at=now)
            .execution_options(synchronize_session=False)
        )
