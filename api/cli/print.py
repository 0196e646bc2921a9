"""`salon print`: the printable documents and exports from files, without the service.

    salon print SALON.json SCHEDULE.json --kind agendas --role director -o directeurs.pdf
    salon print SALON.json SCHEDULE.json --kind agendas --participant d12 -o d12.ics
    salon print SALON.json SCHEDULE.json --kind tables -o tables.pdf
    salon print SALON.json SCHEDULE.json --kind grid -o grille.pdf
    salon print SALON.json SCHEDULE.json --kind badges -o badges.pdf [--one-per-page]
    salon print SALON.json SCHEDULE.json -o rendez-vous.xlsx

The format follows the output's extension unless --format says otherwise. Exit codes: 0 done,
2 a file cannot be read or is not valid, or the options do not fit together (the message says
what and where), 130 interrupted. Documents are French by default, English with `--lang en`;
the messages follow `--lang` too, else $SALON_LANG, else the locale, else French
(api/cli/_texts.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from api.cli._texts import N_, cli_language, say
from api.i18n import DEFAULT_LANGUAGE, LANGUAGES

if TYPE_CHECKING:  # imported lazily at run time to keep `salon --help` fast
    from api.documents import PdfResult, PrintProgress, SalonDocuments

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

KINDS = ("agendas", "tables", "grid", "badges", "meetings")
FORMATS = ("pdf", "html", "ics", "csv", "xlsx")
ROLES = ("director", "industrial")
FORMATS_OF_KIND = {
    "agendas": ("pdf", "html", "ics"),
    "tables": ("pdf", "html"),
    "grid": ("pdf", "html"),
    "badges": ("pdf", "html"),
    "meetings": ("csv", "xlsx"),
}
EXTENSIONS = {
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".ics": "ics",
    ".csv": "csv",
    ".xlsx": "xlsx",
}


class BadInputError(Exception):
    """Something the user gave cannot be used; the message says what (already translated)."""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "print",
        help=N_(
            "agendas, fiches des tables, grille générale, badges (PDF, HTML), iCal, "
            "rendez-vous (CSV, XLSX)"
        ),
        description=N_(
            "Imprime les documents d'un salon à partir de ses fichiers salon/v1 et schedule/v1."
        ),
    )
    parser.add_argument("salon", type=Path, help=N_("fichier JSON salon/v1"))
    parser.add_argument("schedule", type=Path, help=N_("fichier JSON schedule/v1"))
    parser.add_argument(
        "--kind",
        choices=KINDS,
        help=N_("ce qu'il faut imprimer (défaut : agendas, ou meetings en CSV et XLSX)"),
    )
    parser.add_argument("--role", choices=ROLES, help=N_("les agendas d'un seul côté"))
    parser.add_argument(
        "--participant",
        action="append",
        metavar="ID",
        help=N_("l'agenda de ce participant (à répéter pour plusieurs)"),
    )
    parser.add_argument(
        "-o", "--output", type=Path, required=True, help=N_("fichier à écrire")
    )
    parser.add_argument(
        "--format", choices=FORMATS, help=N_("défaut : d'après l'extension du fichier écrit")
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        help=N_(
            "langue des documents (défaut fr) et des messages (défaut $SALON_LANG, sinon la "
            "langue de la locale, sinon fr)"
        ),
    )
    parser.add_argument(
        "--published",
        metavar="DATETIME",
        help=N_(
            "heure de publication imprimée sur chaque feuille, par exemple 2023-11-21T18:00 "
            "(heure locale du salon) ; par défaut, marquée comme non publiée"
        ),
    )
    parser.add_argument(
        "--link-template",
        metavar="URL",
        help=N_(
            "l'agenda en ligne de chaque participant, {id} tenant lieu de son identifiant, par "
            "exemple https://salon.example.org/p/{id} : imprimé avec un QR code"
        ),
    )
    parser.add_argument(
        "--director-label", help=N_("le nom que le salon donne à ses directeurs")
    )
    parser.add_argument(
        "--industrial-label", help=N_("le nom que le salon donne à ses industriels")
    )
    parser.add_argument(
        "--one-per-page",
        action="store_true",
        help=N_(
            "--kind badges : un badge par page à la taille du badge (imprimante de badges), "
            "au lieu de 8 par feuille A4 avec traits de coupe"
        ),
    )
    parser.add_argument(
        "--checkin-url",
        metavar="URL",
        help=N_(
            "--kind badges : l'adresse d'accueil de chaque badge, {code} tenant lieu de son code, "
            "par exemple https://salon.example.org/o/salons/3/checkin/{code} : mise dans son QR "
            "code (par défaut, le code seul)"
        ),
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help=N_("processus de mise en page des PDF par lots (défaut : 2 s'ils sont disponibles)"),
    )
    parser.set_defaults(handler=run_print)


def document_language(args: argparse.Namespace) -> str:
    """The documents' language: --lang, else French (whatever the environment says)."""
    return str(args.lang or DEFAULT_LANGUAGE)


def output_format(args: argparse.Namespace) -> str:
    """The --format, else the output's extension, else PDF."""
    if args.format:
        return str(args.format)
    return EXTENSIONS.get(args.output.suffix.lower(), "pdf")


def output_kind(args: argparse.Namespace, fmt: str) -> str:
    """The --kind, else meetings for spreadsheets and agendas for the rest."""
    if args.kind:
        return str(args.kind)
    return "meetings" if fmt in ("csv", "xlsx") else "agendas"


def check_options(args: argparse.Namespace, kind: str, fmt: str) -> None:
    """Raise BadInput when the options do not fit together."""
    language = cli_language(args.lang)
    if fmt not in FORMATS_OF_KIND[kind]:
        formats = ", ".join(FORMATS_OF_KIND[kind])
        raise BadInputError(
            say(
                language,
                "--kind %(kind)s s'imprime en %(formats)s, pas en %(format)s",
                kind=kind,
                formats=formats,
                format=fmt,
            )
        )
    if (args.role or args.participant) and kind != "agendas":
        raise BadInputError(
            say(language, "--role et --participant ne valent que pour --kind agendas")
        )
    if fmt == "ics" and len(args.participant or []) != 1:
        raise BadInputError(
            say(
                language,
                "le format ics est le calendrier d'un participant : "
                "donnez un et un seul --participant",
            )
        )
    if not args.output.parent.is_dir():
        raise BadInputError(
            say(language, "le dossier %(folder)s n'existe pas", folder=args.output.parent)
        )
    if (args.one_per_page or args.checkin_url) and kind != "badges":
        raise BadInputError(
            say(language, "--one-per-page et --checkin-url ne valent que pour --kind badges")
        )
    if args.checkin_url and "{code}" not in args.checkin_url:
        raise BadInputError(say(language, "--checkin-url doit contenir {code}"))
    if args.workers is not None and args.workers < 1:
        raise BadInputError(say(language, "--workers doit valoir au moins 1"))


def parse_published(value: str | None, language: str) -> dt.datetime | None:
    """The --published moment (naive: salon's local time; an offset is converted)."""
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise BadInputError(
            say(
                language,
                "--published : date et heure ISO attendues (ex. 2023-11-21T18:00), pas %(value)r",
                value=value,
            )
        ) from exc


def _links(template: str | None, ids: list[str], language: str) -> dict[str, str]:
    if not template:
        return {}
    if "{id}" not in template:
        raise BadInputError(say(language, "--link-template doit contenir {id}"))
    return {pid: template.replace("{id}", quote(pid, safe="")) for pid in ids}


def run_print(args: argparse.Namespace) -> int:
    """Load, check, render, write; every bad input is one clear message and exit code 2."""
    from scheduler.errors import FileFormatError

    try:
        written = _print(args)
    except FileFormatError as error:
        _report_file_error(error, args)
        return EXIT_BAD_INPUT
    except BadInputError as error:
        print(f"salon print: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(say(cli_language(args.lang), "Interrompu."), file=sys.stderr)
        return EXIT_INTERRUPTED
    print(written)
    return EXIT_OK


def _report_file_error(error: Exception, args: argparse.Namespace) -> None:
    from scheduler.errors import FileFormatError

    assert isinstance(error, FileFormatError)
    language = cli_language(args.lang)
    path = args.schedule if error.what == "schedule" else args.salon
    what = (
        say(language, "de planning") if error.what == "schedule" else say(language, "de salon")
    )
    print(
        say(language, "salon print : fichier %(what)s invalide : %(path)s", what=what, path=path),
        file=sys.stderr,
    )
    for problem in error.problems:
        print(f"  - {problem}", file=sys.stderr)


def _print(args: argparse.Namespace) -> str:
    from api.documents import DocumentOptions, SalonDocuments, check_schedule
    from scheduler.loading import load_salon, load_schedule

    language = cli_language(args.lang)
    fmt = output_format(args)
    kind = output_kind(args, fmt)
    check_options(args, kind, fmt)
    published = parse_published(args.published, language)
    salon = load_salon(args.salon)
    schedule = load_schedule(args.schedule)
    check_schedule(salon, schedule)
    ids = [p.id for p in salon.participants]
    unknown = [pid for pid in args.participant or [] if pid not in ids]
    if unknown:
        raise BadInputError(
            say(
                language,
                "participant inconnu dans %(file)s : %(ids)s",
                file=args.salon,
                ids=", ".join(unknown),
            )
        )
    labels = {"director": args.director_label, "industrial": args.industrial_label}
    options = DocumentOptions(
        language=document_language(args),
        published_at=published,
        links=_links(args.link_template, ids, language),
        side_labels={side: label for side, label in labels.items() if label},
    )
    docs = SalonDocuments(salon, schedule, options)
    data = _render(docs, args, kind, fmt)
    args.output.write_bytes(data)
    return say(language, "%(path)s écrit (%(size)d octets).", path=args.output, size=len(data))


def _render(docs: SalonDocuments, args: argparse.Namespace, kind: str, fmt: str) -> bytes:
    from api import documents as d
    from api.documents.exports import meetings_csv, meetings_xlsx
    from api.documents.ical import participant_calendar

    if fmt == "csv":
        return meetings_csv(docs)
    if fmt == "xlsx":
        return meetings_xlsx(docs)
    if fmt == "ics":
        return participant_calendar(docs, args.participant[0])
    if kind == "agendas":
        agendas = docs.agendas(args.role, args.participant)
        if fmt == "html":
            return d.render_agendas(docs, agendas).encode("utf-8")
        return _with_progress(
            cli_language(args.lang),
            len(agendas),
            lambda progress: d.agendas_pdf(
                docs, agendas, on_progress=progress, workers=args.workers
            ),
        ).pdf
    if kind == "tables":
        sheets = docs.table_sheets()
        if fmt == "html":
            return d.render_table_sheets(docs, sheets).encode("utf-8")
        return _with_progress(
            cli_language(args.lang),
            len(sheets),
            lambda progress: d.tables_pdf(docs, sheets, on_progress=progress, workers=args.workers),
        ).pdf
    if kind == "badges":
        return _badges(docs, args, fmt)
    if fmt == "html":
        return d.grid_html(docs).encode("utf-8")
    return d.grid_pdf(docs).pdf


def _badges(docs: SalonDocuments, args: argparse.Namespace, fmt: str) -> bytes:
    """Every participant's badge; the QR codes hold --checkin-url's addresses when given."""
    from dataclasses import replace

    from api.dayof.codes import checkin_codes
    from api.documents.badges import badge_sheets, badges, badges_pdf, render_badges

    links: dict[str, str] = {}  # never the agendas' --link-template
    if args.checkin_url:
        codes = checkin_codes(p.id for p in docs.salon.participants)
        links = {pid: args.checkin_url.replace("{code}", code) for pid, code in codes.items()}
    docs = type(docs)(docs.salon, docs.schedule, replace(docs.options, links=links))
    items = badges(docs)
    if fmt == "html":
        sheets = badge_sheets(items, one_per_page=args.one_per_page)
        return render_badges(docs, sheets, one_per_page=args.one_per_page).encode("utf-8")
    sheets_count = len(badge_sheets(items, one_per_page=args.one_per_page))
    return _with_progress(
        cli_language(args.lang),
        sheets_count,
        lambda progress: badges_pdf(
            docs,
            items,
            one_per_page=args.one_per_page,
            on_progress=progress,
            workers=args.workers,
        ),
    ).pdf


def _with_progress(
    language: str, total: int, work: Callable[[PrintProgress], PdfResult]
) -> PdfResult:
    """Run a batch with a progress bar on the terminal (plain lines when not a terminal)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    console = Console(stderr=True)
    if total <= 1 or not console.is_terminal:

        def plain(done: int, of: int) -> None:
            if total > 1:
                print(
                    say(language, "mise en page : %(done)d / %(total)d", done=done, total=of),
                    file=sys.stderr,
                )

        return work(plain)
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(say(language, "Mise en page"), total=total)
        return work(lambda done, of: bar.update(task, completed=done, total=of))
