"""`salon repair`: re-solve a published schedule after the changes of the day, with the fewest
changes, and print the change list for the desk.

    salon repair SALON.json SCHEDULE.json CHANGES.json --now 2023-11-28T11:00 -o NEW.json

CHANGES.json is a changes/v1 file (docs/changes.md); NEW.json is a schedule/v1 file with its
`changes` list. Exit codes as `salon solve`: 0 written, 2 a file (or --now) is not valid,
3 the rules cannot all be met (proven), 4 no schedule found within the time limit (nothing
proven), 130 interrupted. Texts are French by default, English with
`--lang en`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from api.cli.core import (
    EXIT_BAD_FILE,
    EXIT_INFEASIBLE,
    EXIT_INTERRUPTED,
    EXIT_NO_SCHEDULE_IN_TIME,
    EXIT_OK,
    Texts,
    add_language,
    positive_float,
    print_no_schedule_in_time,
    write_json,
)
from scheduler.changes import AppliedChanges, apply_changes, load_changes
from scheduler.errors import FileFormatError, InfeasibleError, NoScheduleInTimeError
from scheduler.format import Change, Schedule
from scheduler.loading import load_salon, load_schedule
from scheduler.progress import SolveOptions
from scheduler.repair import DEFAULT_SECONDS, changed_participants, repair_applied
from scheduler.validator import validate

MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "bad_file": "Fichier {what} invalide : {path} ({count} problème(s))",
        "salon_file": "de salon",
        "schedule_file": "de planning",
        "changes_file": "de changements",
        "bad_now": "--now invalide : {value} (attendu : heure locale du salon, "
        "par exemple 2023-11-28T11:00)",
        "cannot_write": "Impossible d'écrire {path} : {reason}",
        "no_directory": "le dossier {directory} n'existe pas",
        "infeasible": "Les règles ne peuvent pas toutes être respectées ; "
        "ces exigences se contredisent :",
        "interrupted": "Interrompu.",
        "other_salon": "Attention : ce planning est celui du salon « {schedule} », "
        "pas de « {salon} ».",
        "written": "Planning réparé écrit dans {path} : {moved} déplacé(s), {dropped} annulé(s), "
        "{added} ajouté(s).",
        "salon_written": "Salon après les changements écrit dans {path}.",
        "changes": "Changements :",
        "no_change": "Aucun rendez-vous ne change.",
        "moved": "déplacé",
        "dropped": "annulé",
        "added": "ajouté",
        "kept": "maintenu",
        "people": "Participants à prévenir : {count}",
        "objectives": "Objectifs :",
        "unscheduled": "Demandes non planifiées : {count}",
        "duration": "Durée : {seconds} s",
        "violations": "Attention : le planning réparé enfreint ces règles du salon :",
    },
    "en": {
        "bad_file": "Invalid {what} file: {path} ({count} problem(s))",
        "salon_file": "salon",
        "schedule_file": "schedule",
        "changes_file": "changes",
        "bad_now": "invalid --now: {value} (expected: the salon's local time, "
        "e.g. 2023-11-28T11:00)",
        "cannot_write": "Cannot write {path}: {reason}",
        "no_directory": "the folder {directory} does not exist",
        "infeasible": "The rules cannot all be met; these requirements clash:",
        "interrupted": "Interrupted.",
        "other_salon": "Warning: this schedule is for the salon '{schedule}', not '{salon}'.",
        "written": "Repaired schedule written to {path}: {moved} moved, {dropped} dropped, "
        "{added} added.",
        "salon_written": "Salon after the changes written to {path}.",
        "changes": "Changes:",
        "no_change": "No meeting changes.",
        "moved": "moved",
        "dropped": "dropped",
        "added": "added",
        "kept": "kept",
        "people": "Participants to tell: {count}",
        "objectives": "Objectives:",
        "unscheduled": "Unscheduled requests: {count}",
        "duration": "Time: {seconds} s",
        "violations": "Warning: the repaired schedule breaks these rules of the salon:",
    },
}

REASONS: dict[str, dict[str, str]] = {
    "fr": {
        "participant_cancelled": "participant désisté",
        "participant_unavailable": "participant indisponible",
        "meeting_cancelled": "rendez-vous annulé",
        "table_closed": "table fermée",
        "no_show": "absent au rendez-vous",
        "rearranged": "déplacé pour faire de la place",
        "waiting_list": "liste d'attente",
        "wish_added": "nouvelle demande",
        "wish_window_closed": "demande après la clôture",
    },
    "en": {
        "participant_cancelled": "participant cancelled",
        "participant_unavailable": "participant unavailable",
        "meeting_cancelled": "meeting cancelled",
        "table_closed": "table closed",
        "no_show": "no-show",
        "rearranged": "moved to make room",
        "waiting_list": "waiting list",
        "wish_added": "new request",
        "wish_window_closed": "request after the window closed",
    },
}


class RepairTexts(Texts):
    """The repair's messages, and the core's for rule names."""

    def say(self, key: str, **values: Any) -> str:
        return MESSAGES[self.language][key].format(**values)

    def reason(self, code: str) -> str:
        return REASONS[self.language].get(code) or self.rule(code)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "repair",
        help="réparer un planning publié après les changements du jour (changes/v1)",
        description="Replanifie après les désistements, absences, retards et nouvelles demandes "
        "en changeant le moins de rendez-vous possible, et affiche la liste des changements. "
        "Codes de sortie : 0 planning écrit, 2 fichier invalide, 3 règles impossibles à "
        "respecter (prouvé), 4 aucun planning trouvé dans le temps imparti (rien n'est prouvé : "
        "donnez plus de temps), 130 interrompu.",
    )
    parser.add_argument("salon", type=Path, metavar="SALON.json", help="le salon (salon/v1)")
    parser.add_argument(
        "schedule", type=Path, metavar="SCHEDULE.json", help="le planning publié (schedule/v1)"
    )
    parser.add_argument(
        "changes", type=Path, metavar="CHANGES.json", help="les changements du jour (changes/v1)"
    )
    parser.add_argument(
        "--now",
        required=True,
        metavar="AAAA-MM-JJTHH:MM",
        help="l'heure actuelle, locale au salon : les rendez-vous commencés avant sont figés",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="NEW.json",
        help="le planning réparé à écrire (schedule/v1 avec sa liste de changements)",
    )
    parser.add_argument(
        "--salon-output",
        type=Path,
        metavar="SALON2.json",
        help="écrire aussi le salon après les changements (pour salon check)",
    )
    parser.add_argument(
        "--time-limit",
        type=positive_float,
        default=DEFAULT_SECONDS,
        metavar="S",
        help=f"temps de calcul en secondes (défaut {DEFAULT_SECONDS:g})",
    )
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="graine (défaut 0)")
    add_language(parser)
    parser.set_defaults(handler=run_repair)


def _err(line: str = "") -> None:
    print(line, file=sys.stderr, flush=True)


def _bad_file(error: FileFormatError, path: Path, t: RepairTexts) -> int:
    what = t.say(
        f"{error.what if error.what in ('salon', 'schedule', 'changes') else 'salon'}_file"
    )
    _err(t.say("bad_file", what=what, path=path, count=len(error.problems)))
    for problem in error.problems:
        _err(f"  - {problem.path} {t.rule_line(problem.rule, problem.message)}")
    return EXIT_BAD_FILE


def _parse_now(text: str) -> dt.datetime | None:
    try:
        now = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return now if now.tzinfo is None else None


def _unwritable(path: Path | None, t: RepairTexts) -> bool:
    if path is not None and not path.parent.is_dir():
        reason = t.say("no_directory", directory=path.parent)
        _err(t.say("cannot_write", path=path, reason=reason))
        return True
    return False


def change_line(change: Change, t: RepairTexts) -> str:
    """`déplacé  G0001 – H001 : 14:00 T05 → 11:20 T05 (participant indisponible)`."""
    where = []
    for ref in (change.before, change.after):
        if ref is not None:
            where.append(f"{ref.start:%H:%M} {ref.table}")
    place = " → ".join(where) if change.kind == "moved" else (where[0] if where else "")
    separator = " : " if t.language == "fr" else ": "
    return (
        f"{t.say(change.kind):<9} {change.from_} – {change.to}{separator}{place} "
        f"({t.reason(change.reason)})"
    )


def _print_result(schedule: Schedule, output: Path, seconds: float, t: RepairTexts) -> None:
    changes = schedule.changes or []
    counts = {k: sum(1 for c in changes if c.kind == k) for k in ("moved", "dropped", "added")}
    print(t.say("written", path=output, **counts))
    if not changes:
        print(t.say("no_change"))
    else:
        print(t.say("changes"))
        for change in changes:
            print(f"  - {change_line(change, t)}")
    people = changed_participants(changes)
    print(t.say("people", count=len(people)) + (f" ({', '.join(people)})" if people else ""))
    print(t.say("objectives"))
    for objective in schedule.objectives:
        print(
            f"  {t.objective(objective.name)} : {objective.value}"
            if t.language == "fr"
            else f"  {t.objective(objective.name)}: {objective.value}"
        )
    print(t.say("unscheduled", count=len(schedule.unscheduled)))
    print(t.say("duration", seconds=t.seconds(seconds)))


def _load(args: argparse.Namespace, t: RepairTexts, now: dt.datetime) -> AppliedChanges | int:
    """The salon after the changes, or an exit code once the problems are printed."""
    paths = {"salon": args.salon, "schedule": args.schedule, "changes": args.changes}
    try:
        salon = load_salon(args.salon)
        schedule = load_schedule(args.schedule)
        changes = load_changes(args.changes)
        if schedule.salon != salon.name:
            _err(t.say("other_salon", schedule=schedule.salon, salon=salon.name))
        args.loaded_schedule = schedule
        return apply_changes(salon, schedule, changes, now)
    except FileFormatError as error:
        return _bad_file(error, paths.get(error.what, args.salon), t)


def run_repair(args: argparse.Namespace) -> int:
    t = RepairTexts(args.lang)
    now = _parse_now(args.now)
    if now is None:
        _err(t.say("bad_now", value=args.now))
        return EXIT_BAD_FILE
    if _unwritable(args.output, t) or _unwritable(args.salon_output, t):
        return EXIT_BAD_FILE
    applied = _load(args, t, now)
    if isinstance(applied, int):
        return applied
    options = SolveOptions(time_limit=args.time_limit, workers=1, seed=args.seed)
    started = dt.datetime.now()
    try:
        repaired = repair_applied(applied, args.loaded_schedule, options)
    except InfeasibleError as error:
        _err(t.say("infeasible"))
        for clash in error.clashes:
            message = clash.message_fr if t.language == "fr" and clash.message_fr else clash.message
            _err(f"  - {t.rule_line(clash.rule, message)}")
        return EXIT_INFEASIBLE
    except NoScheduleInTimeError as error:
        print_no_schedule_in_time(error, t)
        return EXIT_NO_SCHEDULE_IN_TIME
    except KeyboardInterrupt:
        _err(t.say("interrupted"))
        return EXIT_INTERRUPTED
    seconds = (dt.datetime.now() - started).total_seconds()
    try:
        write_json(args.output, repaired.to_json_dict())
        if args.salon_output is not None:
            write_json(args.salon_output, applied.salon.to_json_dict())
    except OSError as error:
        _err(t.say("cannot_write", path=args.output, reason=error.strerror or error))
        return EXIT_BAD_FILE
    _print_result(repaired, args.output, seconds, t)
    if args.salon_output is not None:
        print(t.say("salon_written", path=args.salon_output))
    violations = validate(applied.salon, repaired).violations
    if violations:
        _err(t.say("violations"))
        for violation in violations:
            _err(f"  - {t.rule_line(violation.rule, violation.message)}")
    return EXIT_OK
