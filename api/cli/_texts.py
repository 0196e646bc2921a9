"""The `salon` command's texts and language, on the project's Babel catalogues (api.i18n).

Every text is written in French in the code and translated by
`api/locale/en/LC_MESSAGES/cli.po`, like the pages' texts: `say(language, "…")` translates one,
`N_("…")` marks one that is translated later (help texts, tables of labels). Placeholders are
`%(name)s`. tests/api/test_i18n_catalogues.py extracts the texts of api/cli/ with these
keywords and checks that each one has its English.

The language: the command's `--lang` when it has one, else `$SALON_LANG`, else the locale
(`LC_ALL`, `LC_MESSAGES`, `LANG`: `fr_FR.UTF-8`, `en_GB.UTF-8`), else French. Help texts follow
the `--lang` of the command line too (read before parsing). argparse's own messages (usage
errors) stay in English.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from api.i18n import DEFAULT_LANGUAGE, environment_language, gettext, normalise_language

LANGUAGE_VARIABLE = "SALON_LANG"
EXTRACTION_KEYWORDS: dict[str, tuple[int, ...] | None] = {"say": (2,), "t": None, "N_": None}
"""How the catalogue test finds the CLI's texts: `say(language, text)`, `t(text)` (a `Texts`
of api/cli/_shared.py) and `N_(text)` (Babel's keyword specifications)."""


def N_(message: str) -> str:  # noqa: N802  (gettext's conventional name)
    """Mark a French text for the catalogues; it is translated where it is shown."""
    return message


def say(language: str, message: str, /, **values: Any) -> str:
    """The CLI's one translation function: the French `message` in `language`, with its
    `%(name)s` placeholders filled in (only when values are given)."""
    text = gettext(language, message)
    return text % values if values else text


def cli_language(option: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """`--lang` when given, else $SALON_LANG, else the locale's language, else French (a value
    that is not one of ours is passed over)."""
    environ = os.environ if environ is None else environ
    return (
        normalise_language(option)
        or normalise_language(environ.get(LANGUAGE_VARIABLE))
        or environment_language(environ)
        or DEFAULT_LANGUAGE
    )


def argv_language(argv: Sequence[str]) -> str | None:
    """The `--lang X` or `--lang=X` of a command line, read before parsing it (the help texts
    are written while it is parsed); the last one wins, as in argparse."""
    found = None
    for index, word in enumerate(argv):
        if word == "--":
            break
        if word == "--lang" and index + 1 < len(argv):
            found = argv[index + 1]
        elif word.startswith("--lang="):
            found = word.removeprefix("--lang=")
    return found


class TranslatedHelpFormatter(argparse.HelpFormatter):
    """argparse's formatter with the descriptions, help texts and section titles translated."""

    def __init__(self, prog: str, *, language: str) -> None:
        super().__init__(prog)
        self.language = language

    def add_text(self, text: str | None) -> None:
        if text and text is not argparse.SUPPRESS:
            text = say(self.language, text)
        super().add_text(text)

    def start_section(self, heading: str | None) -> None:
        super().start_section(say(self.language, heading) if heading else heading)

    def _get_help_string(self, action: argparse.Action) -> str | None:
        return say(self.language, action.help) if action.help else action.help


class SalonParser(argparse.ArgumentParser):
    """An ArgumentParser whose texts are French (marked with `N_`), shown in `language`; the
    parsers of its sub-commands are SalonParsers in the same language."""

    def __init__(
        self, *, language: str = DEFAULT_LANGUAGE, add_help: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(add_help=False, **kwargs)
        self.language = language
        self._positionals.title = N_("arguments positionnels")
        self._optionals.title = N_("options")
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS,
                help=N_("afficher cette aide et quitter"),
            )

    def add_subparsers(self, **kwargs: Any) -> Any:
        kwargs.setdefault("parser_class", partial(SalonParser, language=self.language))
        return super().add_subparsers(**kwargs)

    def _get_formatter(self) -> argparse.HelpFormatter:
        return TranslatedHelpFormatter(self.prog, language=self.language)
