"""`salon catalogue`: load a catalogue file, create a contributor (and print a sign-in link),
read the mail outbox.

    salon catalogue load examples/catalogue-2023.json
    salon catalogue make-contributor agent@exemple.gouv.fr --name "Camille Martin"
    salon catalogue outbox --last 3

Messages in the environment's language ($SALON_LANG, else the locale, else French:
api/cli/_texts.py); the mails are shown as they were written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.orm import Session

from api.cli._texts import N_, cli_language, say
from api.errors import DomainError
from api.settings import Settings, get_settings

DATABASE_HELP = N_("défaut : la base de données des réglages")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "catalogue", help=N_("le catalogue des événements : chargement, contributeurs, courriels")
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    load = actions.add_parser(
        "load", help=N_("charger (ou mettre à jour) un fichier JSON catalogue/v1")
    )
    load.add_argument("file", type=Path)
    load.add_argument("--database-url", help=DATABASE_HELP)
    load.set_defaults(handler=load_file)

    contributor = actions.add_parser(
        "make-contributor",
        help=N_("créer le compte d'un contributeur et afficher un lien de connexion"),
    )
    contributor.add_argument("email")
    contributor.add_argument("--name", default="")
    contributor.add_argument("--structure", default="")
    contributor.add_argument("--database-url", help=DATABASE_HELP)
    contributor.set_defaults(handler=make_contributor)

    outbox = actions.add_parser(
        "outbox", help=N_("afficher les derniers courriels de la boîte d'envoi (fichiers)")
    )
    outbox.add_argument("--last", type=int, default=5)
    outbox.set_defaults(handler=show_outbox)


def settings_of(args: argparse.Namespace) -> Settings:
    settings = get_settings()
    url = getattr(args, "database_url", None)
    return settings.model_copy(update={"database_url": url}) if url else settings


@contextmanager
def database_session(settings: Settings) -> Iterator[Session]:
    """A session on the migrated database of the settings."""
    from api.app import migrate_database
    from api.db import make_engine, make_session_factory

    engine = make_engine(settings.database_url)
    try:
        migrate_database(settings.database_url, engine)
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _fail(error: DomainError) -> int:
    """A refusal (any `DomainError`, the catalogue's included) on stderr, with each problem."""
    language = cli_language()
    message = error.render(language)
    print(say(language, "salon catalogue : %(error)s", error=message), file=sys.stderr)
    for problem in error.problems:
        print(f"  - {problem.field}: {problem.render(language)}", file=sys.stderr)
    return 1


def load_file(args: argparse.Namespace) -> int:
    from api.catalogue import load_catalogue_file

    settings = settings_of(args)
    try:
        with database_session(settings) as session:
            count = load_catalogue_file(session, args.file)
    except DomainError as error:
        return _fail(error)
    print(
        say(
            cli_language(),
            "%(file)s : %(count)s événements chargés dans %(database)s",
            file=args.file,
            count=count,
            database=settings.database_url,
        )
    )
    return 0


def make_contributor(args: argparse.Namespace) -> int:
    from api.catalogue.accounts import ensure_contributor, issue_magic_link, magic_link_url

    settings = settings_of(args)
    try:
        with database_session(settings) as session:
            contributor = ensure_contributor(
                session, email=args.email, name=args.name, structure=args.structure
            )
            token = issue_magic_link(session, email=contributor.email)
    except DomainError as error:
        return _fail(error)
    language = cli_language()
    print(
        say(
            language,
            "Contributeur %(email)s (id %(id)s)",
            email=contributor.email,
            id=contributor.id,
        )
    )
    print(
        say(
            language,
            "Lien de connexion (30 minutes, une seule fois) : %(link)s",
            link=magic_link_url(settings, token),
        )
    )
    return 0


def show_outbox(args: argparse.Namespace) -> int:
    from api.mail import read_outbox

    settings = get_settings()
    messages = read_outbox(settings.outbox_dir)[-max(1, args.last) :]
    if not messages:
        print(say(cli_language(), "aucun courriel dans %(folder)s", folder=settings.outbox_dir))
    for message in messages:
        print(f"--- {message['Date']}  To: {message['To']}  Subject: {message['Subject']}")
        body = message.get_body(preferencelist=("plain",))
        print(body.get_content() if body is not None else "")
    return 0
