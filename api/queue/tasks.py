"""The tasks a `salon worker` runs (procrastinate), all calling the code the embedded mode runs:

- `salon.run_job(job_id)`: one run of a `salon_jobs` row (api.jobs.JobRunner.execute, as a
  server's thread does in the embedded mode); a solve waiting for its organiser's share, or
  whose former run still beats, is queued again a little later; a job given back by a stopping
  worker is queued again at once.
- `salon.send_mail(mail_id)`: one mail of the outbox (api.mail.deliver_queued), retried with a
  growing wait when the SMTP server fails, `mail_max_attempts` times at most.
- every `recover_seconds`: the jobs of stalled workers (no heartbeat for
  `worker_stalled_seconds`: killed, or cut off) are retried, and the queued jobs that no queue
  job carries (their server died between its commit and the queueing) are queued.
- every minute: the day-of reminders due (api.reminders.send_due_reminders; each is claimed
  once in the database, so two workers never send one twice).
- every hour: the clean-up (`queue_keep_days`): procrastinate's jobs ended that long ago, with
  their events (the maintenance queue's succeeded ones after an hour), and the sent and failed
  mails (api.jobs.prune_old_mails, which the embedded runner ticks too).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import procrastinate
from procrastinate import JobContext
from procrastinate.job_context import AbortReason
from sqlalchemy.orm import Session, sessionmaker

from api.jobs import RETRY_BUSY_SECONDS, JobRunner, prune_old_mails
from api.mail import MailNotSentError, deliver_queued
from api.queue import storage as queue_storage
from api.queue.client import RUN_JOB, SEND_MAIL
from api.queue.priorities import MAIL_QUEUE
from api.reminders import send_due_reminders
from api.settings import Settings
from api.timestamps import utc_now

log = logging.getLogger(__name__)

RECOVER_CRON = "* * * * * */2"  # every two seconds (procrastinate's 6th field: seconds)
ORPHAN_AFTER = timedelta(seconds=30)
PRUNE_CRON = "17 * * * *"  # hourly
PRUNE = "salon.prune"
MAINTENANCE_KEEP_HOURS = 1  # succeeded jobs of the maintenance queue (recovery, reminders...)


def register_tasks(
    app: procrastinate.App,
    *,
    settings: Settings,
    runner: JobRunner,
    session_factory: sessionmaker[Session],
) -> None:
    """Register the worker's tasks (and periodic tasks) on `app`."""

    @app.task(name=RUN_JOB, pass_context=True)
    def run_job(context: JobContext, job_id: int) -> str:
        def abort() -> str | None:
            reason = context.abort_reason()
            if reason is None:
                return None
            return "release" if reason == AbortReason.SHUTDOWN else "cancel"

        outcome = runner.execute(job_id, takeover=True, abort=abort)
        delay = {
            "busy": RETRY_BUSY_SECONDS,
            "alive": runner.stale_seconds / 2,
            "released": 0.0,
        }.get(outcome)
        if delay is not None:
            with session_factory() as session:
                entry = queue_storage.find_entry(session, job_id=job_id)
            if entry is not None:
                runner.dispatch(job_id, entry, delay or None)
        return outcome

    @app.task(
        name=SEND_MAIL,
        queue=MAIL_QUEUE,
        retry=procrastinate.RetryStrategy(
            max_attempts=max(0, settings.mail_max_attempts - 1),
            exponential_wait=2,
            retry_exceptions={MailNotSentError},
        ),
        pass_context=True,
    )
    def send_mail(context: JobContext, mail_id: int) -> None:
        final = context.job.attempts + 1 >= settings.mail_max_attempts
        deliver_queued(settings, session_factory, mail_id, final=final)

    @app.periodic(cron=RECOVER_CRON, periodic_id="recover")
    @app.task(
        name="salon.recover",
        queue="maintenance",
        lock="salon.recover",
        queueing_lock="salon.recover",
        pass_context=True,
    )
    async def recover(context: JobContext, timestamp: int) -> int:
        manager = context.app.job_manager
        stalled = await manager.get_stalled_jobs(
            seconds_since_heartbeat=settings.worker_stalled_seconds
        )
        retried = 0
        for job in stalled:
            if job.task_name == "salon.recover":
                continue
            try:
                await manager.retry_job(job)
                retried += 1
            except Exception:  # noqa: BLE001 - retried by another pass meanwhile
                log.warning("stalled job %s not retried", job.id, exc_info=True)
        await asyncio.to_thread(requeue_orphans, runner, session_factory)
        if retried:
            log.warning("retried %s job(s) of stalled workers", retried)
        return retried

    @app.periodic(cron=PRUNE_CRON, periodic_id="prune")
    @app.task(name=PRUNE, queue="maintenance", lock=PRUNE, queueing_lock=PRUNE, pass_context=True)
    async def prune(context: JobContext, timestamp: int) -> int:
        if settings.queue_keep_days <= 0:
            return 0
        manager = context.app.job_manager
        # The recovery alone succeeds every two seconds: those runs are kept one hour only.
        await manager.delete_old_jobs(nb_hours=MAINTENANCE_KEEP_HOURS, queue="maintenance")
        await manager.delete_old_jobs(
            nb_hours=24 * settings.queue_keep_days,
            include_failed=True,
            include_cancelled=True,
            include_aborted=True,
        )
        return await asyncio.to_thread(prune_old_mails, session_factory, settings)

    @app.periodic(cron="* * * * *", periodic_id="reminders")
    @app.task(
        name="salon.reminders",
        queue="maintenance",
        lock="salon.reminders",
        queueing_lock="salon.reminders",
    )
    def reminders(timestamp: int) -> int:
        with session_factory() as session:
            return send_due_reminders(session, settings)


def requeue_orphans(runner: JobRunner, session_factory: sessionmaker[Session]) -> int:
    """Queue the queued jobs no queue job carries; how many."""
    with session_factory() as session:
        orphans = queue_storage.queued_jobs_without_queue_job(
            session, before=utc_now() - ORPHAN_AFTER
        )
    for job_id in orphans:
        runner.submit(job_id)
    return len(orphans)
