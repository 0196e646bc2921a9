"""`salon repair`: re-solve a published schedule after the changes of the day, with the fewest
changes, and print the change list for the desk.

    salon repair SALON.json SCHEDULE.json CHANGES.json --now 2023-11-28T11:00 -o NEW.json

CHANGES.json is a changes/v1 file (docs/changes.md); NEW.json is a schedule/v1 file with its
`changes` list. Exit codes as `salon solve`: 0 written, 2 a file (or --now) is not valid,
3 the rules cannot all be met (proven), 4 no schedule found within the time limit (nothing
proven), 130 interrupted. Texts are French by default, English with `--lang en` (or
$SALON_LANG, or the locale: see api/cli/_texts.py); NEW.json is the same in both languages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from api.cli._shared import (
    EXIT_BAD_FILE,
    EXIT_INFEASIBLE,
    EXIT_INTERRUPTED,
    EXIT_NO_SCHEDULE_IN_TIME,
    EXIT_OK,
    SALON_HELP,
    Texts,
    add_language,
    err,
    positive_float,
    print_no_schedule_in_time,
    write_json,
)
from api.cli._texts import N_
from scheduler.changes import AppliedChanges, apply_changes, load_changes
from scheduler.errors import FileFormatError, InfeasibleError, NoScheduleInTimeError
from scheduler.format import Change, Schedule
from scheduler.loading import load_salon, load_schedule
from scheduler.progress import SolveOptions
from scheduler.repair import DEFAULT_SECONDS, changed_participants, repair_applied
from scheduler.validator import validate

CHANGE_KINDS = {
    "moved": N_("déplacé"),
    "dropped": N_("annulé"),
    "added": N_("ajouté"),
    "kept": N_("maintenu"),
}

REASONS = {
    "participant_cancelled": N_("participant désisté"),
    "participant_unavailable": N_("participant indisponible"),
    "meeting_cancelled": N_("rendez-vous annulé"),
    "table_closed": N_("table fermée"),
    "no_show": N_("absent au rendez-vous"),
    "rearranged": N_("déplacé pour faire de la place"),
    "waiting_list": N_("liste d'attente"),
    "wish_added": N_("nouvelle demande"),
    "wish_window_closed": N_("demande après la clôture"),
}
"""Why a meeting changed (French, translated by cli.po); other codes are the core's rules."""


class RepairTexts(Texts):
    """The CLI's texts, with the repair's reasons and kinds of change."""

    def reason(self, code: str) -> str:
        label = REASONS.get(code)
        return self(label) if label else self.rule(code)

    def change_kind(self, kind: str) -> str:
        label = CHANGE_KINDS.get(kind)
        return self(label) if label else kind


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "repair",
        help=N_("réparer un planning publié après les changements du jour (changes/v1)"),
        description=N_(
            "Replanifie après les désistements, absences, retards et nouvelles demandes en "
            "changeant le moins de rendez-vous possible, et affiche la liste des changements. "
            "Codes de sortie : 0 planning écrit, 2 fichier invalide, 3 règles impossibles à "
            "respecter (prouvé), 4 aucun planning trouvé dans le temps imparti (rien n'est "
            "prouvé : donnez plus de temps), 130 interrompu."
        ),
    )
    parser.add_argument("salon", type=Path, metavar="SALON.json", help=SALON_HELP)
    parser.add_argument(
        "schedule",
        type=Path,
        metavar="SCHEDULE.json",
        help=N_("le planning publié (schedule/v1)"),
    )
    parser.add_argument(
        "changes",
        type=Path,
        metavar="CHANGES.json",
        help=N_("les changements du jour (changes/v1)"),
    )
    parser.add_argument(
        "--now",
        required=True,
        metavar="AAAA-MM-JJTHH:MM",
        help=N_("l'heure actuelle, locale au salon : les rendez-vous commencés avant sont figés"),
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="NEW.json",
        help=N_("le planning réparé à écrire (schedule/v1 avec sa liste de changements)"),
    )
    parser.add_argument(
        "--salon-output",
        type=Path,
        metavar="SALON2.json",
        help=N_("écrire aussi le salon après les changements (pour salon check)"),
    )
    parser.add_argument(
        "--time-limit",
        type=positive_float,
        default=DEFAULT_SECONDS,
        metavar="S",
        help=N_("temps de calcul en secondes (défaut %(default)g)"),
    )
    parser.add_argument("--seed", type=int, default=0, metavar="N", help=N_("graine (défaut 0)"))
    add_language(parser)
    parser.set_defaults(handler=run_repair)


def _bad_file(error: FileFormatError, path: Path, t: RepairTexts) -> int:
    err(
        t(
            "Fichier %(what)s invalide : %(path)s (%(count)s problème(s))",
            what=t.file_kind(error.what),
            path=path,
            count=len(error.problems),
        )
    )
    for problem in error.problems:
        err(f"  - {problem.path} {t.rule_line(problem.rule, problem.message)}")
    return EXIT_BAD_FILE


def _parse_now(text: str) -> dt.datetime | None:
    try:
        now = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return now if now.tzinfo is None else None


def _unwritable(path: Path | None, t: RepairTexts) -> bool:
    if path is not None and not path.parent.is_dir():
        reason = t("le dossier %(folder)s n'existe pas", folder=path.parent)
        err(t("Impossible d'écrire %(path)s : %(reason)s", path=path, reason=reason))
        return True
    return False


def change_line(change: Change, t: RepairTexts) -> str:
    """`déplacé  G0001 – H001 : 14:00 T05 → 11:20 T05 (participant indisponible)`."""
    where = []
    for ref in (change.before, change.after):
        if ref is not None:
            where.append(f"{ref.start:%H:%M} {ref.table}")
    place = " → ".join(where) if change.kind == "moved" else (where[0] if where else "")
    return t(
        "%(kind)-9s %(asker)s – %(asked)s : %(place)s (%(reason)s)",
        kind=t.change_kind(change.kind),
        asker=change.from_,
        asked=change.to,
        place=place,
        reason=t.reason(change.reason),
    )


def _print_result(schedule: Schedule, output: Path, seconds: float, t: RepairTexts) -> None:
    changes = schedule.changes or []
    counts = {k: sum(1 for c in changes if c.kind == k) for k in ("moved", "dropped", "added")}
    print(
        t(
            "Planning réparé écrit dans %(path)s : %(moved)s déplacé(s), %(dropped)s "
            "annulé(s), %(added)s ajouté(s).",
            path=output,
            **counts,
        )
    )
    if not changes:
        print(t("Aucun rendez-vous ne change."))
    else:
        print(t("Changements :"))
        for change in changes:
            print(f"  - {change_line(change, t)}")
    people = changed_participants(changes)
    named = f" ({', '.join(people)})" if people else ""
    print(t("Participants à prévenir : %(count)s", count=len(people)) + named)
    print(t("Objectifs :"))
    for objective in schedule.objectives:
        label = t.objective(objective.name)
        print("  " + t("%(label)s : %(value)s", label=label, value=objective.value))
    print(t("Demandes non planifiées : %(count)s", count=len(schedule.unscheduled)))
    print(t("Durée : %(seconds)s s", seconds=t.seconds(seconds)))


def _load(args: argparse.Namespace, t: RepairTexts, now: dt.datetime) -> AppliedChanges | int:
    """The salon after the changes, or an exit code once the problems are printed."""
    paths = {"salon": args.salon, "schedule": args.schedule, "changes": args.changes}
    try:
        salon = load_salon(args.salon)
        schedule = load_schedule(args.schedule)
        changes = load_changes(args.changes)
        if schedule.salon != salon.name:
            err(
                t(
                    "Attention : ce planning est celui du salon « %(schedule)s », pas de "
                    "« %(salon)s ».",
                    schedule=schedule.salon,
                    salon=salon.name,
                )
            )
        args.loaded_schedule = schedule
        return apply_changes(salon, schedule, changes, now)
    except FileFormatError as error:
        return _bad_file(error, paths.get(error.what, args.salon), t)


def run_repair(args: argparse.Namespace) -> int:
    t = RepairTexts(args.lang)
    now = _parse_now(args.now)
    if now is None:
        err(
            t(
                "--now invalide : %(value)s (attendu : heure locale du salon, par exemple "
                "2023-11-28T11:00)",
                value=args.now,
            )
        )
        return EXIT_BAD_FILE
    if _unwritable(args.output, t) or _unwritable(args.salon_output, t):
        return EXIT_BAD_FILE
    applied = _load(args, t, now)
    if isinstance(applied, int):
        return applied
    options = SolveOptions(time_limit=args.time_limit, workers=1, seed=args.seed)
    started = time.monotonic()  # a duration, not a time of day: no clock reading
    try:
        repaired = repair_applied(applied, args.loaded_schedule, options)
    except InfeasibleError as error:
        err(
            t("Les règles ne peuvent pas toutes être respectées ; ces exigences se contredisent :")
        )
        for clash in error.clashes:
            message = clash.message_fr if t.language == "fr" and clash.message_fr else clash.message
            err(f"  - {t.rule_line(clash.rule, message)}")
        return EXIT_INFEASIBLE
    except NoScheduleInTimeError as error:
        print_no_schedule_in_time(error, t)
        return EXIT_NO_SCHEDULE_IN_TIME
    except KeyboardInterrupt:
        err(t("Interrompu."))
        return EXIT_INTERRUPTED
    seconds = time.monotonic() - started
    try:
        write_json(args.output, repaired.to_json_dict())
        if args.salon_output is not None:
            write_json(args.salon_output, applied.salon.to_json_dict())
    except OSError as error:
        err(
            t(
                "Impossible d'écrire %(path)s : %(reason)s",
                path=args.output,
                reason=error.strerror or error,
            )
        )
        return EXIT_BAD_FILE
    _print_result(repaired, args.output, seconds, t)
    if args.salon_output is not None:
        print(t("Salon après les changements écrit dans %(path)s.", path=args.salon_output))
    violations = validate(applied.salon, repaired).violations
    if violations:
        err(t("Attention : le planning réparé enfreint ces règles du salon :"))
        for violation in violations:
            err(f"  - {t.rule_line(violation.rule, violation.message)}")
    return EXIT_OK
