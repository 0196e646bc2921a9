"""`salon demo` (what `make run` calls): the AGIR example in the default store, then serve.

Loads examples/agir-2023.json into the database of the settings (the SQLite file by default)
unless a salon of that name is already there, opens its wish window, and prints a fresh
organiser API key and the personal links of an industrial and a director.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from api.settings import PROJECT_ROOT, get_settings

DEMO_EMAIL = "demo@salon.invalid"
DEFAULT_FILE = PROJECT_ROOT / "examples" / "agir-2023.json"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "demo", help="load the AGIR example, print organiser and participant links, serve"
    )
    parser.add_argument("--file", default=str(DEFAULT_FILE), help="salon/v1 file to load")
    parser.add_argument("--no-serve", action="store_true", help="set up and print, then exit")
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


def run(args: argparse.Namespace) -> int:
    from api.app import migrate_database
    from api.cli.serve import serve
    from api.db import make_engine, make_session_factory
    from scheduler.errors import FileFormatError

    settings = get_settings()
    if not Path(args.file).is_file():
        print(
            f"salon demo: {args.file} not found (generate it: python -m examples.generate)",
            file=sys.stderr,
        )
        return 1
    if args.port or args.host:
        host, port = args.host or settings.host, args.port or settings.port
        settings = settings.model_copy(update={"base_url": f"http://{host}:{port}"})
    engine = make_engine(settings.database_url)
    try:
        migrate_database(settings.database_url, engine)
        with make_session_factory(engine)() as session:
            demo = prepare(session, file=args.file, base_url=settings.base_url)
            from api.catalogue.demo import catalogue_demo_lines

            catalogue_lines = catalogue_demo_lines(session, settings)
    except FileFormatError as error:
        print(f"salon demo: {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    base = settings.base_url.rstrip("/")
    state = "loaded" if demo.created else "already loaded"
    print(f"Salon « {demo.salon_name} » {state} (id {demo.salon_id}) in {settings.database_url}")
    print()
    print("Organisateur / organiser")
    print(f"  {base}/salons/{demo.salon_id}   (API docs: {base}/docs)")
    print(f"  Authorization: Bearer {demo.api_key}")
    print(f"  Pages : {base}/o/login (coller la clé / paste the key)")
    print()
    print("Participants (liens personnels / personal links)")
    for kind, name, url, token in demo.participants:
        print(f"  {kind:<10} {name}: {url}")
        print(f"             JSON API: X-Participant-Token: {token}  ({base}/me)")
    print()
    print("\n".join(catalogue_lines))
    sys.stdout.flush()
    if args.no_serve:
        return 0
    serve(settings, host=args.host, port=args.port)
    return 0
