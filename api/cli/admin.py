"""`salon admin`: organiser accounts, API keys and participant links from the command line.

Messages in the environment's language ($SALON_LANG, else the locale, else French:
api/cli/_texts.py); exit codes 0 done, 1 refused.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from api.cli._texts import N_, cli_language, say
from api.errors import DomainError
from api.settings import get_settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "admin", help=N_("comptes des organisateurs, clés d'API, liens des participants")
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    create = actions.add_parser(
        "create-organiser", help=N_("créer un organisateur et sa clé d'API")
    )
    create.add_argument("--email", required=True)
    create.add_argument("--name", default="")
    create.set_defaults(handler=create_organiser)

    key = actions.add_parser("create-api-key", help=N_("une autre clé d'API pour un organisateur"))
    key.add_argument("--email", required=True)
    key.add_argument("--label", default="")
    key.set_defaults(handler=create_api_key)

    revoke = actions.add_parser(
        "revoke-api-key", help=N_("révoquer des clés par leur préfixe visible")
    )
    revoke.add_argument("--email", required=True)
    revoke.add_argument("--prefix", required=True, help=N_("les premiers caractères de la clé"))
    revoke.set_defaults(handler=revoke_api_key)

    link = actions.add_parser(
        "participant-link", help=N_("un nouveau lien personnel pour un participant")
    )
    link.add_argument("--salon", type=int, required=True, help=N_("identifiant du salon"))
    link.add_argument(
        "--participant", required=True, help=N_("code du participant (son id dans salon/v1)")
    )
    link.set_defaults(handler=participant_link)


@contextmanager
def database_session() -> Iterator[Session]:
    """A session on the migrated database of the settings."""
    from api.app import migrate_database
    from api.db import make_engine, make_session_factory

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        migrate_database(settings.database_url, engine)
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _fail(error: DomainError) -> int:
    language = cli_language()
    print(say(language, "salon admin : %(error)s", error=error.render(language)), file=sys.stderr)
    return 1


def create_organiser(args: argparse.Namespace) -> int:
    from api.organisers.service import create_organiser as create

    with database_session() as session:
        try:
            issued = create(session, email=args.email, name=args.name)
        except DomainError as error:
            return _fail(error)
    language = cli_language()
    docs = get_settings().base_url + "/docs"
    print(say(language, "organisateur : %(email)s", email=issued.email))
    print(say(language, "Clé d'API (affichée une seule fois) : %(key)s", key=issued.key))
    print(say(language, "à utiliser ainsi : Authorization: Bearer %(key)s  (%(docs)s)",
              key=issued.key, docs=docs))
    return 0


def create_api_key(args: argparse.Namespace) -> int:
    from api.organisers.service import create_api_key as create

    with database_session() as session:
        try:
            issued = create(session, email=args.email, label=args.label)
        except DomainError as error:
            return _fail(error)
    print(say(cli_language(), "Clé d'API (affichée une seule fois) : %(key)s", key=issued.key))
    return 0


def revoke_api_key(args: argparse.Namespace) -> int:
    from api.organisers.service import revoke_api_keys

    with database_session() as session:
        try:
            count = revoke_api_keys(session, email=args.email, prefix=args.prefix)
        except DomainError as error:
            return _fail(error)
    print(say(cli_language(), "%(count)s clé(s) révoquée(s)", count=count))
    return 0 if count else 1


def participant_link(args: argparse.Namespace) -> int:
    from api.salons import storage
    from api.salons.service import issue_link

    with database_session() as session:
        found = storage.find_participants_by_code(
            session, salon_id=args.salon, codes=[args.participant]
        )
        if args.participant not in found:
            print(
                say(cli_language(), "salon admin : aucun participant %(participant)r dans le "
                    "salon %(salon)s", participant=args.participant, salon=args.salon),
                file=sys.stderr,
            )
            return 1
        link = issue_link(
            session,
            participant_id=found[args.participant].id,
            expires_at=None,
            base_url=get_settings().base_url,
        )
    print(link.url)
    return 0
