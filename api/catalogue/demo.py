"""What `salon demo` (`make run`) adds for the catalogue: the example programme and a link."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from api.catalogue.accounts import issue_magic_link, magic_link_url
from api.catalogue.errors import CatalogueError
from api.catalogue.loading import load_catalogue_file
from api.settings import PROJECT_ROOT, Settings

EXAMPLE_FILE = PROJECT_ROOT / "examples" / "catalogue-2023.json"
DEMO_CONTRIBUTOR = "camille.martin@administration.example"


def catalogue_demo_lines(
    session: Session, settings: Settings, *, file: Path = EXAMPLE_FILE
) -> list[str]:
    """Load the example catalogue (idempotent) and say where to look, with a sign-in link."""
    if not file.is_file():
        return [f"Catalogue: {file} not found (python -m examples.make_catalogue)"]
    try:
        count = load_catalogue_file(session, file)
    except CatalogueError as error:
        session.rollback()
        return [f"Catalogue: {file} not loaded: {error.render('en')}"]
    base = settings.base_url.rstrip("/")
    link = magic_link_url(settings, issue_magic_link(session, email=DEMO_CONTRIBUTOR))
    return [
        f"Catalogue des événements / event catalogue: {count} events from {file.name}",
        f"  public: {base}/catalogue/   (JSON: {base}/catalogue/api/events)",
        f"  moderation: {base}/catalogue/moderation  (sign in with the organiser API key above)",
        f"  contributor {DEMO_CONTRIBUTOR}: {link}",
        f"  other contributors: sign in at {base}/catalogue/login; mails go to "
        f"{settings.outbox_dir} (`salon catalogue outbox`)",
    ]
