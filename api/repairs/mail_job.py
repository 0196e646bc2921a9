"""The mails of a published repair as a background job (kind `repair_mail`, issue 13 item 5):
the publishing request only queues it; the job runner (api.jobs) runs it like a solve or a
print, in a thread of the server (embedded mode) or on a `salon worker` (procrastinate), by the
same code path (`RepairMailWork.run` -> api.repairs.service.notify -> api.mail.send_mail).

The job names its repair (`document` = the repair's id) and, in `message`, the codes of the
participants the request's rate limit refused (space-separated; the limit counts a request's
recipients, so the request decides it). Its `done`/`total` are the mails sent and due; the
repair's `notified` is set when it ends.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from api.repairs import storage
from api.repairs.tables import Repair
from api.salons.tables import Job
from api.settings import Settings
from api.timestamps import utc_now

if TYPE_CHECKING:
    from api.jobs import JobRunner

log = logging.getLogger(__name__)

KIND = "repair_mail"
STOPPED = "Le serveur s'est arrêté avant d'envoyer les courriels de la réparation."
INTERRUPTED = "Le serveur qui envoyait les courriels de la réparation s'est arrêté."


class RepairMailJob(Job):
    """The mails of one published repair (see the module's docstring)."""

    __mapper_args__ = {"polymorphic_identity": KIND}


def queue_repair_mails(session: Session, *, repair: Repair, refused: list[str]) -> RepairMailJob:
    """Add the job mailing `repair`'s participants but `refused` (flush only: the caller
    commits, then hands the job's id to its runner)."""
    now = utc_now()
    job = RepairMailJob(
        salon_id=repair.salon_id,
        state="queued",
        cancel_requested=False,
        time_limit=0,
        workers=0,
        seed=0,
        phase="",
        elapsed=0.0,
        message=" ".join(refused),
        document=str(repair.id),
        created_at=now,
        heartbeat_at=now,
    )
    session.add(job)
    session.flush()
    return job


class RepairMailWork:
    """Sends a repair's mails (api.repairs.service.notify) and records how many went."""

    kind = KIND
    first_phase = "mailing"
    stopped_message = STOPPED

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def interrupted_message(self, owner: str | None, silent_seconds: float | None) -> str:
        return INTERRUPTED

    def run(self, runner: JobRunner, job: Job, stop: threading.Event) -> None:
        from api.repairs.service import notify  # the service imports this module

        refused = set((job.message or "").split())
        with runner.session_factory() as session:
            repair = session.get(Repair, int(job.document or 0))
            if repair is None:
                runner.finish(
                    job.id, state="failed", error_code="repair_not_found",
                    error_message="Réparation introuvable.",
                )
                return
            sent = notify(
                session, settings=self.settings, repair=repair,
                skip=refused,
            )
            storage.set_notified(session, repair_id=repair.id, count=sent)
            if runner.end(session, job.id, state="done", phase="done", done=sent):
                session.commit()
            else:
                session.rollback()
