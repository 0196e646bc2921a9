"""Background jobs of every kind on one machinery: solves and the organiser's batch prints.

- A job is a row of `salon_jobs` (api.salons.tables.Job) with a `kind`. The request that makes
  one inserts it queued and hands its id to the process's `JobRunner` (`submit`), which runs it
  in a thread when one of its kind's slots is free: `solve_concurrency` solves and
  `print_concurrency` prints at once, each kind in its own pool, so a print never waits behind
  a 30-minute solve (nor a solve behind prints). The event loop never waits for a job.
- What a job does is its kind's `JobWork`: `SolveWork` here, `PrintWork` in api.pages.prints.
  The runner owns everything else, the same for every kind: the states (queued, running, done,
  failed, cancelled; a job is claimed by one conditional UPDATE from queued), liveness, cancel,
  failing the jobs it could not finish, and a bug's exception failing the job (never left
  running).
- Liveness: each runner stamps `heartbeat_at` on its jobs every `job_heartbeat_seconds` and
  reads their cancel requests (a cancel may reach another server worker). At start-up and then
  periodically it fails the jobs whose process is gone: same host and dead pid (or an earlier
  incarnation of this pid) at once, any other job silent for `job_stale_seconds`.
- A solve runs in a child process (`python -m api.solve_process`, JSON lines over its pipes)
  supervised by its thread: a solver crash cannot take the server down; a cancel ends the child
  (asked to stop, killed after `job_cancel_grace_seconds`). The child solves a *snapshot*: the
  salon read in one repeatable-read transaction when the job starts; wishes submitted later go
  into the next solve.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from api.salons import convert, storage
from api.salons.tables import ACTIVE_JOB_STATES, Job, Schedule
from api.settings import PROJECT_ROOT
from api.timestamps import utc_now
from scheduler import format as v1
from scheduler.errors import Clash
from scheduler.loading import salon_problems
from scheduler.validator import validate

log = logging.getLogger(__name__)

HOSTNAME = socket.gethostname()
NO_SCHEDULE_IN_TIME = "no_schedule_in_time"
"""The error code of a job whose time ran out before any schedule was found: nothing is proven
(unlike `infeasible`), more time may find one."""
NO_SCHEDULE_IN_TIME_MESSAGE = (
    "Aucun planning trouvé dans le temps imparti. Le salon n'est pas prouvé impossible : "
    "relancez le calcul avec une durée maximale plus longue."
)
PROGRESS_INTERVAL = 0.5  # seconds between two progress writes of the same phase
POLL_INTERVAL = 0.2


@dataclass
class Snapshot:
    """What a solve reads: the salon document and the row ids behind its codes."""

    document: v1.Salon
    participant_ids: dict[str, int]
    table_ids: dict[str, int]


@dataclass
class Outcome:
    """How a solve process ended."""

    kind: str  # done, infeasible, timed_out, error, crashed, timeout, stopped (a cancel or the
    # server stopping: its stop event)
    schedule: dict[str, Any] | None = None
    clashes: list[Clash] = field(default_factory=list)
    message: str = ""


def read_snapshot(session: Session, *, salon_id: int) -> Snapshot | None:
    """The salon as one consistent snapshot (repeatable read), or None if it is gone."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )
    else:
        session.connection().exec_driver_sql("BEGIN")  # pysqlite defers BEGIN; this pins a
        # read transaction, so every query below sees the same WAL snapshot
    salon = storage.find_salon(session, salon_id=salon_id)
    if salon is None:
        return None
    document = convert.salon_document(session, salon=salon)
    participants, _ = storage.list_participants(session, salon_id=salon_id)
    tables = storage.list_tables(session, salon_id=salon_id)
    return Snapshot(
        document=document,
        participant_ids={p.code: p.id for p in participants},
        table_ids={t.code: t.id for t in tables},
    )


def store_schedule(
    session: Session, *, job_id: int, salon_id: int, snapshot: Snapshot, document: v1.Schedule
) -> Schedule:
    """Save a solved schedule as the salon's next preliminary version."""
    return convert.store_schedule(
        session,
        salon_id=salon_id,
        job_id=job_id,
        document=document,
        participant_ids=snapshot.participant_ids,
        table_ids=snapshot.table_ids,
        now=utc_now(),
    )


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


class SolveWork:
    """A solve job: the salon's snapshot solved in a child process, its schedule stored."""

    kind = "solve"
    first_phase = "snapshot"
    stopped_message = "Le serveur s'est arrêté avant la fin du calcul ; relancez-le."

    def interrupted_message(self, owner: str | None, silent_seconds: float | None) -> str:
        if owner is not None:
            return (
                f"Le processus serveur qui faisait ce calcul s'est arrêté ({owner}) ; "
                "relancez le calcul."
            )
        return (
            f"Aucun signe de vie du calcul depuis plus de {silent_seconds:g} s "
            "(serveur arrêté) ; relancez le calcul."
        )

    def run(self, runner: JobRunner, job: Job, stop: threading.Event) -> None:
        job_id, salon_id = job.id, job.salon_id
        with runner.session_factory() as session:
            snapshot = read_snapshot(session, salon_id=salon_id)
            session.rollback()
        if snapshot is None:
            runner.finish(
                job_id,
                state="failed",
                error_code="salon_deleted",
                error_message="Le salon a été supprimé.",
            )
            return
        problems = salon_problems(snapshot.document)
        if problems:
            self._fail_with_clashes(
                runner,
                job_id,
                "invalid_salon",
                "Le salon n'est pas valide.",
                [Clash(p.rule, f"{p.path}: {p.message}") for p in problems],
            )
            return
        runner.write(
            lambda s: storage.update_job(
                s,
                job_id=job_id,
                snapshot_at=utc_now(),
                phase="starting",
                participant_count=len(snapshot.document.participants),
                wish_count=len(snapshot.document.wishes),
            )
        )
        outcome = self._solve(runner, job, snapshot, stop)
        self._conclude(runner, job_id, salon_id, snapshot, outcome)

    def _solve(
        self, runner: JobRunner, job: Job, snapshot: Snapshot, stop: threading.Event
    ) -> Outcome:
        """Run the solve process and relay its progress until it ends."""
        process = subprocess.Popen(
            [sys.executable, "-m", "api.solve_process"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            cwd=str(PROJECT_ROOT),
            env={**os.environ, "PYTHONPATH": _python_path()},
        )
        assert process.stdin is not None and process.stdout is not None
        lines: queue.Queue[str | None] = queue.Queue()
        reader = threading.Thread(
            target=_read_lines,
            args=(process.stdout, lines),
            name=f"salon-solve-{job.id}-out",
            daemon=True,
        )
        reader.start()
        try:
            request = {
                "document": snapshot.document.to_json_dict(),
                "time_limit": job.time_limit,
                "workers": job.workers,
                "seed": job.seed,
            }
            process.stdin.write(json.dumps(request) + "\n")
            process.stdin.flush()
            progress = _ProgressWriter(runner, job.id)
            return self._relay(runner, process, lines, stop, job.time_limit, progress)
        except (BrokenPipeError, OSError) as exc:
            return Outcome("crashed", message=str(exc))
        finally:
            with contextlib.suppress(OSError):
                process.stdin.close()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            reader.join(timeout=5)

    def _relay(
        self,
        runner: JobRunner,
        process: subprocess.Popen[str],
        lines: queue.Queue[str | None],
        stop: threading.Event,
        time_limit: float,
        progress: _ProgressWriter,
    ) -> Outcome:
        deadline = time.monotonic() + 3 * time_limit + 60
        stop_sent: float | None = None
        while True:
            try:
                line = lines.get(timeout=POLL_INTERVAL)
            except queue.Empty:
                line = ""
            if line is None:  # the process closed its output: it ended
                process.wait(timeout=5)
                progress.flush()
                return _ended(stop, f"exit code {process.returncode}")
            if line:
                message = json.loads(line)
                if message["kind"] == "progress":
                    progress.record(
                        message["phase"],
                        message["elapsed"],
                        message["values"],
                        message["bounds"],
                        message["message"],
                    )
                    continue
                progress.flush()
                if stop.is_set():
                    return _ended(stop, "")
                return _outcome(message)
            if stop.is_set() and stop_sent is None:
                stop_sent = time.monotonic()
                assert process.stdin is not None
                with contextlib.suppress(OSError):
                    process.stdin.write("stop\n")
                    process.stdin.flush()
            waited = time.monotonic() - (stop_sent or time.monotonic())
            if stop_sent is not None and waited > runner.cancel_grace_seconds:
                process.kill()
                return _ended(stop, "")
            if time.monotonic() > deadline:
                process.kill()
                return Outcome("timeout")

    def _fail_with_clashes(
        self, runner: JobRunner, job_id: int, code: str, message: str, clashes: list[Clash]
    ) -> None:
        def action(session: Session) -> None:
            storage.insert_job_clashes(session, job_id=job_id, clashes=clashes)
            storage.update_job(
                session,
                job_id=job_id,
                only_states=ACTIVE_JOB_STATES,
                state="failed",
                error_code=code,
                error_message=message,
                finished_at=utc_now(),
            )

        runner.write(action)

    def _conclude(
        self, runner: JobRunner, job_id: int, salon_id: int, snapshot: Snapshot, outcome: Outcome
    ) -> None:
        if outcome.kind == "done" and outcome.schedule is not None:
            self._store_result(runner, job_id, salon_id, snapshot, outcome.schedule)
        elif outcome.kind == "stopped":
            runner.end_stopped(job_id, self)
        elif outcome.kind == "infeasible":
            self._fail_with_clashes(
                runner,
                job_id,
                "infeasible",
                "Les règles impératives (rendez-vous obligatoires ou fixés, plafonds) "
                "ne peuvent pas toutes être respectées.",
                outcome.clashes,
            )
        elif outcome.kind == "timed_out":
            runner.finish(
                job_id,
                state="failed",
                error_code=NO_SCHEDULE_IN_TIME,
                error_message=NO_SCHEDULE_IN_TIME_MESSAGE,
            )
        elif outcome.kind == "timeout":
            runner.finish(
                job_id,
                state="failed",
                error_code="timeout",
                error_message="Le calcul a largement dépassé sa limite de temps.",
            )
        else:
            runner.finish(
                job_id,
                state="failed",
                error_code="solver_error",
                error_message=f"Le calcul a échoué : {outcome.message}",
            )

    def _store_result(
        self,
        runner: JobRunner,
        job_id: int,
        salon_id: int,
        snapshot: Snapshot,
        data: dict[str, Any],
    ) -> None:
        document = v1.Schedule.model_validate(data)
        report = validate(snapshot.document, document)
        if not report.valid:
            self._fail_with_clashes(
                runner,
                job_id,
                "invalid_schedule",
                "Le planning calculé enfreint des règles du salon.",
                [Clash(v.rule, v.message) for v in report.violations],
            )
            return
        try:
            with runner.session_factory() as session:
                store_schedule(
                    session,
                    job_id=job_id,
                    salon_id=salon_id,
                    snapshot=snapshot,
                    document=document,
                )
                storage.replace_job_objectives(
                    session,
                    job_id=job_id,
                    values={o.name: o.value for o in document.objectives},
                    bounds={o.name: o.bound for o in document.objectives},
                )
                if not storage.update_job(
                    session,
                    job_id=job_id,
                    only_states=("running",),
                    state="done",
                    phase="done",
                    finished_at=utc_now(),
                ):
                    session.rollback()  # cancelled or failed meanwhile: keep that verdict
                    return
                session.commit()
        except SQLAlchemyError as exc:
            log.warning("solve job %s: result not stored: %s", job_id, exc)
            runner.finish(
                job_id,
                state="failed",
                error_code="salon_changed",
                error_message="Le salon a changé pendant le calcul (participant ou table "
                "supprimé) ; relancez le calcul.",
            )


def _ended(stop: threading.Event, message: str) -> Outcome:
    """How a solve process that ended without a result ended: stopped by its stop event (a
    cancel, or the server stopping), else crashed."""
    if stop.is_set():
        return Outcome("stopped")
    return Outcome("crashed", message=message)


class _ProgressWriter:
    """Saves a job's progress, at most every PROGRESS_INTERVAL for the same phase."""

    def __init__(self, runner: JobRunner, job_id: int) -> None:
        self.runner = runner
        self.job_id = job_id
        self.phase = ""
        self.written = 0.0
        self.pending: tuple[str, float, dict[str, int], dict[str, int], str] | None = None
        self.values: dict[str, int] = {}
        self.bounds: dict[str, int] = {}

    def record(
        self,
        phase: str,
        elapsed: float,
        values: dict[str, int],
        bounds: dict[str, int],
        message: str,
    ) -> None:
        self.values.update(values)
        self.bounds.update(bounds)
        self.pending = (phase, elapsed, dict(self.values), dict(self.bounds), message)
        if phase != self.phase or time.monotonic() - self.written >= PROGRESS_INTERVAL:
            self.flush()

    def flush(self) -> None:
        if self.pending is None:
            return
        phase, elapsed, values, bounds, message = self.pending
        self.pending = None
        self.phase = phase
        self.written = time.monotonic()

        def action(session: Session) -> None:
            storage.update_job(
                session,
                job_id=self.job_id,
                only_states=("running",),
                phase=phase,
                elapsed=round(elapsed, 3),
                message=message[:500],
            )
            storage.replace_job_objectives(
                session, job_id=self.job_id, values=values, bounds=bounds
            )

        self.runner.write(action)


def _outcome(message: dict[str, Any]) -> Outcome:
    kind = message.get("kind")
    if kind == "done":
        return Outcome("done", schedule=message["schedule"])
    if kind == "infeasible":
        return Outcome("infeasible", clashes=[Clash(*clash) for clash in message["clashes"]])
    if kind == "timed_out":
        return Outcome("timed_out")
    return Outcome("error", message=str(message.get("message", "")))


def _read_lines(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    """Forward a process's output lines to a queue; None marks its end."""
    try:
        for line in stream:
            lines.put(line)
    finally:
        lines.put(None)


def _python_path() -> str:
    """The import path of the solve process: the project first (api, scheduler)."""
    current = os.environ.get("PYTHONPATH", "")
    return os.pathsep.join(p for p in (str(PROJECT_ROOT), current) if p)


def make_runner(session_factory: sessionmaker[Session], settings: Any) -> JobRunner:
    """The runner of a server process, configured from Settings: solves and batch prints, each
    kind with its own slots."""
    from api.pages.prints import PrintWork  # imported here: api.pages.prints builds on this module

    return JobRunner(
        session_factory,
        [SolveWork(), PrintWork(settings)],
        concurrency={"solve": settings.solve_concurrency, "print": settings.print_concurrency},
        heartbeat_seconds=settings.job_heartbeat_seconds,
        stale_seconds=settings.job_stale_seconds,
        cancel_grace_seconds=settings.job_cancel_grace_seconds,
    )
