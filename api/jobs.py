"""Background jobs of every kind on one machinery: solves, the organiser's batch prints and the
mails of a published repair.

- A job is a row of `salon_jobs` (api.salons.tables.Job) with a `kind`. The request that makes
  one inserts it queued, commits, and hands its id to the process's `JobRunner` (`submit`),
  which records how it is queued (api.queue: its queue, priority and fair-share lock) and
  dispatches it. What a job does is its kind's `JobWork` (`SolveWork` in api.solve_work,
  `PrintWork` in api.pages.prints, `RepairMailWork` in api.repairs.mail_job); `execute` is the
  one code path of a run, whatever dispatched it: claim (one conditional UPDATE), the work,
  its end, a bug failing the job.
- Dispatch, the only thing that differs between the modes (`Settings.job_queue`):
  - `embedded` (the default, SQLite or PostgreSQL, no other process): the server process runs
    its jobs in threads, `solve_concurrency` solves and `print_concurrency` prints at once, each
    kind in its own pool (a print never waits behind a solve); at start-up and periodically it
    fails the jobs whose process is gone (`interrupted`). Its periodic tasks (`periodic`: the
    day-of reminders, the hourly clean-up of old mails, see `make_runner`) run in a thread of
    their own each, the first after one interval: what a worker's procrastinate periodic task
    runs, called in-process.
  - `procrastinate` (PostgreSQL): web processes (`client`) only queue a procrastinate job; the
    `salon worker` processes (`worker`) run them (api.queue.tasks calls `execute`). A worker
    killed mid-job is found stalled (procrastinate's worker heartbeat) and its job retried: the
    next run takes the job over once its own heartbeat is stale too (`job_stale_seconds`).
- Liveness, the same everywhere: a run stamps `heartbeat_at` on its jobs every
  `job_heartbeat_seconds` and reads their cancel requests (a cancel asked through any web
  process reaches the run on any worker). Every write of a run is fenced by its `owner`: a run
  that lost its job (taken over) writes nothing more and stops.
- Fair sharing: a run claims a solve only while its organiser runs fewer than
  `solve_max_running` solves; otherwise the job waits (re-dispatched later), others pass.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import partial
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from api.queue import storage as queue_storage
from api.queue.priorities import job_priority, queue_of, solve_lock
from api.queue.slots import Slots
from api.queue.tables import QueueEntry
from api.salons import storage
from api.salons.tables import ACTIVE_JOB_STATES, Job
from api.timestamps import utc_now

log = logging.getLogger(__name__)

HOSTNAME = socket.gethostname()
PRUNE_SECONDS = 3600.0  # the embedded runner's clean-up tick (api.queue.tasks: hourly too)
RETRY_BUSY_SECONDS = 2.0  # a solve waiting for its organiser's share is tried again after


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


class Dispatch(Protocol):
    """How a queued job reaches a run (the one difference between the modes)."""

    def dispatch(self, job_id: int, entry: QueueEntry, delay: float | None) -> int | None:
        """Have `job_id` run (after `delay` seconds); the queue's job id, if any."""
        ...


class JobRunner:
    """Queues, dispatches and runs the jobs of one process (`mode`: embedded, client, worker)."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        works: list[JobWork],
        *,
        concurrency: dict[str, int] | None = None,
        heartbeat_seconds: float = 1.0,
        stale_seconds: float = 30.0,
        cancel_grace_seconds: float = 3.0,
        max_running_solves: int | None = None,
        mode: str = "embedded",
        dispatch: Dispatch | None = None,
        periodic: Sequence[tuple[float, Callable[[], object]]] = (),
    ) -> None:
        self.session_factory = session_factory
        self.works = {work.kind: work for work in works}
        self.heartbeat_seconds = heartbeat_seconds
        self.stale_seconds = stale_seconds
        self.cancel_grace_seconds = cancel_grace_seconds
        self.max_running_solves = max_running_solves
        self.mode = mode
        self.dispatcher = dispatch
        self.owner = f"{HOSTNAME}@{os.getpid()}:{uuid.uuid4().hex[:12]}"
        slots = concurrency or {}
        self._slots = (
            {
                kind: Slots(slots.get(kind, 1), self._run_embedded, f"salon-{kind}")
                for kind in self.works
            }
            if mode == "embedded"
            else {}
        )
        self._lock = threading.Lock()
        self._owned: dict[int, str] = {}  # job id -> kind: claimed, or embedded and queued
        self._stops: dict[int, threading.Event] = {}
        self._causes: dict[int, str] = {}  # why a stop event was set: cancel, release, lost
        self._aborts: dict[int, Callable[[], str | None]] = {}
        self._waiting: set[int] = set()  # embedded: solves waiting for their organiser's share
        self._closing = threading.Event()
        self._monitor: threading.Thread | None = None
        self.periodic = list(periodic) if mode == "embedded" else []
        self._ticks: list[threading.Thread] = []

    @property
    def closing(self) -> bool:
        """Whether the process is stopping (a stopped job is then failed or given back)."""
        return self._closing.is_set()

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Embedded: fail the jobs left by dead processes; then watch the jobs of this one."""
        if self.mode == "embedded":
            self.fail_interrupted_jobs()
        if self.mode != "client":
            self._monitor = threading.Thread(target=self._watch, name="salon-jobs", daemon=True)
            self._monitor.start()
        for n, (seconds, task) in enumerate(self.periodic):
            tick = threading.Thread(
                target=self._tick, args=(seconds, task), name=f"salon-tick-{n}", daemon=True
            )
            self._ticks.append(tick)
            tick.start()

    def _tick(self, seconds: float, task: Callable[[], object]) -> None:
        """Embedded: run `task` every `seconds` until the process stops (an error is logged,
        the next tick tries again)."""
        while not self._closing.wait(seconds):
            try:
                task()
            except Exception:  # noqa: BLE001 - a periodic task never stops its thread
                log.exception("periodic task %s failed", getattr(task, "__name__", task))

    def shutdown(self) -> None:
        """Stop every job of this process; embedded, fail the unfinished ones as stopped with the
        server (a worker gives them back to the queue instead)."""
        self._closing.set()
        with self._lock:
            stops = list(self._stops.values())
        for stop in stops:
            stop.set()
        for kind_slots in self._slots.values():
            kind_slots.close()
        with self._lock:
            leftover = dict(self._owned) if self.mode == "embedded" else {}
            self._owned.clear()
        for job_id, kind in leftover.items():
            self.finish(
                job_id,
                state="failed",
                error_code="server_stopped",
                error_message=self.works[kind].stopped_message,
                unowned=True,
            )
        if self._monitor is not None:
            self._monitor.join(timeout=5)
        for tick in self._ticks:
            tick.join(timeout=5)

    def submit(self, job_id: int) -> None:
        """Queue a job just committed: record its queue entry, then dispatch it."""
        with self.session_factory() as session:
            job = storage.find_any_job(session, job_id=job_id)
            if job is None or job.state != "queued":
                return
            entry = self._entry(session, job)
            session.commit()
        self.dispatch(job_id, entry)

    def _entry(self, session: Session, job: Job) -> QueueEntry:
        organiser_id = queue_storage.organiser_of_job(session, job=job)
        lock = None
        if job.kind == "solve" and organiser_id is not None and self.max_running_solves:
            lock = solve_lock(
                session, organiser_id=organiser_id, max_running=self.max_running_solves
            )
        return queue_storage.put_entry(
            session,
            entry=QueueEntry(
                job_id=job.id,
                queue=queue_of(job.kind),
                priority=job_priority(session, job=job),
                organiser_id=organiser_id,
                lock=lock,
                queued_at=utc_now(),
            ),
        )

    def dispatch(self, job_id: int, entry: QueueEntry, delay: float | None = None) -> None:
        """Have a queued job run: in a thread of this process, or on the queue."""
        if self.dispatcher is not None:
            try:
                queue_job_id = self.dispatcher.dispatch(job_id, entry, delay)
            except Exception:  # noqa: BLE001 - stays queued: a worker's recovery queues it again
                log.exception("job %s not queued (queued again by a worker's recovery)", job_id)
                return
            if queue_job_id is not None:
                self.write(
                    lambda s: queue_storage.set_queue_job(
                        s, job_id=job_id, queue_job_id=queue_job_id
                    )
                )
            return
        kind = next((k for k in self.works if queue_of(k) == entry.queue), "?")
        self.write(  # the queued job is this process's: its heartbeat proves it is waiting
            lambda s: storage.update_job(
                s, job_id=job_id, only_states=("queued",), owner=self.owner
            )
        )
        with self._lock:
            self._owned[job_id] = kind
            if delay:
                self._waiting.add(job_id)
                return
        if kind not in self._slots:
            self._run_embedded(job_id)  # no work of that kind here: failed at once, as a bug
            return
        self._slots[kind].submit(job_id, entry.priority)

    def request_stop(self, job_id: int, cause: str = "cancel") -> None:
        """Stop a job of this process now (a cancel asked through this process)."""
        with self._lock:
            stop = self._stops.get(job_id)
            if stop is not None:
                self._causes.setdefault(job_id, cause)
        if stop is not None:
            stop.set()

    # ------------------------------------------------------------- liveness

    def fail_interrupted_jobs(self) -> int:
        """Embedded: fail active jobs (of every kind) whose process is gone; the number failed."""
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
                    queue_storage.end_runs(session, job_id=job.id, outcome="interrupted", now=now)
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
                if self.mode == "embedded":
                    self.fail_interrupted_jobs()
                    self._retry_waiting()
            except SQLAlchemyError:
                log.exception("job monitor: database error")

    def _beat(self) -> None:
        with self._lock:
            owned = list(self._owned)
            aborts = dict(self._aborts)
        for job_id, abort in aborts.items():
            reason = abort()
            if reason is not None:
                self.request_stop(job_id, reason)
        if not owned:
            return
        lost, cancelled = set(), set()
        for job_id in sorted(owned):  # one short transaction each: no lock held across jobs
            with self.session_factory() as session:
                kept, cancel = queue_storage.beat(
                    session, job_id=job_id, owner=self.owner, now=utc_now()
                )
                session.commit()
            if not kept:
                lost.add(job_id)
            elif cancel:
                cancelled.add(job_id)
        for job_id in cancelled:
            self.request_stop(job_id, "cancel")
        with self._lock:
            running = set(self._stops)
        for job_id in lost & running:
            self.request_stop(job_id, "lost")
        if self.mode == "embedded":  # queued ones that are no longer this process's
            with self._lock:
                for job_id in lost - running:
                    self._owned.pop(job_id, None)

    def _retry_waiting(self) -> None:
        with self._lock:
            waiting, self._waiting = self._waiting, set()
        for job_id in waiting:
            with self.session_factory() as session:
                entry = queue_storage.find_entry(session, job_id=job_id)
            if entry is not None:
                self.dispatch(job_id, entry)

    # ------------------------------------------------------------------ runs

    def write(self, action: Callable[[Session], object]) -> None:
        """Run `action` in a session of its own and commit."""
        with self.session_factory() as session:
            action(session)
            session.commit()

    def owned_update(self, session: Session, job_id: int, **values: Any) -> bool:
        """Set columns of a job this run still has (queued or running); True if it had it."""
        only_states = values.pop("only_states", ACTIVE_JOB_STATES)
        return queue_storage.update_owned_job(
            session, job_id=job_id, owner=self.owner, only_states=only_states, **values
        )

    def end(self, session: Session, job_id: int, **values: Any) -> bool:
        """In `session`: end a job this run still has with `values` (`finished_at`: now) and
        close its run; False (nothing written) when the run no longer has it."""
        now = values.setdefault("finished_at", utc_now())
        if not self.owned_update(session, job_id, **values):
            return False
        outcome = values.get("state", "ended")
        queue_storage.end_runs(session, job_id=job_id, outcome=outcome, now=now)
        return True

    def finish(self, job_id: int, *, unowned: bool = False, **values: Any) -> None:
        """End a job this run still has with `values` (see `end`) in a session of its own;
        `unowned`: whoever has it (the server stopping before the run could claim it)."""
        if unowned:
            values.setdefault("finished_at", utc_now())
            self.write(
                lambda s: storage.update_job(
                    s, job_id=job_id, only_states=ACTIVE_JOB_STATES, **values
                )
            )
            return
        self.write(lambda s: self.end(s, job_id, **values))

    def end_stopped(self, job_id: int, work: JobWork) -> None:
        """End a job its stop event ended: cancelled; failed when the embedded server stops;
        given back to the queue when a worker stops; nothing when another run took it."""
        with self._lock:
            cause = self._causes.get(job_id, "cancel")
        if cause == "lost":
            return
        if cause == "release" or (self.closing and self.mode == "worker"):
            self.write(
                lambda s: queue_storage.release_job(
                    s, job_id=job_id, owner=self.owner, now=utc_now()
                )
            )
            with self._lock:
                self._causes[job_id] = "released"
        elif self.closing:
            self.finish(
                job_id,
                state="failed",
                error_code="server_stopped",
                error_message=work.stopped_message,
            )
        else:
            self.finish(job_id, state="cancelled", phase="cancelled", message="annulé")

    def _run_embedded(self, job_id: int) -> None:
        outcome = self.execute(job_id, takeover=False)
        if outcome in ("busy", "alive"):
            with self.session_factory() as session:
                entry = queue_storage.find_entry(session, job_id=job_id)
            if entry is not None:
                self.dispatch(job_id, entry, RETRY_BUSY_SECONDS)

    def execute(
        self,
        job_id: int,
        *,
        takeover: bool,
        abort: Callable[[], str | None] | None = None,
    ) -> str:
        """One run of a job, whatever dispatched it: claim it (`takeover`: also from a run silent
        for `stale_seconds`), do its work, end it. `abort` says when the dispatcher wants it
        stopped (`release`: given back, `cancel`). What happened: done (the run ended it, or
        gave it back: `released`), busy or alive (try later), gone (nothing to do)."""
        kind = "?"
        try:
            if self._closing.is_set():
                return "gone"
            with self._lock:
                stop = self._stops.setdefault(job_id, threading.Event())
            claim = self._claim(job_id, takeover)
            if claim.outcome != "claimed" or claim.job is None:
                return claim.outcome
            job = claim.job
            kind = job.kind
            with self._lock:
                self._owned[job_id] = kind
                if abort is not None:
                    self._aborts[job_id] = abort
            work = self.works.get(kind)
            if work is None:
                raise LookupError(f"no work for jobs of kind {kind!r}")
            if job.cancel_requested:  # asked while its former run was dying
                self.end_stopped(job_id, work)
                return "done"
            work.run(self, job, stop)
            with self._lock:
                released = self._causes.get(job_id) == "released"
            return "released" if released else "done"
        except Exception as exc:  # a job never stays running because of a bug here
            log.exception("%s job %s failed", kind, job_id)
            self.finish(
                job_id,
                state="failed",
                error_code="internal_error",
                error_message=f"Erreur interne : {type(exc).__name__}: {exc}",
            )
            return "done"
        finally:
            with self._lock:
                self._owned.pop(job_id, None)
                self._stops.pop(job_id, None)
                self._causes.pop(job_id, None)
                self._aborts.pop(job_id, None)

    def _claim(self, job_id: int, takeover: bool) -> queue_storage.Claim:
        """Make the job this run's (see api.queue.storage.claim_job)."""
        now = utc_now()
        with self.session_factory() as session:
            job = storage.find_any_job(session, job_id=job_id)
            work = self.works.get(job.kind) if job is not None else None
            claim = queue_storage.claim_job(
                session,
                job_id=job_id,
                owner=self.owner,
                first_phase=work.first_phase if work is not None else "",
                now=now,
                max_running=self.max_running_solves,
                takeover_before=now - timedelta(seconds=self.stale_seconds) if takeover else None,
            )
            if claim.outcome == "claimed":
                session.commit()
            else:
                session.rollback()
            return claim


def _interrupted(work: JobWork | None, owner: str | None, silent: float | None) -> str:
    if work is not None:
        return work.interrupted_message(owner, silent)
    return "Le serveur qui faisait ce travail s'est arrêté avant la fin ; relancez-le."


def make_runner(
    session_factory: sessionmaker[Session], settings: Any, *, role: str = "server"
) -> JobRunner:
    """The runner of a process from Settings: a server (`embedded`: it runs its jobs; with
    `job_queue=procrastinate`, a client that queues them) or a `salon worker` (`role="worker"`)."""
    from api.pages.prints import PrintWork  # imported here: the kinds build on this module
    from api.repairs.mail_job import RepairMailWork
    from api.solve_work import SolveWork

    queued = role == "worker" or settings.job_queue == "procrastinate"
    dispatch: Dispatch | None = None
    if queued:
        from api.queue.client import client_for

        dispatch = client_for(settings.database_url)
    mode = "worker" if role == "worker" else ("client" if queued else "embedded")
    periodic: list[tuple[float, Callable[[], object]]] = []
    if mode == "embedded" and settings.reminder_tick_seconds > 0:
        periodic.append((settings.reminder_tick_seconds, reminders_task(session_factory, settings)))
    if mode == "embedded":
        periodic.append((PRUNE_SECONDS, partial(prune_old_mails, session_factory, settings)))
    return JobRunner(
        session_factory,
        [SolveWork(), PrintWork(settings), RepairMailWork(settings)],
        concurrency={"solve": settings.solve_concurrency, "print": settings.print_concurrency},
        heartbeat_seconds=settings.job_heartbeat_seconds,
        stale_seconds=settings.job_stale_seconds,
        cancel_grace_seconds=settings.job_cancel_grace_seconds,
        max_running_solves=settings.solve_max_running,
        mode=mode,
        dispatch=dispatch,
        periodic=periodic,
    )


def prune_old_mails(session_factory: sessionmaker[Session], settings: Any) -> int:
    """Delete the sent and failed mails older than `queue_keep_days` (none when 0); how many."""
    if settings.queue_keep_days <= 0:
        return 0
    with session_factory() as session:
        before = utc_now() - timedelta(days=settings.queue_keep_days)
        deleted = queue_storage.delete_old_mails(session, before=before)
        session.commit()
    return deleted


def reminders_task(session_factory: sessionmaker[Session], settings: Any) -> Callable[[], int]:
    """The day-of reminders due now (api.reminders.send_due_reminders, what a worker's
    `salon.reminders` periodic task runs); each is claimed once, so a tick never resends one."""
    from api.reminders import send_due_reminders

    def send_reminders() -> int:
        with session_factory() as session:
            return send_due_reminders(session, settings)

    return send_reminders
