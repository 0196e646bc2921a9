"""What the operator does with jobs (`salon jobs`): list them with their queue, priority, place
and runs; retry a failed or cancelled one; cancel one (queued at once, running asked to stop)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.errors import DomainError
from api.queue import storage as queue_storage
from api.salons import storage
from api.salons.tables import ACTIVE_JOB_STATES
from api.timestamps import utc_now

RETRYABLE = ("failed", "cancelled")


@dataclass(frozen=True)
class JobLine:
    """A job as `salon jobs list` shows it."""

    id: int
    kind: str
    salon_id: int
    state: str
    phase: str
    queue: str
    priority: int
    position: int | None
    runs: int
    owner: str
    created_at: dt.datetime
    error_code: str


def list_jobs(session: Session, *, states: Sequence[str], limit: int) -> list[JobLine]:
    """The newest jobs (in `states` when given)."""
    lines = []
    for job, entry in queue_storage.listed_jobs(session, states=states, limit=limit):
        lines.append(
            JobLine(
                id=job.id,
                kind=job.kind,
                salon_id=job.salon_id,
                state=job.state,
                phase=job.phase,
                queue=entry.queue if entry is not None else "",
                priority=entry.priority if entry is not None else 0,
                position=queue_storage.queue_position(session, job=job),
                runs=len(queue_storage.job_runs(session, job_id=job.id)),
                owner=job.owner or "",
                created_at=job.created_at,
                error_code=job.error_code or "",
            )
        )
    return lines


def retry_job(session: Session, *, job_id: int) -> None:
    """Queue a failed or cancelled job again (the caller then submits it to its runner)."""
    job = storage.find_any_job(session, job_id=job_id)
    if job is None:
        raise DomainError("job_not_found", "Travail {job} introuvable.", status=404, job=job_id)
    if job.state not in RETRYABLE:
        raise DomainError(
            "job_not_retryable",
            "Le travail {job} est {state} : seuls les travaux échoués ou annulés se relancent.",
            status=409,
            job=job_id,
            state=job.state,
        )
    try:
        storage.update_job(
            session,
            job_id=job_id,
            only_states=RETRYABLE,
            state="queued",
            cancel_requested=False,
            error_code=None,
            error_message=None,
            phase="",
            message="",
            owner=None,
            started_at=None,
            finished_at=None,
            heartbeat_at=utc_now(),
        )
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise DomainError(
            "solve_running",
            "Un autre calcul du salon {salon} est déjà en attente ou en cours.",
            status=409,
            salon=job.salon_id,
        ) from exc


def cancel_job(session: Session, *, job_id: int) -> bool:
    """Cancel a queued job at once (True), or ask a running one to stop (False)."""
    job = storage.find_any_job(session, job_id=job_id)
    if job is None:
        raise DomainError("job_not_found", "Travail {job} introuvable.", status=404, job=job_id)
    if job.state not in ACTIVE_JOB_STATES:
        raise DomainError(
            "job_finished",
            "Le travail {job} est déjà terminé ({state}).",
            status=409,
            job=job_id,
            state=job.state,
        )
    cancelled = storage.cancel_job(session, job_id=job_id, now=utc_now())
    session.commit()
    return cancelled
