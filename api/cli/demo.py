"""`salon demo` (what `make run` calls): the main job on the bundled example, end to end.

Loads examples/agir-2023.json into the database of the settings (the SQLite file by default)
unless a salon of that name is already there, opens its wish window, runs a solve as a
background job (the same runner the organiser's button uses) with live progress, publishes
the schedule, writes the printed documents (agendas, table sheets, master grid, XLSX) into
`out/`, and prints a fresh organiser API key and the personal links of an industrial and a
director. `--serve` then serves the pages (`make serve` serves the same database). Messages in
the environment's language ($SALON_LANG, else the locale, else French: api/cli/_texts.py).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from api.cli._texts import N_, cli_language, say
from api.settings import PROJECT_ROOT, Settings, get_settings

if TYPE_CHECKING:
    from api.auth import CurrentOrganiser
    from api.salons.schemas import SolveRead

DEMO_EMAIL = "demo@salon.invalid"
DEFAULT_FILE = PROJECT_ROOT / "examples" / "agir-2023.json"
DEFAULT_OUT = PROJECT_ROOT / "out"
DEMO_TIME_LIMIT = 10.0
POLL_SECONDS = 1.0
DOCUMENTS = (
    ("agendas-director", "agendas-directeurs.pdf"),
    ("agendas-industrial", "agendas-industriels.pdf"),
    ("tables", "fiches-tables.pdf"),
    ("grid", "grille-A3.pdf"),
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "demo",
        help=N_(
            "le travail principal sur l'exemple AGIR : charger, planifier, publier, imprimer les "
            "documents, donner les liens"
        ),
    )
    parser.add_argument(
        "--file", default=str(DEFAULT_FILE), help=N_("le fichier salon/v1 à charger")
    )
    parser.add_argument(
        "--time-limit", type=float, default=DEMO_TIME_LIMIT,
        help=N_("secondes de calcul du planning"),
    )
    parser.add_argument(
        "--out", default=str(DEFAULT_OUT), help=N_("dossier où écrire les documents")
    )
    parser.add_argument(
        "--no-solve", action="store_true", help=N_("seulement charger et afficher les liens")
    )
    parser.add_argument("--no-print", action="store_true", help=N_("ne pas écrire les PDF"))
    parser.add_argument(
        "--serve", action="store_true", help=N_("puis servir les pages")
    )
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.set_defaults(handler=run)


@dataclass
class DemoLinks:
    """What the demo prints."""

    salon_id: int
    salon_name: str
    created: bool
    api_key: str
    participants: list[tuple[str, str, str, str]]  # (kind, name, url, token)


def prepare(session: Session, *, file: str, base_url: str) -> DemoLinks:
    """Load the example once, open its wish window, issue a key and two participant links."""
    from api.auth import CurrentOrganiser
    from api.organisers.service import ensure_organiser, issue_api_key
    from api.salons import service, storage
    from scheduler.loading import load_salon

    document = load_salon(Path(file))
    organiser_id = ensure_organiser(session, email=DEMO_EMAIL, name="Organisateur de démonstration")
    organiser = CurrentOrganiser(id=organiser_id, email=DEMO_EMAIL, name="")
    salon = storage.find_salon_by_name(session, organiser_id=organiser_id, name=document.name)
    created = salon is None
    if salon is None:
        salon_id = service.import_salon(session, organiser=organiser, document=document).id
        service.set_wish_window(session, organiser=organiser, salon_id=salon_id, open_=True)
    else:
        salon_id = salon.id
    key = issue_api_key(session, organiser_id=organiser_id, email=DEMO_EMAIL, label="demo")
    links = []
    for kind in ("industrial", "director"):
        rows, _ = storage.list_participants(session, salon_id=salon_id, kind=kind, limit=1)
        for row in rows:
            link = service.issue_link(
                session, participant_id=row.id, expires_at=None, base_url=base_url
            )
            links.append((kind, f"{row.name} ({row.code})", link.url, link.token))
    return DemoLinks(salon_id, document.name, created, key.key, links)


@dataclass
class SolveOutcome:
    """What the demo's solve ended with."""

    state: str
    version: int | None
    seconds: float
    status: str = ""
    objectives: list[tuple[str, int, int]] = field(default_factory=list)
    meetings: int = 0
    unscheduled: int = 0
    message: str = ""


def _progress_line(job: SolveRead) -> str:
    values = "  ".join(
        f"{name} {value}/{job.bounds.get(name, '?')}" for name, value in job.values.items()
    )
    return f"  {job.elapsed:5.1f} s  {job.phase:<12} {values}".rstrip()


def solve_and_publish(
    factory: sessionmaker[Session], settings: Settings, *, salon_id: int, time_limit: float
) -> SolveOutcome:
    """Run a solve job through the service's runner, show its progress, publish the result."""
    from api.jobs import make_runner
    from api.salons import service
    from api.salons.schemas import SolveCreate

    runner = make_runner(factory, settings)
    runner.start()
    try:
        organiser = _demo_organiser(factory)
        with factory() as session:
            job = service.start_solve(
                session,
                organiser=organiser,
                salon_id=salon_id,
                data=SolveCreate(time_limit=time_limit),
                default_time_limit=time_limit,
                default_workers=settings.solve_workers,
                submit=runner.submit,
            )
        job = _wait_for(factory, organiser, salon_id=salon_id, job_id=job.id)
    finally:
        runner.shutdown()
    if job.state != "done" or job.schedule_version is None:
        message = job.error.message if job.error else job.message
        return SolveOutcome(job.state, None, job.elapsed, message=message)
    with factory() as session:
        summary = service.publish_schedule(
            session, organiser=organiser, salon_id=salon_id, version=job.schedule_version
        )
    return SolveOutcome(
        job.state,
        summary.version,
        job.elapsed,
        status=summary.status,
        objectives=[(o.name, o.value, o.bound) for o in summary.objectives],
        meetings=summary.meeting_count,
        unscheduled=summary.unscheduled_count,
    )


def _demo_organiser(factory: sessionmaker[Session]) -> CurrentOrganiser:
    from api.auth import CurrentOrganiser
    from api.organisers.service import ensure_organiser

    with factory() as session:
        organiser_id = ensure_organiser(session, email=DEMO_EMAIL)
    return CurrentOrganiser(id=organiser_id, email=DEMO_EMAIL, name="")


def _wait_for(
    factory: sessionmaker[Session], organiser: CurrentOrganiser, *, salon_id: int, job_id: int
) -> SolveRead:
    """Poll the job until it ends, printing each new progress line."""
    from api.salons import service

    shown = ""
    while True:
        with factory() as session:
            job = service.get_solve(session, organiser=organiser, salon_id=salon_id, job_id=job_id)
        if job.state not in ("queued", "running"):
            return job
        line = _progress_line(job)
        if line != shown:
            print(line, flush=True)
            shown = line
        time.sleep(POLL_SECONDS)


def write_documents(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    salon_id: int,
    out: Path,
    report: Callable[[str], None],
) -> list[Path]:
    """The published schedule's batch PDFs and meetings workbook, written into `out`.

    Agendas carry each participant's printed personal link and its QR code.
    """
    from api.documents import meetings_xlsx
    from api.pages.service import current_schedule, make_pdf, schedule_documents
    from api.salons import storage
    from api.salons.printed_links import printed_links

    with factory() as session:
        salon = storage.find_salon(session, salon_id=salon_id)
        schedule = current_schedule(session, salon_id=salon_id)
        if salon is None or schedule is None:
            return []
        links = printed_links(session, salon=salon, settings=settings)
        docs = schedule_documents(
            session, salon=salon, schedule=schedule, language="fr", links=links
        )
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, name in DOCUMENTS:
        started = time.perf_counter()
        result = make_pdf(docs, kind)
        path = out / name
        path.write_bytes(result.pdf)
        seconds = time.perf_counter() - started
        report(f"  {path}  ({result.pages} pages, {seconds:.1f} s)")
        written.append(path)
    path = out / "rendez-vous.xlsx"
    path.write_bytes(meetings_xlsx(docs))
    report(f"  {path}")
    return [*written, path]


def _print_outcome(outcome: SolveOutcome, language: str) -> None:
    if outcome.version is None:
        print(say(language, "Calcul : %(state)s (%(message)s)", state=outcome.state,
                  message=outcome.message))
        return
    figures = "   ".join(f"{name} {value} / {bound}" for name, value, bound in outcome.objectives)
    print(
        say(
            language,
            "Planning v%(version)s publié (%(status)s, %(seconds).1f s) : %(meetings)s "
            "rendez-vous, %(unscheduled)s souhaits non placés",
            version=outcome.version,
            status=outcome.status,
            seconds=outcome.seconds,
            meetings=outcome.meetings,
            unscheduled=outcome.unscheduled,
        )
    )
    print(f"  {figures}   " + say(language, "(valeur / borne prouvée)"))


def _print_links(
    demo: DemoLinks, settings: Settings, catalogue_lines: list[str], language: str
) -> None:
    base = settings.base_url.rstrip("/")
    print()
    print(say(language, "Organisateur"))
    docs, login, me = base + "/docs", base + "/o/login", base + "/me"
    api_docs = say(language, "(documentation de l'API : %(docs)s)", docs=docs)
    print(f"  {base}/salons/{demo.salon_id}   {api_docs}")
    print(f"  Authorization: Bearer {demo.api_key}")
    print("  " + say(language, "Pages : %(login)s (coller la clé)", login=login))
    print()
    print(say(language, "Participants (liens personnels)"))
    for kind, name, url, token in demo.participants:
        print(f"  {kind:<10} {name}: {url}")
        header = say(language, "API JSON : X-Participant-Token: %(token)s  (%(me)s)",
                     token=token, me=me)
        print(f"             {header}")
    print()
    print("\n".join(catalogue_lines))


def run(args: argparse.Namespace) -> int:
    from api.app import migrate_database
    from api.catalogue.demo import catalogue_demo_lines
    from api.cli.serve import serve, served_base_url
    from api.db import make_engine, make_session_factory
    from scheduler.errors import FileFormatError

    settings = get_settings()
    language = cli_language()
    if not Path(args.file).is_file():
        print(
            say(language, "salon demo : %(file)s introuvable (générez-le : python -m "
                "examples.generate)", file=args.file),
            file=sys.stderr,
        )
        return 1
    base_url = served_base_url(settings, host=args.host, port=args.port)
    settings = settings.model_copy(update={"base_url": base_url})
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    try:
        migrate_database(settings.database_url, engine)
        with factory() as session:
            demo = prepare(session, file=args.file, base_url=settings.base_url)
            catalogue_lines = catalogue_demo_lines(session, settings)
        loaded = (
            N_("Salon « %(name)s » chargé (id %(id)s) dans %(database)s")
            if demo.created
            else N_("Salon « %(name)s » déjà chargé (id %(id)s) dans %(database)s")
        )
        print(say(language, loaded, name=demo.salon_name, id=demo.salon_id,
                  database=settings.database_url))
        if not args.no_solve:
            print(say(language, "Calcul (%(seconds)g s au plus)...", seconds=args.time_limit),
                  flush=True)
            outcome = solve_and_publish(
                factory, settings, salon_id=demo.salon_id, time_limit=args.time_limit
            )
            _print_outcome(outcome, language)
            if outcome.version is None:
                return 1
            if not args.no_print:
                print(say(language, "Documents imprimables :"), flush=True)
                write_documents(
                    factory,
                    settings,
                    salon_id=demo.salon_id,
                    out=Path(args.out),
                    report=lambda line: print(line, flush=True),
                )
    except FileFormatError as error:
        print(say(language, "salon demo : %(error)s", error=error), file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    _print_links(demo, settings, catalogue_lines, language)
    sys.stdout.flush()
    if args.serve:
        serve(settings, host=args.host, port=args.port)
    else:
        print()
        print(say(language, "Pour parcourir les pages : make serve"))
    return 0
