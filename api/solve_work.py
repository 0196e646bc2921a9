"""Solve jobs: what the runner of api.jobs does for a job of kind `solve` (`SolveWork`).

The child solves a *snapshot* (`read_snapshot`): the salon read in one repeatable-read
transaction when the job starts; wishes submitted later go into the next solve. The child runs
`python -m api.solve_process` (JSON lines over its pipes), supervised by the job's thread (in a
server process, or in a `salon worker`: the same code): a solver crash cannot take the process
down; a cancel ends the child (asked to stop, killed after `job_cancel_grace_seconds`); a killed
worker's child sees its input end and stops. Its schedule is stored as the salon's next
preliminary version, only while the run still has the job (writes fenced by the run's owner).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from api.jobs import JobRunner
from api.salons import convert, storage
from api.salons.tables import Job, Schedule
from api.settings import PROJECT_ROOT
from api.timestamps import utc_now
from scheduler import format as v1
from scheduler.errors import Clash
from scheduler.loading import salon_problems
from scheduler.validator import validate

log = logging.getLogger(__name__)

NO_SCHEDULE_IN_TIME = "no_schedule_in_time"
"""The error code of a job whose time ran out before any schedule was found: nothing is proven
(unlike `infeasible`), more time may find one."""
NO_SCHEDULE_IN_TIME_MESSAGE = (
    "Aucun planning trouvé dans le temps imparti. Le salon n'est pas prouvé impossible : "
    "relancez le calcul avec une durée maximale plus longue."
)
PROGRESS_INTERVAL = 0.5  # seconds between two progress writes of the same phase
POLL_INTERVAL = 0.2  # seconds between two looks at the solve process's output


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
            lambda s: runner.owned_update(
                s,
                job_id,
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
            if runner.end(session, job_id, state="failed", error_code=code, error_message=message):
                storage.insert_job_clashes(session, job_id=job_id, clashes=clashes)

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
                if not runner.end(
                    session, job_id, only_states=("running",), state="done", phase="done"
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
            written = self.runner.owned_update(
                session,
                self.job_id,
                only_states=("running",),
                phase=phase,
                elapsed=round(elapsed, 3),
                message=message[:500],
            )
            if written:
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
