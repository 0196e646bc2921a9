"""`salon reminders send`: send the reminders due now (the evening before each day of meetings),
for a cron job when no job queue runs them (api.reminders; sending twice is harmless: each
reminder is recorded and never sent again). Exit codes 0 done, 1 refused."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from api.cli._texts import N_, cli_language, say
from api.settings import get_settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "reminders", help=N_("rappels aux participants (la veille de chaque journée)")
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    send = actions.add_parser(
        "send",
        help=N_("envoyer les rappels dus maintenant"),
        description=N_(
            "Envoie les rappels dus : la veille de chaque journée de rendez-vous, à partir de "
            "SALON_REMINDER_HOUR (heure du salon), chaque participant reçoit ses rendez-vous "
            "et son calendrier. Un rappel n'est jamais envoyé deux fois."
        ),
    )
    send.add_argument(
        "--now",
        help=N_("l'instant à considérer (ISO 8601, UTC sans fuseau ; défaut : maintenant)"),
    )
    send.set_defaults(handler=send_reminders)


def send_reminders(args: argparse.Namespace) -> int:
    from api.app import migrate_database
    from api.db import make_engine, make_session_factory
    from api.reminders import send_due_reminders
    from api.timestamps import configure_clock

    language = cli_language()
    now = None
    if args.now:
        try:
            now = dt.datetime.fromisoformat(args.now)
        except ValueError:
            message = say(language, "--now : date et heure ISO 8601 attendues, pas %(value)r",
                          value=args.now)
            print(say(language, "salon reminders : %(error)s", error=message), file=sys.stderr)
            return 1
    settings = get_settings()
    configure_clock(settings)
    engine = make_engine(settings.database_url)
    try:
        migrate_database(settings.database_url, engine)
        with make_session_factory(engine)() as session:
            sent = send_due_reminders(session, settings, now)
    finally:
        engine.dispose()
    print(say(language, "%(count)s rappel(s) envoyé(s)", count=sent))
    return 0
