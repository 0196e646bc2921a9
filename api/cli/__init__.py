"""The `salon` command. Each module of this package adds its sub-commands through `register`."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    """The parser with every sub-command found in this package."""
    parser = argparse.ArgumentParser(
        prog="salon", description="Scheduler for B2B meeting salons and their events."
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
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())


def run() -> None:
    """Console-script wrapper: exit with main()'s code."""
    sys.exit(main())
