"""Which queue, which priority and which share each job gets (one rule each).

- Queues: `solves`, `prints`, `mails` (one mail, or a published repair's mails); a worker may
  serve some only (`salon worker --queues`).
- Priorities (higher first): the work of a salon on its own day (`DAY_OF`: a re-solve or a print
  on the morning of the salon) before a mail (`MAIL`), before everything else (`NORMAL`: a
  rehearsal solve weeks before).
- Fair sharing: an organiser's solves take one of `solve_max_running` locks (`organiser-<id>-<n>`,
  the least used one), so at most that many run at once whatever the number of workers; the
  others wait their turn, other organisers' solves passing them.
"""

from __future__ import annotations

from collections import Counter
from zoneinfo import ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.queue.tables import QueueEntry
from api.salons.tables import ACTIVE_JOB_STATES, Job, Salon, SalonSession
from api.timestamps import local_now

DAY_OF = 100
MAIL = 50
NORMAL = 0
MAIL_QUEUE = "mails"
QUEUES = {"solve": "solves", "print": "prints", "repair_mail": MAIL_QUEUE}
ALL_QUEUES = ("solves", "prints", MAIL_QUEUE, "maintenance")


def queue_of(kind: str) -> str:
    """The queue of a job of `kind`."""
    return QUEUES.get(kind, "solves")


def on_its_day(session: Session, *, salon_id: int) -> bool:
    """Whether today, in the salon's timezone, is one of the salon's days."""
    salon = session.get(Salon, salon_id)
    if salon is None:
        return False
    try:
        today = local_now(salon.timezone).date()
    except ZoneInfoNotFoundError:
        today = local_now("Europe/Paris").date()
    days = session.scalars(select(SalonSession.date).where(SalonSession.salon_id == salon_id))
    return today in set(days)


def job_priority(session: Session, *, job: Job) -> int:
    """The work of a salon on its day first."""
    return DAY_OF if on_its_day(session, salon_id=job.salon_id) else NORMAL


def solve_lock(session: Session, *, organiser_id: int, max_running: int) -> str:
    """The least used of the organiser's `max_running` solve locks."""
    used = Counter(
        session.scalars(
            select(QueueEntry.lock)
            .join(Job, Job.id == QueueEntry.job_id)
            .where(QueueEntry.organiser_id == organiser_id, Job.state.in_(ACTIVE_JOB_STATES))
        )
    )
    locks = [f"organiser-{organiser_id}-{n}" for n in range(max_running)]
    return min(locks, key=lambda lock: (used[lock], lock))
