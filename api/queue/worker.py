"""A `salon worker` process: procrastinate's worker running our tasks (api.queue.tasks) with the
process's job runner (api.jobs, mode `worker`), on the PostgreSQL database of the settings.

It migrates the database first (like `salon serve`), registers itself (procrastinate's worker
heartbeat every `worker_heartbeat_seconds`), runs `concurrency` jobs at once from `queues` (all
by default) and, on SIGINT/SIGTERM, stops taking jobs, gives the running ones back to the queue
and unregisters.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Sequence

import procrastinate

from api.db import make_engine, make_session_factory, migrate
from api.jobs import make_runner
from api.queue.client import client_for, conninfo
from api.queue.priorities import ALL_QUEUES
from api.queue.tasks import register_tasks
from api.settings import Settings
from api.timestamps import configure_clock

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 1.0  # a stopping worker waits that long before giving its jobs back


def run_worker(
    settings: Settings, *, concurrency: int | None = None, queues: Sequence[str] | None = None
) -> None:
    """Run a worker until it is stopped (ValueError when the database is not PostgreSQL)."""
    configure_clock(settings)  # a rehearsal's simulated clock, like the servers'
    info = conninfo(settings.database_url)
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    runner = make_runner(session_factory, settings, role="worker")
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=info))
    register_tasks(app, settings=settings, runner=runner, session_factory=session_factory)
    runner.start()
    name = f"{socket.gethostname()}:{os.getpid()}"
    chosen = list(queues) if queues else None
    log.info("salon worker %s: queues %s", name, ", ".join(chosen or ALL_QUEUES))

    async def work() -> None:
        async with app.open_async():
            await app.run_worker_async(
                name=name,
                queues=chosen,  # type: ignore[arg-type]  # None: every queue
                concurrency=concurrency or settings.worker_concurrency,
                update_heartbeat_interval=settings.worker_heartbeat_seconds,
                stalled_worker_timeout=settings.worker_stalled_seconds,
                shutdown_graceful_timeout=SHUTDOWN_GRACE_SECONDS,
                fetch_job_polling_interval=2.0,
                abort_job_polling_interval=1.0,
            )

    try:
        asyncio.run(work())
    finally:
        runner.shutdown()
        client_for(settings.database_url).close()
        engine.dispose()
