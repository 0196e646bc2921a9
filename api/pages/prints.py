"""The organiser's batch prints (all agendas of a side, all table sheets, the master grid as one
PDF), run as jobs of kind `print` by the shared job runner (api.jobs), like solves.

- `start_print` checks the schedule version and the document, inserts a queued `PrintJob` row
  and hands it to the runner, which runs `print_concurrency` prints at once per server process
  in slots of their own (a print never waits behind a solve). The same states, liveness,
  recovery after a crash and cancel as solves (api.jobs).
- `PrintWork` reads the salon and the schedule version when the job runs (agendas with their
  printed links), lays the PDF out (up to two worker processes, api.documents.pdf) and counts
  `done` of `total` documents on the job; a cancel, or the server stopping, ends it before the
  next chunk.
- The result is stored in the database with the job's end (`queue_print_files`, the job's
  `file_path` says `database`), so that any web process of any machine serves it, whichever
  process made it: `result_file` copies it once into a local cache file
  (`<var>/prints/cache/`) that the response streams. A print's rows, results and cached files
  older than KEEP_PRINTS are forgotten when a print starts. (Results of prints made before, as
  files `<var>/prints/<job id>-<random>/result.pdf`, are still served while they last.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from api.auth import CurrentOrganiser
from api.dayof.links import print_links
from api.documents import BatchStoppedError, SalonDocuments
from api.jobs import JobRunner
from api.pages.service import make_pdf, schedule_documents
from api.pages.web import PageError
from api.queue import storage as queue_storage
from api.salons import service as salons
from api.salons import storage
from api.salons.printed_links import printed_links
from api.salons.service import job_error_text
from api.salons.tables import ACTIVE_JOB_STATES, Job, PrintJob
from api.settings import Settings
from api.timestamps import utc_now

log = logging.getLogger(__name__)

DOCUMENTS = (
    "agendas-director",
    "agendas-industrial",
    "agendas-all",
    "tables",
    "grid",
    "badges",
    "badges-single",
)
"""The batches an organiser can print (`PrintJob.document`)."""
KEEP_PRINTS = dt.timedelta(days=2)
INTERRUPTED_PRINT = (
    "Le serveur qui préparait ce document s'est arrêté avant la fin ; relancez l'impression."
)
STOPPED_PRINT = "Le serveur s'est arrêté avant la fin de l'impression ; relancez l'impression."
PROGRESS_INTERVAL = 0.5  # seconds between two progress writes (the last one is always written)
IN_DATABASE = "database"
"""`PrintJob.file_path` of a result stored in the database (`queue_print_files`)."""


def prints_dir(settings: Settings) -> Path:
    """Where the results of batch prints are kept (beside the outbox)."""
    return settings.outbox_dir.parent / "prints"


CACHE_DIR = Path(tempfile.gettempdir()) / "salon-prints"
"""This machine's copies of printed results stored in the database."""


def _cached_result(job: PrintJob) -> Path:
    session = object_session(job)
    if session is None:
        return CACHE_DIR / "missing.pdf"
    bind = session.get_bind()
    database = bind.engine.url.render_as_string(hide_password=True)
    stamp = (job.finished_at or job.created_at).isoformat()
    key = hashlib.sha256(f"{database}|{job.id}|{stamp}".encode()).hexdigest()[:32]
    folder = CACHE_DIR
    path = folder / f"{key}.pdf"
    if path.is_file():
        return path
    data = queue_storage.print_file(session, job_id=job.id)
    if data is None:
        return path  # forgotten: 404
    folder.mkdir(parents=True, exist_ok=True)
    _write_whole(folder, path, data)
    return path


def _write_whole(folder: Path, path: Path, data: bytes) -> None:
    """Write a file whole (a temporary file of its folder, then renamed)."""
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".result.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- requests


def start_print(
    session: Session,
    *,
    organiser: CurrentOrganiser,
    salon_id: int,
    version: int,
    document: str,
    language: str,
    settings: Settings,
    submit: Callable[[int], None],
) -> PrintJob:
    """Queue a batch PDF of the organiser's schedule version and hand it to the runner."""
    salon = salons.organiser_salon(session, organiser=organiser, salon_id=salon_id)
    salons.salon_schedule(session, organiser=organiser, salon_id=salon_id, version=version)
    if document not in DOCUMENTS:
        raise PageError("Document inconnu.", status=404)
    now = utc_now()
    forget_old_prints(session, settings=settings, now=now)
    job = PrintJob(
        salon_id=salon.id,
        state="queued",
        cancel_requested=False,
        time_limit=0,
        workers=0,
        seed=0,
        phase="",
        elapsed=0.0,
        message="",
        document=document,
        version=version,
        language=language,
        filename=f"{_slug(salon.name)}-v{version}-{document}.pdf",
        created_at=now,
        heartbeat_at=now,
    )
    session.add(job)
    session.commit()
    submit(job.id)
    return job


def organiser_print(session: Session, *, organiser: CurrentOrganiser, job_id: int) -> PrintJob:
    """A print job of the organiser's salons, else 404 (missing or someone else's)."""
    job = session.get(PrintJob, job_id)
    if (
        job is None
        or storage.find_salon(session, salon_id=job.salon_id, organiser_id=organiser.id) is None
    ):
        raise PageError("Impression introuvable.", status=404)
    return job


def cancel_print(session: Session, *, organiser: CurrentOrganiser, job_id: int) -> PrintJob:
    """Cancel a queued print at once; ask a running one to stop (the same cancel as solves)."""
    job = organiser_print(session, organiser=organiser, job_id=job_id)
    if job.state not in ACTIVE_JOB_STATES:
        raise PageError("Cette impression est déjà terminée.", status=409)
    storage.cancel_job(session, job_id=job.id, now=utc_now())
    session.commit()
    session.refresh(job)
    return job


def result_file(job: PrintJob) -> Path:
    """The PDF of a finished print (409 before, 404 once forgotten): its local cache file,
    written from the database (through the job's session) the first time this machine serves
    it."""
    if job.state != "done" or not job.file_path:
        raise PageError("Le document n'est pas encore prêt.", status=409)
    path = _cached_result(job) if job.file_path == IN_DATABASE else Path(job.file_path)
    if not path.is_file():
        raise PageError(
            "Le fichier de cette impression n'existe plus ; relancez l'impression.", status=404
        )
    return path


@dataclass
class PrintView:
    """A print job as its page and its progress poll show it."""

    id: int
    salon_id: int
    version: int
    document: str
    filename: str
    state: str
    cancel_requested: bool
    done: int
    total: int
    pages: int
    seconds: float
    error_code: str
    error: str


def print_view(job: PrintJob, language: str) -> PrintView:
    """What the organiser sees of a print job, its error in `language`."""
    end = job.finished_at or utc_now()
    seconds = 0.0 if job.started_at is None else (end - job.started_at).total_seconds()
    return PrintView(
        id=job.id,
        salon_id=job.salon_id,
        version=job.version or 0,
        document=job.document or "",
        filename=job.filename or "",
        state=job.state,
        cancel_requested=job.cancel_requested,
        done=job.done,
        total=job.total,
        pages=job.pages or 0,
        seconds=round(max(0.0, seconds), 1),
        error_code=job.error_code or "",
        error=job_error_text(job.error_message or "", language),
    )


# ---------------------------------------------------------------- storage


def old_prints(session: Session, *, before: dt.datetime) -> list[PrintJob]:
    """The finished print jobs made before `before`."""
    return list(
        session.scalars(
            select(PrintJob).where(
                PrintJob.created_at < before, PrintJob.state.not_in(ACTIVE_JOB_STATES)
            )
        )
    )


def forget_old_prints(session: Session, *, settings: Settings, now: dt.datetime) -> int:
    """Delete the finished prints older than KEEP_PRINTS (row and result), and any folder of
    `prints_dir` unchanged for that long (a result whose row is gone, or the state files of the
    prints made before they were jobs); how many rows were deleted."""
    before = now - KEEP_PRINTS
    jobs = old_prints(session, before=before)
    for job in jobs:
        _remove_result(settings, job.file_path)
        session.delete(job)
    session.flush()
    oldest = time.time() - KEEP_PRINTS.total_seconds()
    for folder in (prints_dir(settings), CACHE_DIR):
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            try:
                if entry.stat().st_mtime >= oldest:
                    continue
                if entry.is_dir():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
            except OSError:
                continue  # removed meanwhile by another server worker
    return len(jobs)


def _remove_result(settings: Settings, file_path: str | None) -> None:
    if not file_path:
        return
    folder = Path(file_path).parent
    if folder.resolve().is_relative_to(prints_dir(settings).resolve()):
        shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------------- work


class PrintStoppedError(Exception):
    """A print job's stop event was set (a cancel, or the server stopping)."""


class PrintWork:
    """A print job: the documents of a stored schedule version laid out into one PDF."""

    kind = "print"
    first_phase = ""
    stopped_message = STOPPED_PRINT

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def interrupted_message(self, owner: str | None, silent_seconds: float | None) -> str:
        return INTERRUPTED_PRINT

    def run(self, runner: JobRunner, job: Job, stop: threading.Event) -> None:
        with runner.session_factory() as session:
            docs = self._documents(session, job)
        if docs is None:
            runner.finish(
                job.id,
                state="failed",
                error_code="schedule_not_found",
                error_message="Planning introuvable.",
            )
            return
        progress = _ProgressWriter(runner, job.id, stop)
        try:
            progress.check()
            result = make_pdf(docs, job.document or "", progress, stop)
            progress.check()
        except (PrintStoppedError, BatchStoppedError):
            runner.end_stopped(job.id, self)
            return
        except Exception as exc:  # noqa: BLE001 - a layout failure is the job's, shown on its page
            log.exception("print job %s failed", job.id)
            runner.finish(
                job.id,
                state="failed",
                error_code="print_error",
                error_message=f"L'impression a échoué : {exc}",
            )
            return
        with runner.session_factory() as session:
            if runner.end(
                session,
                job.id,
                only_states=("running",),
                state="done",
                phase="done",
                done=progress.total or progress.done,
                total=progress.total,
                pages=result.pages,
                file_path=IN_DATABASE,
            ):
                queue_storage.save_print_file(
                    session, job_id=job.id, data=result.pdf, now=utc_now()
                )
                session.commit()
            # else cancelled, failed or taken over meanwhile: that verdict, nothing stored

    def _documents(self, session: Session, job: Job) -> SalonDocuments | None:
        """The documents of the job's schedule version (agendas with their printed links), or
        None when the salon or the version is gone."""
        salon = storage.find_salon(session, salon_id=job.salon_id)
        schedule = storage.find_schedule(session, salon_id=job.salon_id, version=job.version or 0)
        if salon is None or schedule is None:
            return None
        links = None
        if (job.document or "").startswith("agendas"):
            try:
                links = printed_links(session, salon=salon, settings=self.settings)
            except IntegrityError:  # another print stored the same new links first
                session.rollback()
                links = printed_links(session, salon=salon, settings=self.settings)
        elif job.document in ("badges", "badges-single", "tables"):  # check-in, attendance QRs
            links = print_links(
                session, salon_id=salon.id, document=job.document, settings=self.settings
            )
        return schedule_documents(
            session,
            salon=salon,
            schedule=schedule,
            language=job.language or "fr",
            links=links,
        )


class _ProgressWriter:
    """Counts a print's documents on its job (at most every PROGRESS_INTERVAL, the last count
    always) and stops it when its stop event is set."""

    def __init__(self, runner: JobRunner, job_id: int, stop: threading.Event) -> None:
        self.runner = runner
        self.job_id = job_id
        self.stop = stop
        self.done = 0
        self.total = 0
        self.written = 0.0

    def check(self) -> None:
        if self.stop.is_set():
            raise PrintStoppedError

    def __call__(self, done: int, total: int) -> None:
        self.check()
        first = self.written == 0.0
        self.done, self.total = done, total
        if not first and done < total and time.monotonic() - self.written < PROGRESS_INTERVAL:
            return
        self.written = time.monotonic()
        self.runner.write(
            lambda s: self.runner.owned_update(
                s, self.job_id, only_states=("running",), done=done, total=total
            )
        )


def _slug(name: str) -> str:
    kept = "".join(c if c.isalnum() else "-" for c in name.lower())
    return "-".join(part for part in kept.split("-") if part)[:60] or "salon"
