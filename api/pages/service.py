"""What the pages need beyond the salon domain: side labels, documents of a stored schedule,
the organiser's dashboard figures, and batch PDFs made in the background with their progress.

Batch print jobs run in a thread of the server process (the layout itself runs in up to two
worker processes, see api.documents.pdf); their state is a JSON file next to their result under
`<var>/prints/<job id>/`, so any server worker of the host can report their progress. Like solve
jobs (api.jobs), a print job names the process making it (`owner`) and that process stamps
`heartbeat_at` while it waits or works; a job whose process died (this host, dead pid) or that is
silent for `job_stale_seconds` is failed as `interrupted` at start-up (`pages_lifespan`) and
whenever it is read, never left running.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import shutil
import tempfile
import threading
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session

from api.documents import DocumentOptions, SalonDocuments, Side, agendas_pdf, grid_pdf, tables_pdf
from api.i18n import gettext
from api.jobs import HOSTNAME, process_gone
from api.pages.tables import SalonLabels
from api.pages.web import PageError
from api.salons import convert, storage
from api.salons.printed_links import site_secret
from api.salons.tables import Salon, Schedule
from api.settings import Settings
from scheduler.bounds import over_requested
from scheduler.format import Salon as SalonDocument
from scheduler.problem import build_problem

log = logging.getLogger(__name__)

LABEL_MAX = 80
PRINT_KINDS = ("agendas-director", "agendas-industrial", "agendas-all", "tables", "grid")

# --------------------------------------------------------------------- labels


def side_labels(session: Session, *, salon_id: int) -> dict[str, str]:
    """The salon's names for its sides (only those it set)."""
    row = session.get(SalonLabels, salon_id)
    if row is None:
        return {}
    labels = {"director": row.director_label, "industrial": row.industrial_label}
    return {side: label for side, label in labels.items() if label}


def set_side_labels(
    session: Session, *, salon_id: int, director: str, industrial: str
) -> dict[str, str]:
    """Store the salon's names for its sides; blank means the default text."""
    director, industrial = director.strip(), industrial.strip()
    if len(director) > LABEL_MAX or len(industrial) > LABEL_MAX:
        raise PageError("Un intitulé compte %(max)d caractères au plus.", status=422, max=LABEL_MAX)
    row = session.get(SalonLabels, salon_id) or SalonLabels(salon_id=salon_id)
    row.director_label = director or None
    row.industrial_label = industrial or None
    session.add(row)
    session.commit()
    return side_labels(session, salon_id=salon_id)


# ------------------------------------------------------------------ documents


def published_moment(schedule: Schedule) -> dt.datetime | None:
    """When the schedule was published, as an aware UTC moment."""
    if schedule.published_at is None:
        return None
    return schedule.published_at.replace(tzinfo=dt.UTC)


def schedule_documents(
    session: Session,
    *,
    salon: Salon,
    schedule: Schedule,
    language: str,
    links: dict[str, str] | None = None,
) -> SalonDocuments:
    """The documents of a stored schedule version of a stored salon."""
    options = DocumentOptions(
        language=language,
        published_at=published_moment(schedule),
        links=links or {},
        side_labels=side_labels(session, salon_id=salon.id),
    )
    return SalonDocuments(
        convert.salon_document(session, salon=salon),
        convert.schedule_document(session, schedule=schedule),
        options,
    )


# ------------------------------------------------------------------ dashboard


@dataclass
class DirectorLoad:
    """Requests received by a participant against what it can hold."""

    code: str
    name: str
    organisation: str
    requests: int
    declined: int
    capacity: int
    over: bool


@dataclass
class Dashboard:
    """The organiser's figures of a salon."""

    participants: dict[str, int]
    submitted: dict[str, int]
    wishes: int
    declined: int
    slots: int
    loads: list[DirectorLoad] = field(default_factory=list)


def dashboard(document: SalonDocument) -> Dashboard:
    """Counts of participants and wishes, and the requests each director received."""
    problem = build_problem(document)
    sides = Counter("director" if p.table else "industrial" for p in document.participants)
    asked_from = {w.from_ for w in document.wishes}
    submitted = Counter(
        "director" if p.table else "industrial" for p in document.participants if p.id in asked_from
    )
    received = Counter(w.to for w in document.wishes)
    declined = Counter(w.to for w in document.wishes if w.declined)
    capacity = {pid: cap for pid, _requests, cap in over_requested(problem)}
    loads = []
    for participant in document.participants:
        if participant.table is None:
            continue
        slots = sum(
            1
            for s in problem.slots
            if not any(i.overlaps(s.start, s.end) for i in participant.unavailable)
        )
        cap = capacity.get(participant.id, min(slots, participant.max_meetings or slots))
        loads.append(
            DirectorLoad(
                code=participant.id,
                name=participant.name,
                organisation=participant.organisation,
                requests=received[participant.id],
                declined=declined[participant.id],
                capacity=cap,
                over=participant.id in capacity,
            )
        )
    loads.sort(key=lambda load: (-load.requests, load.name))
    return Dashboard(
        participants={"director": sides["director"], "industrial": sides["industrial"]},
        submitted={"director": submitted["director"], "industrial": submitted["industrial"]},
        wishes=len(document.wishes),
        declined=sum(1 for w in document.wishes if w.declined),
        slots=len(problem.slots),
        loads=loads,
    )


# ----------------------------------------------------------------- print jobs


@dataclass
class PrintJob:
    """A batch PDF being made: who asked, what, how far, and where the result is."""

    id: str
    organiser_id: int
    salon_id: int
    version: int
    kind: str
    language: str
    state: str = "queued"  # queued, running, done, failed
    done: int = 0
    total: int = 0
    filename: str = ""
    pages: int = 0
    seconds: float = 0.0
    error: str = ""
    created_at: str = ""
    owner: str = ""  # the server process making it: host@pid:nonce
    heartbeat_at: str = ""  # when that process last proved alive (ISO 8601, UTC)
    error_code: str = ""  # why it failed: `interrupted` (its process is gone) or `error`


ACTIVE_PRINT_STATES = ("queued", "running")
INTERRUPTED_PRINT = (
    "Le serveur qui préparait ce document s'est arrêté avant la fin ; relancez l'impression."
)
_SAVING = threading.RLock()
"""Print jobs of this process are saved one at a time (progress, heartbeat, end)."""
_OWNER: tuple[int, str] | None = None


def print_owner() -> str:
    """This process's name on the print jobs it makes (`host@pid:nonce`, as solve jobs')."""
    global _OWNER
    if _OWNER is None or _OWNER[0] != os.getpid():
        _OWNER = (os.getpid(), f"{HOSTNAME}@{os.getpid()}:{uuid.uuid4().hex[:12]}")
    return _OWNER[1]


def prints_dir(settings: Settings) -> Path:
    return settings.outbox_dir.parent / "prints"


def _job_dir(settings: Settings, job_id: str) -> Path:
    if not job_id.replace("-", "").replace("_", "").isalnum():
        raise PageError("Impression introuvable.", status=404)
    return prints_dir(settings) / job_id


KEEP_JOBS = dt.timedelta(days=2)


def forget_old_jobs(settings: Settings, now: dt.datetime) -> None:
    """Delete the print jobs (state and PDF) older than KEEP_JOBS."""
    folder = prints_dir(settings)
    if not folder.is_dir():
        return
    for job_dir in folder.iterdir():
        status = job_dir / "status.json"
        try:
            created = dt.datetime.fromisoformat(json.loads(status.read_text("utf-8"))["created_at"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if now - created > KEEP_JOBS:
            shutil.rmtree(job_dir, ignore_errors=True)


def save_job(settings: Settings, job: PrintJob) -> None:
    """Write a job's state whole (a temporary file of its folder, then renamed over)."""
    folder = _job_dir(settings, job.id)
    folder.mkdir(parents=True, exist_ok=True)
    with _SAVING:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix="status.", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                file.write(json.dumps(asdict(job)))
            os.replace(temporary, folder / "status.json")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _read_job(path: Path) -> PrintJob:
    return PrintJob(**json.loads(path.read_text("utf-8")))


def load_job(settings: Settings, *, job_id: str, organiser_id: int) -> PrintJob:
    """A print job of this organiser (404 for anyone else's); failed as `interrupted` if the
    process making it is gone."""
    path = _job_dir(settings, job_id) / "status.json"
    try:
        job = _read_job(path)
    except (OSError, ValueError, TypeError) as exc:
        raise PageError("Impression introuvable.", status=404) from exc
    if job.organiser_id != organiser_id:
        raise PageError("Impression introuvable.", status=404)
    _fail_if_interrupted(settings, job, dt.datetime.now(dt.UTC))
    return job


def print_interrupted(job: PrintJob, *, now: dt.datetime, stale_seconds: float) -> bool:
    """Whether an active print job's process is gone: it ran on this host and its pid is dead
    (or an earlier incarnation of ours), or it has been silent for `stale_seconds`."""
    if job.state not in ACTIVE_PRINT_STATES or job.owner == print_owner():
        return False
    if process_gone(job.owner, print_owner()):
        return True
    try:
        heartbeat = dt.datetime.fromisoformat(job.heartbeat_at or job.created_at)
    except ValueError:
        return True
    if heartbeat.tzinfo is None:
        heartbeat = heartbeat.replace(tzinfo=dt.UTC)
    return (now - heartbeat).total_seconds() > stale_seconds


def _fail_if_interrupted(settings: Settings, job: PrintJob, now: dt.datetime) -> bool:
    if not print_interrupted(job, now=now, stale_seconds=settings.job_stale_seconds):
        return False
    log.warning("print job %s interrupted: process %s gone or silent", job.id, job.owner or "?")
    job.state, job.error_code, job.error = "failed", "interrupted", INTERRUPTED_PRINT
    save_job(settings, job)
    return True


def print_error(job: PrintJob, language: str) -> str:
    """Why a print job failed, in `language` (a layout error is shown as raised)."""
    return gettext(language, job.error) if job.error_code == "interrupted" else job.error


def fail_interrupted_prints(settings: Settings, now: dt.datetime | None = None) -> int:
    """Fail the print jobs left queued or running by a process that is gone; how many."""
    folder = prints_dir(settings)
    if not folder.is_dir():
        return 0
    now = now or dt.datetime.now(dt.UTC)
    failed = 0
    for job_dir in sorted(folder.iterdir()):
        try:
            job = _read_job(job_dir / "status.json")
            failed += _fail_if_interrupted(settings, job, now)
        except (OSError, ValueError, TypeError, PageError):
            continue  # unreadable, or being deleted by forget_old_jobs
    return failed


@asynccontextmanager
async def pages_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start-up: the site secret of the printed links is made once (or refused when too
    short: the server does not start), and the print jobs of dead processes are failed."""
    settings: Settings = app.state.settings
    site_secret(settings)
    fail_interrupted_prints(settings)
    yield


def job_file(settings: Settings, job: PrintJob) -> Path:
    return _job_dir(settings, job.id) / "result.pdf"


_RUNNING = threading.Semaphore(1)
"""One batch at a time per server process: each uses the machine's two cores already."""


def start_print(
    settings: Settings,
    *,
    docs: SalonDocuments,
    organiser_id: int,
    salon_id: int,
    version: int,
    kind: str,
) -> PrintJob:
    """Queue a batch PDF and make it in a background thread; poll its state with load_job."""
    if kind not in PRINT_KINDS:
        raise PageError("Document inconnu.", status=404)
    forget_old_jobs(settings, dt.datetime.now(dt.UTC))
    job = PrintJob(
        id=secrets.token_urlsafe(12),
        organiser_id=organiser_id,
        salon_id=salon_id,
        version=version,
        kind=kind,
        language=docs.language,
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        filename=f"{_slug(docs.salon.name)}-v{version}-{kind}.pdf",
        owner=print_owner(),
        heartbeat_at=dt.datetime.now(dt.UTC).isoformat(),
    )
    save_job(settings, job)
    thread = threading.Thread(
        target=_run_print, args=(settings, job, docs), name=f"print-{job.id}", daemon=True
    )
    thread.start()
    return job


def _slug(name: str) -> str:
    kept = "".join(c if c.isalnum() else "-" for c in name.lower())
    return "-".join(part for part in kept.split("-") if part)[:60] or "salon"


def _run_print(settings: Settings, job: PrintJob, docs: SalonDocuments) -> None:
    started = dt.datetime.now(dt.UTC)
    beating = threading.Event()
    heart = threading.Thread(
        target=_beat, args=(settings, job, beating), name=f"print-{job.id}-beat", daemon=True
    )
    heart.start()
    try:
        with _RUNNING:
            with _SAVING:
                job.state = "running"
                save_job(settings, job)

            def progress(done: int, total: int) -> None:
                with _SAVING:
                    job.done, job.total = done, total
                    save_job(settings, job)

            try:
                result = make_pdf(docs, job.kind, progress)
                job_file(settings, job).write_bytes(result.pdf)
                outcome = {"state": "done", "pages": result.pages}
            except Exception as exc:  # noqa: BLE001 - any failure is reported on the job's page
                log.exception("print job %s failed", job.id)
                outcome = {"state": "failed", "error_code": "error", "error": str(exc)}
            with _SAVING:
                for name, value in outcome.items():
                    setattr(job, name, value)
                job.seconds = round((dt.datetime.now(dt.UTC) - started).total_seconds(), 1)
                save_job(settings, job)
    finally:
        beating.set()


def _beat(settings: Settings, job: PrintJob, done: threading.Event) -> None:
    """Stamp the job's heartbeat until it ends (it may wait for another batch first)."""
    while not done.wait(settings.job_heartbeat_seconds):
        with _SAVING:
            if done.is_set():
                return
            job.heartbeat_at = dt.datetime.now(dt.UTC).isoformat()
            try:
                save_job(settings, job)
            except OSError:
                log.exception("print job %s: heartbeat not saved", job.id)


def make_pdf(docs: SalonDocuments, kind: str, progress: Any = None) -> Any:
    """One of the batch PDFs (PRINT_KINDS) of a salon's schedule."""
    if kind.startswith("agendas-"):
        side: Side | None = None if kind == "agendas-all" else kind.removeprefix("agendas-")  # type: ignore[assignment]
        agendas = docs.agendas(side)
        if progress is not None:
            progress(0, len(agendas))
        return agendas_pdf(docs, agendas, on_progress=progress)
    if kind == "tables":
        return tables_pdf(docs, on_progress=progress)
    if progress is not None:
        progress(0, 1)
    result = grid_pdf(docs)
    if progress is not None:
        progress(1, 1)
    return result


def current_schedule(session: Session, *, salon_id: int) -> Schedule | None:
    """The published schedule participants see, if any."""
    return storage.current_published(session, salon_id=salon_id)


def format_progress(job: PrintJob) -> dict[str, Any]:
    return {
        "state": job.state,
        "done": job.done,
        "total": job.total,
        "pages": job.pages,
        "seconds": job.seconds,
        "error": job.error,
    }
