"""`salon serve`: the web service (uvicorn), the store chosen by DATABASE_URL."""

from __future__ import annotations

import argparse
import copy
import os
from typing import Any
from urllib.parse import urlsplit

from api.cli._texts import N_, cli_language, say
from api.settings import Settings, get_settings
from api.timestamps import real_utc_now


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "serve",
        help=N_("servir l'API JSON et les pages (uvicorn)"),
        description=N_(
            "Sert le service. DATABASE_URL choisit la base (défaut : un fichier SQLite) ; la "
            "base est migrée d'abord."
        ),
    )
    parser.add_argument(
        "--host", help=N_("interface d'écoute (défaut : les réglages, 127.0.0.1)")
    )
    parser.add_argument("--port", type=int, help=N_("port (défaut : les réglages, 8000)"))
    parser.add_argument(
        "--workers", type=int, help=N_("processus serveurs (défaut : les réglages, 1)")
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    serve(settings, host=args.host, port=args.port, workers=args.workers)
    return 0


def served_base_url(settings: Settings, *, host: str | None, port: int | None) -> str:
    """The address printed and mailed links start with: `SALON_BASE_URL` when it is set, else
    where the server listens (`http://{host}:{port}`, the loopback for every interface), so
    that `salon demo --port`, `salon serve --port` and the links they print agree."""
    if "SALON_BASE_URL" in os.environ:
        return settings.base_url.rstrip("/")
    host, port = host or settings.host, port or settings.port
    if (host, port) == (settings.host, settings.port):
        return settings.base_url.rstrip("/")
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://{shown}:{port}"


def base_url_lines(base_url: str, *, host: str, language: str) -> list[str]:
    """What `salon serve` says of the links' base: the address, and a warning when the server
    listens on every interface while the links point at this machine's loopback."""
    lines = [say(language, "Liens imprimés et envoyés : %(url)s", url=base_url)]
    loopback = urlsplit(base_url).hostname in ("127.0.0.1", "localhost", "::1")
    if host in ("0.0.0.0", "::", "") and loopback:
        lines.append(
            say(
                language,
                "Attention : ces liens ne mènent qu'à cette machine ; donnez SALON_BASE_URL "
                "(l'adresse par laquelle les participants joignent le service).",
            )
        )
    return lines


def serve(
    settings: Settings,
    *,
    host: str | None = None,
    port: int | None = None,
    workers: int | None = None,
) -> None:
    """Migrate once, then run uvicorn with the app built from the environment in each worker."""
    import uvicorn

    from api.app import migrate_database
    from api.db import make_engine

    host = host or settings.host
    port = port or settings.port
    workers = max(1, workers or settings.workers)
    engine = make_engine(settings.database_url)
    try:
        migrate_database(settings.database_url, engine)
    finally:
        engine.dispose()
    os.environ.setdefault("DATABASE_URL", settings.database_url)
    base_url = os.environ["SALON_BASE_URL"] = served_base_url(settings, host=host, port=port)
    for line in base_url_lines(base_url, host=host, language=cli_language()):
        print(line, flush=True)
    if settings.clock_start is not None and settings.clock_anchor is None:
        # a rehearsal's simulated clock: one anchor, so that every server process agrees
        os.environ["SALON_CLOCK_ANCHOR"] = real_utc_now().isoformat()
    uvicorn.run(
        "api.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_config=log_config(),
    )


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration, its access log filtered by `api.redaction.RedactSecrets`
    (no personal link nor sign-in token in a log line, in every worker from its start)."""
    from uvicorn.config import LOGGING_CONFIG

    from api.redaction import ACCESS_LOGGER

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_secrets"] = {"()": "api.redaction.RedactSecrets"}
    config["loggers"][ACCESS_LOGGER]["filters"] = ["redact_secrets"]
    return config
