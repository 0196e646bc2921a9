"""`salon jobs`: the operator's view of background jobs (list, retry, cancel), on the database of
DATABASE_URL, in either mode (api.queue)."""

from __future__ import annotations

import argparse
import sys
import time

from api.cli._texts import N_, cli_language, say
from api.errors import DomainError

STATES = ("queued", "running", "done", "failed", "cancelled")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "jobs",
        help=N_("travaux de fond : lister, relancer, annuler"),
        description=N_(
            "Les travaux de fond (calculs, impressions) de la base DATABASE_URL : leur file, "
            "leur priorité, leur place dans la file, leurs exécutions."
        ),
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help=N_("lister les travaux, les plus récents d'abord"))
    listing.add_argument(
        "--state", nargs="+", choices=STATES, metavar="STATE", help=N_("seulement ces états")
    )
    listing.add_argument("--limit", type=int, default=50, help=N_("combien (défaut : 50)"))
    listing.set_defaults(handler=run_list)
    retry = actions.add_parser("retry", help=N_("relancer un travail échoué ou annulé"))
    retry.add_argument("job", type=int, help=N_("numéro du travail"))
    retry.set_defaults(handler=run_retry)
    cancel = actions.add_parser("cancel", help=N_("annuler un travail en attente ou en cours"))
    cancel.add_argument("job", type=int, help=N_("numéro du travail"))
    cancel.set_defaults(handler=run_cancel)


def _session_factory():  # type: ignore[no-untyped-def]
    from api.db import make_engine, make_session_factory, migrate
    from api.settings import get_settings

    settings = get_settings()
    migrate(settings.database_url)
    return settings, make_session_factory(make_engine(settings.database_url))


def run_list(args: argparse.Namespace) -> int:
    from api.queue.operations import list_jobs

    language = cli_language()
    _settings, factory = _session_factory()
    with factory() as session:
        lines = list_jobs(session, states=args.state or (), limit=max(1, args.limit))
    print(say(language, "travail  genre   salon  état       file     prio  place  exéc.  phase"))
    for line in lines:
        place = "-" if line.position is None else str(line.position)
        print(
            f"{line.id:>7}  {line.kind:<6} {line.salon_id:>6}  {line.state:<10} "
            f"{line.queue:<8} {line.priority:>4}  {place:>5}  {line.runs:>5}  "
            f"{line.phase or line.error_code}"
        )
    print(say(language, "%(count)s travail(aux)", count=len(lines)))
    return 0


def run_retry(args: argparse.Namespace) -> int:
    from api.jobs import make_runner
    from api.queue.operations import retry_job

    language = cli_language()
    settings, factory = _session_factory()
    try:
        with factory() as session:
            retry_job(session, job_id=args.job)
    except DomainError as error:
        message = say(language, "salon jobs : %(error)s", error=error.render(language))
        print(message, file=sys.stderr)
        return 1
    runner = make_runner(factory, settings)
    if runner.mode == "client":
        runner.submit(args.job)
        print(say(language, "Travail %(job)s remis en file.", job=args.job))
        return 0
    # Embedded: no worker will take it; this process runs it, as a server would.
    runner.start()
    try:
        runner.submit(args.job)
        state = _wait(factory, args.job)
    finally:
        runner.shutdown()
    print(say(language, "Travail %(job)s relancé : %(state)s", job=args.job, state=state))
    return 0 if state == "done" else 1


def _wait(factory, job_id: int) -> str:  # type: ignore[no-untyped-def]
    from api.salons import storage

    while True:
        with factory() as session:
            job = storage.find_any_job(session, job_id=job_id)
            state = "gone" if job is None else job.state
        if state not in ("queued", "running"):
            return state
        time.sleep(0.5)


def run_cancel(args: argparse.Namespace) -> int:
    from api.queue.operations import cancel_job

    language = cli_language()
    _settings, factory = _session_factory()
    try:
        with factory() as session:
            cancelled = cancel_job(session, job_id=args.job)
    except DomainError as error:
        message = say(language, "salon jobs : %(error)s", error=error.render(language))
        print(message, file=sys.stderr)
        return 1
    if cancelled:
        print(say(language, "Travail %(job)s annulé.", job=args.job))
    else:
        print(say(language, "Arrêt demandé au travail %(job)s (en cours).", job=args.job))
    return 0
