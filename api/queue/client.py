"""Putting work on the procrastinate queue (PostgreSQL), from a web process or a worker.

`QueueClient` holds a small synchronous connection pool (procrastinate's SyncPsycopgConnector)
and knows the tasks by name (api.queue.tasks registers them on the workers' app): `run_job`
carries a row of `salon_jobs` (its queue, priority and lock from its `QueueEntry`), `send_mail`
one mail of the outbox. It never runs anything.
"""

from __future__ import annotations

import threading
from typing import Any

import procrastinate
from sqlalchemy import make_url

from api.queue.priorities import MAIL, MAIL_QUEUE
from api.queue.tables import QueueEntry

RUN_JOB = "salon.run_job"
SEND_MAIL = "salon.send_mail"


def conninfo(database_url: str) -> str:
    """libpq's form of a SQLAlchemy PostgreSQL URL (`postgresql+psycopg://` -> `postgresql://`)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError(
            "SALON_JOB_QUEUE=procrastinate demande PostgreSQL (DATABASE_URL=postgresql+psycopg://…)"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class QueueClient:
    """Defers jobs and mails on the queue of the database at `database_url`."""

    def __init__(self, database_url: str) -> None:
        self.app = procrastinate.App(
            connector=procrastinate.SyncPsycopgConnector(
                conninfo=conninfo(database_url), min_size=1, max_size=4
            )
        )
        self._opened = False
        self._lock = threading.Lock()

    def _open(self) -> procrastinate.App:
        with self._lock:
            if not self._opened:
                self.app.open()
                self._opened = True
        return self.app

    def close(self) -> None:
        with self._lock:
            if self._opened:
                self.app.close()
                self._opened = False

    def defer_job(
        self,
        job_id: int,
        *,
        queue: str,
        priority: int,
        lock: str | None,
        schedule_in: float | None = None,
    ) -> int:
        """Queue the run of a `salon_jobs` row; the procrastinate job's id."""
        options: dict[str, Any] = {"queue": queue, "priority": priority, "lock": lock}
        if schedule_in:
            options["schedule_in"] = {"seconds": schedule_in}
        return int(self._open().configure_task(RUN_JOB, **options).defer(job_id=job_id))

    def dispatch(self, job_id: int, entry: QueueEntry, delay: float | None) -> int:
        """The runner's dispatch in the queued mode (api.jobs.Dispatch)."""
        return self.defer_job(
            job_id,
            queue=entry.queue,
            priority=entry.priority,
            lock=entry.lock,
            schedule_in=delay,
        )

    def defer_mail(self, mail_id: int, *, schedule_in: float | None = None) -> int:
        """Queue the sending of an outbox mail; the procrastinate job's id."""
        options: dict[str, Any] = {"queue": MAIL_QUEUE, "priority": MAIL}
        if schedule_in:
            options["schedule_in"] = {"seconds": schedule_in}
        return int(self._open().configure_task(SEND_MAIL, **options).defer(mail_id=mail_id))


_clients: dict[str, QueueClient] = {}
_clients_lock = threading.Lock()


def client_for(database_url: str) -> QueueClient:
    """The process's client of the queue at `database_url` (one pool per database)."""
    with _clients_lock:
        client = _clients.get(database_url)
        if client is None:
            client = _clients[database_url] = QueueClient(database_url)
        return client
