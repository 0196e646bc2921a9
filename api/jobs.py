"""Background jobs of every kind on one machinery: solves and the organiser's batch prints.

- A job is a row of `salon_jobs` (api.salons.tables.Job) with a `kind`. The request that makes
  one inserts it queued and hands its id to the process's `JobRunner` (`submit`), which runs it
  in a thread when one of its kind's slots is free: `solve_concurrency` solves and
  `print_concurrency` prints at once, each kind in its own pool, so a print never waits behind
  a 30-minute solve (nor a solve behind prints). The event loop never waits for a job.
- What a job does is its kind's `JobWork`: `SolveWork` in api.solve_work, `PrintWork` in
  api.pages.prints.
  The runner owns everything else, the same for every kind: the states (queued, running, done,
  failed, cancelled; a job is claimed by one conditional UPDATE from queued), liveness, cancel,
  failing the jobs it could not finish, and a bug's exception failing the job (never left
  running).
- Liveness: each runner stamps `heartbeat_at` on its jobs every `job_heartbeat_seconds` and
  reads their cancel requests (a cancel may reach another server worker). At start-up and then
  periodically it fails the jobs whose process is gone: same host and dead pid (or an earlier
  incarnation of this pid) at once, any other job silent for `job_stale_seconds`.
- A solve's work (a child process on a snapshot of the salon) is api.solve_work.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from api.salons import storage
from api.salons.tables import ACTIVE_JOB_STATES, Job
from api.timestamps import utc_now

log = logging.getLogger(__name__)

HOSTNAME = socket.gethostname()


def _owner_parts(owner: str) -> tuple[str, int, str] | None:
    host, _, rest = owner.rpartition("@")
    pid, _, nonce = rest.partition(":")
    return (host, int(pid), nonce) if pid.isdigit() else None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_gone(owner: str | None, current: str) -> bool:
    """Whether the process named by `owner` (`host@pid:nonce`) has ended, as far as this host can
    tell: it ran here and its pid is dead, or is this process's pid under another incarnation
    than `current` (this process's own owner)."""
    if not owner or owner == current:
        return False
    parts = _owner_parts(owner)
    if parts is None:
        return False
    host, pid, _nonce = parts
    return host == HOSTNAME and (pid == os.getpid() or not _pid_alive(pid))


class JobWork(Protocol):
    """What the jobs of one kind do; the runner does the rest (see the module's docstring)."""

    kind: str
    first_phase: str
    """The job's `phase` when it is claimed."""
    stopped_message: str
    """Why a job ended unfinished: the server stopped (while it ran, or before it could run)."""

    def interrupted_message(self, owner: str | None, silent_seconds: float | None) -> str:
        """Why a job is failed as `interrupted`: its process (`owner`) is gone, or it has been
        silent for `silent_seconds`."""
        ...

    def run(self, runner: JobRunner, job: Job, stop: threading.Event) -> None:
        """Do the claimed (running) `job` and end it (`runner.finish`), stopping soon after
        `stop` is set (`runner.end_stopped`)."""
        ...


class JobRunner:
    """Runs the jobs of every kind of one server process, each kind in its own slots."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        works: list[JobWork],
        *,
        concurrency: dict[str, int] | None = None,
        heartbeat_seconds: float = 1.0,
        stale_seconds: float = 30.0,
        cancel_grace_seconds: float = 3.0,
    ) -> None:
        self.session_factory = session_factory
        self.works = {work.kind: work for work in works}
        self.heartbeat_seconds = heartbeat_seconds
        self.stale_seconds = stale_seconds
        self.cancel_grace_seconds = cancel_grace_seconds
        self.owner = f"{HOSTNAME}@{os.getpid()}:{uuid.uuid4().hex[:12]}"
        slots = concurrency or {}
        self._executors = {
            kind: ThreadPoolExecutor(max(1, slots.get(kind, 1)), thread_name_prefix=f"salon-{kind}")
            for kind in self.works
        }
        self._lock = threading.Lock()
        self._owned: dict[int, str] = {}  # job id -> kind, from submit until the job ends
        self._stops: dict[int, threading.Event] = {}
        self._closing = threading.Event()
        self._monitor: threading.Thread | None = None

    @property
    def closing(self) -> bool:
        """Whether the server is stopping (a stopped job is then failed, not cancelled)."""
        return self._closing.is_set()

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Fail the jobs left by dead processes, then watch the jobs of this one."""
        self.fail_interrupted_jobs()
        self._monitor = threading.Thread(target=self._watch, name="salon-jobs", daemon=True)
        self._monitor.start()

    def shutdown(self) -> None:
        """Stop every job of this process and fail the unfinished ones as stopped with the
        server."""
        self._closing.set()
        with self._lock:
            stops = list(self._stops.values())
        for stop in stops:
            stop.set()
        for executor in self._executors.values():
            executor.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            leftover = dict(self._owned)
            self._owned.clear()
        for job_id, kind in leftover.items():
            self.finish(
                job_id,
                state="failed",
                error_code="server_stopped",
                error_message=self.works[kind].stopped_message,
            )
        if self._monitor is not None:
            self._monitor.join(timeout=5)

    def submit(self, job_id: int) -> None:
        """Run a queued job (of any kind) when a slot of its kind is free."""
        with self.session_factory() as session:
            job = storage.find_any_job(session, job_id=job_id)
            if job is None or job.state != "queued":
                return
            kind = job.kind
            storage.update_job(session, job_id=job_id, owner=self.owner)
            session.commit()
        with self._lock:
            self._owned[job_id] = kind
            self._stops[job_id] = threading.Event()
        if kind not in self._executors:
            self._run(job_id, kind)  # no work of that kind here: failed at once, as a bug
            return
        self._executors[kind].submit(self._run, job_id, kind)

    def request_stop(self, job_id: int) -> None:
        """Stop a job of this process now (a cancel asked through this process)."""
        with self._lock:
            stop = self._stops.get(job_id)
        if stop is not None:
            stop.set()

    # ------------------------------------------------------------- liveness

    def fail_interrupted_jobs(self) -> int:
        """Fail active jobs (of every kind) whose process is gone; the number failed."""
        now = utc_now()
        failed = 0
        with self.session_factory() as session:
            for job in storage.active_jobs(session):
                reason = self._interruption(job, now)
                if reason is None:
                    continue
                if storage.update_job(
                    session,
                    job_id=job.id,
                    only_states=ACTIVE_JOB_STATES,
                    state="failed",
                    error_code="interrupted",
                    error_message=reason,
                    finished_at=now,
                ):
                    failed += 1
            session.commit()
        return failed

    def _interruption(self, job: Job, now: Any) -> str | None:
        if job.owner == self.owner:
            return None
        work = self.works.get(job.kind)
        if process_gone(job.owner, self.owner):
            return _interrupted(work, job.owner, None)
        silent = (now - (job.heartbeat_at or job.created_at)).total_seconds()
        if silent > self.stale_seconds:
            return _interrupted(work, None, self.stale_seconds)
        return None

    def _watch(self) -> None:
        while not self._closing.wait(self.heartbeat_seconds):
            try:
                self._beat()
                self.fail_interrupted_jobs()
            except SQLAlchemyError:
                log.exception("job monitor: database error")

    def _beat(self) -> None:
        with self._lock:
            owned = list(self._owned)
        if not owned:
            return
        with self.session_factory() as session:
            storage.touch_jobs(session, job_ids=owned, now=utc_now())
            cancelled = storage.cancel_requests(session, job_ids=owned)
            session.commit()
        for job_id in cancelled:
            self.request_stop(job_id)

    # ------------------------------------------------------------------ runs

    def write(self, action: Callable[[Session], object]) -> None:
        """Run `action` in a session of its own and commit."""
        with self.session_factory() as session:
            action(session)
            session.commit()

    def finish(self, job_id: int, **values: Any) -> None:
        """End a job still queued or running with `values` (`finished_at`: now)."""
        values.setdefault("finished_at", utc_now())
        self.write(
            lambda s: storage.update_job(s, job_id=job_id, only_states=ACTIVE_JOB_STATES, **values)
        )

    def end_stopped(self, job_id: int, work: JobWork) -> None:
        """End a job its stop event ended: cancelled, or failed when the server is stopping."""
        if self.closing:
            self.finish(
                job_id,
                state="failed",
                error_code="server_stopped",
                error_message=work.stopped_message,
            )
        else:
            self.finish(job_id, state="cancelled", phase="cancelled", message="annulé")

    def _run(self, job_id: int, kind: str) -> None:
        try:
            work = self.works.get(kind)
            if work is None:
                raise LookupError(f"no work for jobs of kind {kind!r}")
            if self._closing.is_set():
                return
            job = self._claim(job_id, work)
            if job is None:
                return
            with self._lock:
                stop = self._stops.setdefault(job_id, threading.Event())
            work.run(self, job, stop)
        except Exception as exc:  # a job never stays running because of a bug here
            log.exception("%s job %s failed", kind, job_id)
            self.finish(
                job_id,
                state="failed",
                error_code="internal_error",
                error_message=f"Erreur interne : {type(exc).__name__}: {exc}",
            )
        finally:
            with self._lock:
                self._owned.pop(job_id, None)
                self._stops.pop(job_id, None)

    def _claim(self, job_id: int, work: JobWork) -> Job | None:
        """Mark a queued job running (one conditional UPDATE: a cancel wins or loses whole);
        the job's row, or None if it is no longer queued."""
        with self.session_factory() as session:
            now = utc_now()
            if not storage.update_job(
                session,
                job_id=job_id,
                only_states=("queued",),
                state="running",
                started_at=now,
                heartbeat_at=now,
                owner=self.owner,
                phase=work.first_phase,
            ):
                return None
            session.commit()
            return storage.find_any_job(session, job_id=job_id)


def _interrupted(work: JobWork | None, owner: str | None, silent: float | None) -> str:
    if work is not None:
        return work.interrupted_message(owner, silent)
    return "Le serveur qui faisait ce travail s'est arrêté avant la fin ; relancez-le."


def make_runner(session_factory: sessionmaker[Session], settings: Any) -> JobRunner:
    """The runner of a server process, configured from Settings: solves and batch prints, each
    kind with its own slots."""
    from api.pages.prints import PrintWork  # imported here: both kinds build on this module
    from api.solve_work import SolveWork

    return JobRunner(
        session_factory,
        [SolveWork(), PrintWork(settings)],
        concurrency={"solve": settings.solve_concurrency, "print": settings.print_concurrency},
        heartbeat_seconds=settings.job_heartbeat_seconds,
        stale_seconds=settings.job_stale_seconds,
        cancel_grace_seconds=settings.job_cancel_grace_seconds,
    )
