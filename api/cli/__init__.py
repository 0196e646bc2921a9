"""The `salon` command. Each module of this package adds its sub-commands through `register`
(modules named `_…` are helpers: `_texts` holds the texts' language and translation, `_shared`
what the scheduling core's commands share). `core` registers `solve`, `check` and `stats`, in
that order, and its handlers live in `solve` and `check`, which register nothing themselves."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from api.cli._texts import N_, SalonParser, argv_language, cli_language


def build_parser(language: str | None = None) -> argparse.ArgumentParser:
    """The parser with every sub-command found in this package, its help in `language` (by
    default the environment's: $SALON_LANG, the locale, else French)."""
    parser = SalonParser(
        prog="salon",
        description=N_("Planification des salons d'affaires B2B (rendez-vous) et de leurs "
                       "événements."),
        language=language or cli_language(),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `salon` console script; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(cli_language(argv_language(argv)))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())


def run() -> None:
    """Console-script wrapper: exit with main()'s code."""
    sys.exit(main())
