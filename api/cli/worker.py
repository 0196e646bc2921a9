"""`salon worker`: a process running the background jobs queued on PostgreSQL (api.queue)."""

from __future__ import annotations

import argparse
import logging

from api.cli._shared import err
from api.cli._texts import N_, cli_language, say
from api.queue.priorities import ALL_QUEUES
from api.settings import get_settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "worker",
        help=N_("exécuter les travaux en file d'attente (calculs, impressions, courriels)"),
        description=N_(
            "Exécute les travaux mis en file par les serveurs (SALON_JOB_QUEUE=procrastinate) : "
            "calculs, impressions par lot, envois de courriels. Autant de processus que voulu, "
            "sur autant de machines, tous sur la même base PostgreSQL (DATABASE_URL)."
        ),
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        help=N_("travaux à la fois dans ce processus (défaut : SALON_WORKER_CONCURRENCY, 2)"),
    )
    parser.add_argument(
        "--queues",
        nargs="+",
        choices=ALL_QUEUES,
        metavar="QUEUE",
        help=N_("files servies : solves, prints, mails, maintenance (défaut : toutes)"),
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from api.queue.worker import run_worker

    if args.concurrency is not None and args.concurrency < 1:
        err(say(cli_language(), "--concurrency : au moins 1."))
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        run_worker(get_settings(), concurrency=args.concurrency, queues=args.queues)
    except ValueError as exc:
        language = cli_language()
        err(say(language, "Le travailleur ne peut pas démarrer : %(reason)s", reason=str(exc)))
        return 2
    except KeyboardInterrupt:
        return 130
    return 0
