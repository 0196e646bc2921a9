"""`salon solve`, `salon check` and `salon stats`: the scheduling core on files, for organisers.

Exit codes: 0 done (a schedule, a valid schedule, the statistics), 1 the checked schedule breaks
a rule, 2 a file cannot be read or is not valid (every problem is printed with its JSON path),
3 the rules cannot all be met (proven: the clashing requirements are named), 4 no schedule found
within the time limit (nothing proven: more time may find one), 130 interrupted.
Texts are French by default, English with `--lang en`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from rich.console import Console, Group
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from scheduler.errors import Clash, FileFormatError, InfeasibleError, NoScheduleInTimeError
from scheduler.format import Salon, Schedule
from scheduler.loading import load_salon, load_schedule
from scheduler.progress import Progress, SolveOptions
from scheduler.stats import salon_statistics
from scheduler.validator import Report, Violation, validate

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_BAD_FILE = 2
EXIT_INFEASIBLE = 3
EXIT_NO_SCHEDULE_IN_TIME = 4
EXIT_INTERRUPTED = 130

LANGUAGES = ("fr", "en")
HEARTBEAT_SECONDS = 10.0
"""Without a live display, a progress line at least this often during a solve."""

# ------------------------------------------------------------------------ texts

MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "bad_file": "Fichier {what} invalide : {path} ({count} problème(s))",
        "salon_file": "de salon",
        "schedule_file": "de planning",
        "infeasible": "Les règles ne peuvent pas toutes être respectées ; "
        "ces exigences se contredisent :",
        "more_time": "Relancez avec un --time-limit plus grand.",
        "stopped_empty": "Arrêté avant qu'un planning soit trouvé : rien n'est écrit.",
        "cannot_write": "Impossible d'écrire le planning dans {path} : {reason}",
        "no_directory": "le dossier {directory} n'existe pas",
        "interrupted": "Interrompu.",
        "stopping": "Arrêt demandé : le meilleur planning trouvé sera écrit "
        "(Ctrl-C à nouveau pour abandonner).",
        "written": "Planning écrit dans {path} ({status}).",
        "status_optimal": "optimal",
        "status_feasible": "réalisable, optimalité non prouvée",
        "objectives": "Objectifs :",
        "value_max": "{label} : {value} (borne supérieure {bound})",
        "value_min": "{label} : {value} (borne inférieure {bound})",
        "value": "{label} : {value}",
        "meetings": "Rendez-vous : {count}",
        "unscheduled": "Demandes non planifiées : {count}",
        "reason_line": "{label} [{code}] : {count}",
        "duration": "Durée : {seconds} s",
        "solver_violations": "Attention : le planning produit enfreint des règles "
        "(à signaler) :",
        "valid": "Planning valide : toutes les règles sont respectées.",
        "invalid": "Planning non valide : {count} infraction(s).",
        "other_salon": "Attention : ce planning est celui du salon « {schedule} », "
        "pas de « {salon} ».",
        "stats_title": "Salon « {name} »",
        "size": "Taille :",
        "participants": "participants : {count} ({roles})",
        "no_role": "sans rôle",
        "home_tables": "avec table attitrée : {count}",
        "tables": "tables : {count} (dont {pool} libres pour les rendez-vous sans table)",
        "sessions": "sessions : {count}, créneaux : {slots}",
        "wishes": "demandes : {count} (déclinées : {declined})",
        "pairs": "paires : {count} (mutuelles : {mutual}, obligatoires : {required}, "
        "épinglées : {pinned}, sans créneau commun : {no_slot})",
        "bounds": "Bornes (relaxation) :",
        "bounds_proven": "prouvées",
        "bounds_unproven": "non prouvées dans le temps imparti, mais valables",
        "bound_coverage": "couverture ≤ {value} participant(s) sur {of}",
        "bound_score": "score ≤ {value}",
        "bound_meetings": "rendez-vous ≤ {value}",
        "bound_fairness": "équité ≤ {value}",
        "bound_idle": "créneaux d'attente ≥ {value} (rendez-vous obligatoires)",
        "bound_breaks": "pauses ≥ {value} (rendez-vous obligatoires)",
        "bounds_infeasible": "Les rendez-vous obligatoires ne peuvent pas tous avoir lieu : "
        "aucun planning n'existe (salon solve nomme les exigences en conflit).",
        "over_requested": "Participants trop demandés :",
        "over_requested_line": "{participant} : {requests} demandes pour {capacity} "
        "rendez-vous possibles",
        "none": "aucun",
        "phase_bounds": "bornes",
        "phase_selection": "choix des rendez-vous",
        "phase_timetable": "placement dans les créneaux",
        "phase_exact": "modèle exact du salon entier",
        "phase_repair": "réparation",
        "phase_done": "terminé",
        "progress_values": "{label} {value} (borne {bound})",
        "elapsed": "{seconds} s",
    },
    "en": {
        "bad_file": "Invalid {what} file: {path} ({count} problem(s))",
        "salon_file": "salon",
        "schedule_file": "schedule",
        "infeasible": "The rules cannot all be met; these requirements clash:",
        "more_time": "Run it again with a larger --time-limit.",
        "stopped_empty": "Stopped before any schedule was found: nothing is written.",
        "cannot_write": "Cannot write the schedule to {path}: {reason}",
        "no_directory": "the folder {directory} does not exist",
        "interrupted": "Interrupted.",
        "stopping": "Stopping: the best schedule found will be written "
        "(Ctrl-C again to abort).",
        "written": "Schedule written to {path} ({status}).",
        "status_optimal": "optimal",
        "status_feasible": "feasible, optimality not proven",
        "objectives": "Objectives:",
        "value_max": "{label}: {value} (upper bound {bound})",
        "value_min": "{label}: {value} (lower bound {bound})",
        "value": "{label}: {value}",
        "meetings": "Meetings: {count}",
        "unscheduled": "Unscheduled requests: {count}",
        "reason_line": "{label} [{code}]: {count}",
        "duration": "Time: {seconds} s",
        "solver_violations": "Warning: the schedule produced breaks rules (please report):",
        "valid": "Valid schedule: every rule is kept.",
        "invalid": "Invalid schedule: {count} violation(s).",
        "other_salon": "Warning: this schedule is for the salon '{schedule}', not '{salon}'.",
        "stats_title": "Salon '{name}'",
        "size": "Size:",
        "participants": "participants: {count} ({roles})",
        "no_role": "no role",
        "home_tables": "with a home table: {count}",
        "tables": "tables: {count} ({pool} free for meetings without a home table)",
        "sessions": "sessions: {count}, slots: {slots}",
        "wishes": "requests: {count} (declined: {declined})",
        "pairs": "pairs: {count} (mutual: {mutual}, required: {required}, pinned: {pinned}, "
        "without a common slot: {no_slot})",
        "bounds": "Bounds (relaxation):",
        "bounds_proven": "proven",
        "bounds_unproven": "not proven within the time limit, but valid",
        "bound_coverage": "coverage ≤ {value} participant(s) of {of}",
        "bound_score": "score ≤ {value}",
        "bound_meetings": "meetings ≤ {value}",
        "bound_fairness": "fairness ≤ {value}",
        "bound_idle": "idle slots ≥ {value} (required meetings)",
        "bound_breaks": "breaks ≥ {value} (required meetings)",
        "bounds_infeasible": "The required meetings cannot all take place: no schedule "
        "exists (salon solve names the clashing requirements).",
        "over_requested": "Over-requested participants:",
        "over_requested_line": "{participant}: {requests} requests for {capacity} "
        "possible meetings",
        "none": "none",
        "phase_bounds": "bounds",
        "phase_selection": "choosing the meetings",
        "phase_timetable": "placing them in slots",
        "phase_exact": "whole-salon exact model",
        "phase_repair": "repair",
        "phase_done": "done",
        "progress_values": "{label} {value} (bound {bound})",
        "elapsed": "{seconds} s",
    },
}

OBJECTIVE_LABELS = {
    "fr": {
        "coverage": "couverture",
        "fairness": "équité",
        "score": "score",
        "idle": "créneaux d'attente",
        "breaks": "pauses",
    },
    "en": {
        "coverage": "coverage",
        "fairness": "fairness",
        "score": "score",
        "idle": "idle slots",
        "breaks": "breaks",
    },
}
MINIMISED = {"idle", "breaks"}

PROGRESS_MESSAGES = [
    (re.compile(r"choosing the meetings"), {"fr": "", "en": ""}),
    (
        re.compile(r"(\d+)/(\d+) sessions placed"),
        {"fr": "{0}/{1} sessions placées", "en": "{0}/{1} sessions placed"},
    ),
]
"""The solver's progress messages (English) and their texts; others are shown as they are."""

RULE_LABELS = {
    "fr": {
        # validator and solver rules
        "declined_never_scheduled": "demande déclinée",
        "participant_available": "participant indisponible",
        "within_during": "hors des plages voulues",
        "pinned_start": "heure imposée non respectée",
        "one_meeting_per_pair": "plusieurs rendez-vous pour une paire",
        "required_meeting": "rendez-vous obligatoire",
        "representatives": "plus de rendez-vous simultanés que de représentants",
        "max_meetings": "maximum de rendez-vous dépassé",
        "table_capacity": "table occupée deux fois",
        "max_in_a_row": "trop de rendez-vous d'affilée",
        "max_break_spread": "pauses trop inégales",
        "meeting_has_wish": "rendez-vous que personne n'a demandé",
        "on_slot_grid": "hors de la grille des créneaux",
        "right_table": "mauvaise table",
        # unscheduled reasons
        "no_common_slot": "aucun créneau libre en commun",
        "cap_reached": "participant complet",
        "not_selected": "non retenu au profit d'autres rendez-vous",
        "time_limit": "temps imparti écoulé",
        # loading rules
        "file": "fichier illisible",
        "json": "JSON invalide",
        "format": "format inattendu",
        "schema": "valeur invalide",
        "timezone": "fuseau horaire inconnu",
        "objectives": "objectifs mal ordonnés",
        "session_order": "session qui finit avant de commencer",
        "session_length": "session plus courte qu'un rendez-vous",
        "sessions_overlap": "sessions qui se chevauchent",
        "unique_table_ids": "table en double",
        "unique_participant_ids": "identifiant de participant en double",
        "home_table_exists": "table attitrée inconnue",
        "home_table_alone": "table attitrée avec plusieurs représentants",
        "interval_order": "intervalle qui finit avant de commencer",
        "known_participant": "participant inconnu",
        "not_oneself": "demande à soi-même",
        "unique_wish": "demande en double",
        "pin_on_slot": "heure imposée hors des créneaux",
        "one_pin_per_pair": "deux heures imposées pour une paire",
    },
    "en": {
        "declined_never_scheduled": "declined request",
        "participant_available": "participant unavailable",
        "within_during": "outside the wanted times",
        "pinned_start": "pinned start not kept",
        "one_meeting_per_pair": "several meetings for one pair",
        "required_meeting": "required meeting",
        "representatives": "more simultaneous meetings than representatives",
        "max_meetings": "too many meetings",
        "table_capacity": "table used twice",
        "max_in_a_row": "too many meetings in a row",
        "max_break_spread": "breaks too uneven",
        "meeting_has_wish": "meeting nobody asked for",
        "on_slot_grid": "off the slot grid",
        "right_table": "wrong table",
        "no_common_slot": "no free slot in common",
        "cap_reached": "participant fully booked",
        "not_selected": "not selected, other meetings preferred",
        "time_limit": "time limit reached",
        "file": "unreadable file",
        "json": "invalid JSON",
        "format": "unexpected format",
        "schema": "invalid value",
        "timezone": "unknown timezone",
        "objectives": "objectives out of order",
        "session_order": "session ending before it starts",
        "session_length": "session shorter than a meeting",
        "sessions_overlap": "overlapping sessions",
        "unique_table_ids": "duplicate table",
        "unique_participant_ids": "duplicate participant id",
        "home_table_exists": "unknown home table",
        "home_table_alone": "home table with several representatives",
        "interval_order": "interval ending before it starts",
        "known_participant": "unknown participant",
        "not_oneself": "request to oneself",
        "unique_wish": "duplicate request",
        "pin_on_slot": "pinned start off the slots",
        "one_pin_per_pair": "two pinned starts for one pair",
    },
}


class Texts:
    """The messages of one language."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else "fr"

    def __call__(self, key: str, **values: Any) -> str:
        return MESSAGES[self.language][key].format(**values)

    def rule(self, name: str) -> str:
        return RULE_LABELS[self.language].get(name, name)

    def objective(self, name: str) -> str:
        return OBJECTIVE_LABELS[self.language].get(name, name)

    def phase(self, name: str) -> str:
        return MESSAGES[self.language].get(f"phase_{name}", name)

    def progress_message(self, message: str) -> str:
        """The solver's progress message in this language ("" when the phase says it all)."""
        for pattern, texts in PROGRESS_MESSAGES:
            found = pattern.fullmatch(message)
            if found:
                return texts[self.language].format(*found.groups())
        return message

    def seconds(self, value: float) -> str:
        text = f"{value:.1f}" if value >= 1 else f"{value:.2f}"
        return text.replace(".", ",") if self.language == "fr" else text

    def rule_line(self, rule: str, message: str) -> str:
        """`[rule] label: message`, the rule's name first so that one can grep for it."""
        separator = " : " if self.language == "fr" else ": "
        return f"[{rule}] {self.rule(rule)}{separator}{message}"


# ----------------------------------------------------------------- arguments


def positive_float(text: str) -> float:
    """An argparse type: a number above 0 (seconds)."""
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from exc
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _core_count() -> int:
    """The machine's cores: the default number of solver workers of `salon solve`."""
    return os.cpu_count() or 1


def _default_language() -> str:
    """$SALON_LANG when it names one of our languages, else French."""
    language = os.environ.get("SALON_LANG", "")
    return language if language in LANGUAGES else "fr"


def add_language(parser: argparse.ArgumentParser) -> None:
    """The `--lang fr|en` option of every command (default $SALON_LANG, else French)."""
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=_default_language(),
        help="langue des messages / language of the messages (défaut fr, ou $SALON_LANG)",
    )


SALON_HELP = "le salon (salon/v1)"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    solve_parser = commands.add_parser(
        "solve",
        help="planifier un salon (salon/v1) et écrire le planning (schedule/v1)",
        description="Planifie les rendez-vous d'un salon et écrit le planning. Codes de sortie : "
        "0 planning écrit, 2 fichier invalide, 3 règles impossibles à respecter (prouvé), "
        "4 aucun planning trouvé dans le temps imparti (rien n'est prouvé : donnez plus de "
        "temps), 130 interrompu. Ctrl-C arrête la recherche et écrit le meilleur planning "
        "trouvé.",
    )
    solve_parser.add_argument("salon", type=Path, metavar="SALON.json", help=SALON_HELP)
    solve_parser.add_argument(
        "-o", "--output", type=Path, required=True, metavar="SCHEDULE.json",
        help="fichier du planning à écrire",
    )
    solve_parser.add_argument(
        "--time-limit", type=positive_float, default=60.0, metavar="S",
        help="temps de calcul en secondes (défaut 60)",
    )
    solve_parser.add_argument(
        "--workers", type=_positive_int, default=_core_count(), metavar="N",
        help="fils de calcul (défaut : le nombre de cœurs de la machine, ici %(default)s)",
    )
    solve_parser.add_argument(
        "--seed", type=int, default=0, metavar="N",
        help="graine du calcul (défaut 0) ; avec --reproducible, même graine et même nombre de "
        "fils donnent le même planning",
    )
    solve_parser.add_argument(
        "--reproducible", action="store_true",
        help="budgets comptés en travail déterministe de CP-SAT : même graine et même nombre de "
        "fils donnent le même planning ; par défaut tout le temps imparti est utilisé",
    )
    add_language(solve_parser)
    solve_parser.set_defaults(handler=run_solve)

    check_parser = commands.add_parser(
        "check",
        help="vérifier un planning contre toutes les règles de son salon",
        description="Vérifie n'importe quel planning schedule/v1 contre toutes les règles du "
        "salon et affiche ses objectifs. Codes de sortie : 0 valide, 1 règle enfreinte, "
        "2 fichier invalide.",
    )
    check_parser.add_argument("salon", type=Path, metavar="SALON.json", help=SALON_HELP)
    check_parser.add_argument(
        "schedule", type=Path, metavar="SCHEDULE.json", help="le planning (schedule/v1)"
    )
    add_language(check_parser)
    check_parser.set_defaults(handler=run_check)

    stats_parser = commands.add_parser(
        "stats",
        help="taille d'un salon, bornes des objectifs, participants trop demandés",
        description="Taille du salon, bornes prouvées (relaxation) de la couverture, du score et "
        "du nombre de rendez-vous, participants plus demandés qu'ils ne peuvent recevoir. "
        "Codes de sortie : 0, 2 fichier invalide.",
    )
    stats_parser.add_argument("salon", type=Path, metavar="SALON.json", help=SALON_HELP)
    stats_parser.add_argument("--json", action="store_true", help="sortie JSON")
    stats_parser.add_argument(
        "--time-limit", type=positive_float, default=10.0, metavar="S",
        help="temps de calcul de chaque borne en secondes (défaut 10)",
    )
    stats_parser.add_argument(
        "--workers", type=_positive_int, default=2, metavar="N", help="fils de calcul (défaut 2)"
    )
    add_language(stats_parser)
    stats_parser.set_defaults(handler=run_stats)


# ------------------------------------------------------------------- output


def _err(line: str = "") -> None:
    print(line, file=sys.stderr, flush=True)


def _print_problems(error: FileFormatError, path: Path, t: Texts) -> None:
    what = t("schedule_file") if error.what == "schedule" else t("salon_file")
    _err(t("bad_file", what=what, path=path, count=len(error.problems)))
    for problem in error.problems:
        _err(f"  - {problem.path} {t.rule_line(problem.rule, problem.message)}")


def _read_salon(path: Path, t: Texts) -> Salon | None:
    try:
        return load_salon(path)
    except FileFormatError as error:
        _print_problems(error, path, t)
        return None


def _print_objectives(schedule: Schedule, t: Texts) -> None:
    print(t("objectives"))
    for objective in schedule.objectives:
        key = "value_min" if objective.name in MINIMISED else "value_max"
        label = t.objective(objective.name)
        print("  " + t(key, label=label, value=objective.value, bound=objective.bound))


def _print_unscheduled(schedule: Schedule, t: Texts) -> None:
    print(t("unscheduled", count=len(schedule.unscheduled)))
    reasons = Counter(u.reason for u in schedule.unscheduled)
    for code, count in reasons.most_common():
        print("  " + t("reason_line", label=t.rule(code), code=code, count=count))


# ----------------------------------------------------------------- progress


class ProgressState:
    """What is known of a running solve: the phase and the best values and bounds so far."""

    def __init__(self, t: Texts) -> None:
        self.t = t
        self.started = time.monotonic()
        self.phase = "selection"
        self.message = ""
        self.values: dict[str, int] = {}
        self.bounds: dict[str, int] = {}
        self.lock = threading.Lock()

    def update(self, progress: Progress) -> None:
        with self.lock:
            self.phase = progress.phase
            self.message = self.t.progress_message(progress.message)
            self.values.update(progress.values)
            self.bounds.update(progress.bounds)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def summary(self) -> str:
        """One line: elapsed time, phase, message and each objective's value and bound."""
        t = self.t
        with self.lock:
            parts = [
                t("progress_values", label=t.objective(name), value=value,
                  bound=self.bounds.get(name, "?"))
                for name, value in self.values.items()
            ]
            head = t.phase(self.phase) + (f" ({self.message})" if self.message else "")
        elapsed = t("elapsed", seconds=t.seconds(self.elapsed))
        return f"[{elapsed:>8}] {head}" + (" · " + ", ".join(parts) if parts else "")


class PlainProgress:
    """Progress as plain lines on a stream: one per event, and one every `interval` seconds."""

    def __init__(self, state: ProgressState, stream: Callable[[], IO[str]],
                 interval: float = HEARTBEAT_SECONDS) -> None:
        self.state = state
        self.stream = stream
        self.interval = interval
        self._stop = threading.Event()
        self._last = time.monotonic()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._beat, daemon=True)

    def __call__(self, progress: Progress) -> None:
        self.state.update(progress)
        self._write()

    def _write(self) -> None:
        with self._lock:  # events and heartbeats come from different threads
            self._last = time.monotonic()
            stream = self.stream()
            stream.write(self.state.summary() + "\n")
            stream.flush()

    def _beat(self) -> None:
        while not self._stop.wait(min(1.0, self.interval)):
            if time.monotonic() - self._last >= self.interval:
                self._write()

    def __enter__(self) -> PlainProgress:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _bound_text(name: str, state: ProgressState) -> str:
    """`≤ bound` for a maximised objective, `≥ bound` for a minimised one."""
    bound = state.bounds.get(name)
    if bound is None:
        return ""
    return f"≥ {bound}" if name in MINIMISED else f"≤ {bound}"


class LiveProgress:
    """Progress as a rich live display on stderr (a terminal), refreshed 4 times a second."""

    def __init__(self, state: ProgressState, console: Console) -> None:
        self.state = state
        self.console = console
        self.spinner = Spinner("dots")
        self.live = Live(self, console=console, refresh_per_second=4, transient=True)

    def __call__(self, progress: Progress) -> None:
        self.state.update(progress)

    def __rich__(self) -> Group:
        state, t = self.state, self.state.t
        head = Text(f" {t.phase(state.phase)}", style="bold")
        if state.message:
            head.append(f" ({state.message})", style="dim")
        head.append(f"  {t('elapsed', seconds=t.seconds(state.elapsed))}", style="cyan")
        table = Table.grid(padding=(0, 2))
        with state.lock:
            for name, value in state.values.items():
                table.add_row(f"  {t.objective(name)}", str(value), _bound_text(name, state))
        line = Table.grid()
        line.add_row(self.spinner, head)
        return Group(line, table)

    def __enter__(self) -> LiveProgress:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.__exit__(None, None, None)


def _progress_display(t: Texts) -> LiveProgress | PlainProgress:
    state = ProgressState(t)
    if sys.stderr.isatty():
        return LiveProgress(state, Console(stderr=True))
    return PlainProgress(state, lambda: sys.stderr)


# -------------------------------------------------------------------- solve


def _sigint_keeper() -> Callable[[], None]:
    """A function that puts back the current SIGINT handler (in the main thread only).

    CP-SAT's own Ctrl-C handler (parameter catch_sigint_signal, on by default) resets SIGINT to
    SIG_DFL when each solve ends: Ctrl-C would then kill the process without a word. While the
    solver's parameters do not turn it off, the waiting loop re-installs ours.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    handler = signal.getsignal(signal.SIGINT)
    if handler is None:
        return lambda: None

    def keep() -> None:
        signal.signal(signal.SIGINT, handler)

    return keep


def _solve_in_thread(salon: Salon, options: SolveOptions, t: Texts) -> Schedule:
    """Solve in a worker thread so that Ctrl-C asks the solver to stop and keep its best.

    A second Ctrl-C raises KeyboardInterrupt; InfeasibleError and NoScheduleInTimeError are
    raised as solve raised them.
    """
    from scheduler.solver import solve

    outcome: dict[str, Any] = {}
    done = threading.Event()

    def work() -> None:
        try:
            outcome["schedule"] = solve(salon, options)
        except BaseException as error:  # handed to the main thread
            outcome["error"] = error
        finally:
            done.set()

    # Waiting on an Event, not Thread.join: on Python 3.11 a join interrupted by Ctrl-C left
    # the thread looking finished (is_alive() False) while it still ran.
    thread = threading.Thread(target=work, name="salon-solve", daemon=True)
    keep_handler = _sigint_keeper()
    thread.start()
    try:
        while not done.wait(0.1):
            keep_handler()
    except KeyboardInterrupt:
        assert options.stop is not None
        options.stop.set()
        _err(t("stopping"))
        while not done.wait(0.1):  # a second Ctrl-C propagates
            keep_handler()
    if "error" in outcome:
        raise outcome["error"]
    schedule: Schedule = outcome["schedule"]
    return schedule


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write atomically: a temporary file in the same folder, then renamed."""
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(handle, 0o666 & ~umask)  # as open() would create it, not mkstemp's 0600
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _print_clashes(clashes: list[Clash], t: Texts) -> None:
    """Each clashing requirement in French, then in English on the next line."""
    _err(t("infeasible"))
    for clash in clashes:
        _err(f"  - {t.rule_line(clash.rule, clash.message_fr or clash.message)}")
        if clash.message_fr and clash.message_fr != clash.message:
            _err(f"    {clash.message}")


def print_no_schedule_in_time(error: NoScheduleInTimeError, t: Texts) -> None:
    """The time ran out with no schedule: the core's sentence in French, then in English, and
    what to do in the chosen language. Nothing is proven impossible."""
    _err(error.french())
    _err(str(error))
    _err(t("more_time"))


def run_solve(args: argparse.Namespace) -> int:
    t = Texts(args.lang)
    output: Path = args.output
    if not output.parent.is_dir():
        reason = t("no_directory", directory=output.parent)
        _err(t("cannot_write", path=output, reason=reason))
        return EXIT_BAD_FILE
    salon = _read_salon(args.salon, t)
    if salon is None:
        return EXIT_BAD_FILE
    display = _progress_display(t)
    options = SolveOptions(
        time_limit=args.time_limit,
        workers=args.workers,
        seed=args.seed,
        reproducible=args.reproducible,
        on_progress=display,
        stop=threading.Event(),
    )
    try:
        with display:
            schedule = _solve_in_thread(salon, options, t)
    except InfeasibleError as error:
        _print_clashes(error.clashes, t)
        return EXIT_INFEASIBLE
    except NoScheduleInTimeError as error:
        if error.stopped:  # Ctrl-C before any schedule was found
            _err(t("stopped_empty"))
            return EXIT_INTERRUPTED
        print_no_schedule_in_time(error, t)
        return EXIT_NO_SCHEDULE_IN_TIME
    except KeyboardInterrupt:
        _err(t("interrupted"))
        return EXIT_INTERRUPTED
    try:
        write_json(output, schedule.to_json_dict())
    except OSError as error:
        _err(t("cannot_write", path=output, reason=error.strerror or error))
        return EXIT_BAD_FILE
    _print_solve_summary(salon, schedule, output, display.state.elapsed, t)
    return EXIT_OK


def _print_solve_summary(
    salon: Salon, schedule: Schedule, output: Path, seconds: float, t: Texts
) -> None:
    status = t("status_optimal") if schedule.status == "optimal" else t("status_feasible")
    print(t("written", path=output, status=status))
    _print_objectives(schedule, t)
    print(t("meetings", count=len(schedule.meetings)))
    _print_unscheduled(schedule, t)
    print(t("duration", seconds=t.seconds(seconds)))
    report = validate(salon, schedule)
    if report.violations:
        _err(t("solver_violations"))
        _print_violations(report.violations, t, stream_err=True)


# -------------------------------------------------------------------- check


def _print_violations(violations: list[Violation], t: Texts, stream_err: bool = False) -> None:
    for violation in violations:
        line = f"  - {t.rule_line(violation.rule, violation.message)}"
        if stream_err:
            _err(line)
        else:
            print(line)


def _print_report(report: Report, salon: Salon, t: Texts) -> None:
    if report.valid:
        print(t("valid"))
    else:
        print(t("invalid", count=len(report.violations)))
        _print_violations(report.violations, t)
    print(t("objectives"))
    names = list(salon.objectives) + [n for n in report.objectives if n not in salon.objectives]
    for name in names:
        print("  " + t("value", label=t.objective(name), value=report.objectives[name]))


def run_check(args: argparse.Namespace) -> int:
    t = Texts(args.lang)
    salon = _read_salon(args.salon, t)
    if salon is None:
        return EXIT_BAD_FILE
    try:
        schedule = load_schedule(args.schedule)
    except FileFormatError as error:
        _print_problems(error, args.schedule, t)
        return EXIT_BAD_FILE
    if schedule.salon != salon.name:
        _err(t("other_salon", schedule=schedule.salon, salon=salon.name))
    report = validate(salon, schedule)
    _print_report(report, salon, t)
    return EXIT_OK if report.valid else EXIT_VIOLATIONS


# -------------------------------------------------------------------- stats


def _print_stats(stats: dict[str, Any], t: Texts) -> None:
    size, bounds = stats["size"], stats["bounds"]
    print(t("stats_title", name=stats["salon"]))
    print(t("size"))
    roles = ", ".join(f"{role or t('no_role')} {count}" for role, count in size["roles"].items())
    lines = [
        t("participants", count=size["participants"], roles=roles or t("none")),
        t("home_tables", count=size["home_tables"]),
        t("tables", count=size["tables"], pool=size["pool_tables"]),
        t("sessions", count=size["sessions"], slots=size["slots"]),
        t("wishes", count=size["wishes"], declined=size["declined_wishes"]),
        t("pairs", count=size["pairs"], mutual=size["mutual_pairs"],
          required=size["required_pairs"], pinned=size["pinned_pairs"],
          no_slot=size["pairs_without_common_slot"]),
    ]
    for line in lines:
        print(f"  {line}")
    if not bounds["feasible"]:
        print(t("bounds_infeasible"))
    else:
        proven = t("bounds_proven") if bounds["proven"] else t("bounds_unproven")
        print(f"{t('bounds')} {proven}")
        print("  " + t("bound_coverage", value=bounds["coverage"], of=size["participants"]))
        print("  " + t("bound_score", value=bounds["score"]))
        print("  " + t("bound_meetings", value=bounds["meetings"]))
        for name in ("fairness", "idle", "breaks"):
            if name in bounds:
                print("  " + t(f"bound_{name}", value=bounds[name]))
    print(t("over_requested") + ("" if stats["over_requested"] else f" {t('none')}"))
    for entry in stats["over_requested"]:
        print("  " + t("over_requested_line", **entry))


def run_stats(args: argparse.Namespace) -> int:
    t = Texts(args.lang)
    salon = _read_salon(args.salon, t)
    if salon is None:
        return EXIT_BAD_FILE
    try:
        stats = salon_statistics(salon, args.time_limit, args.workers)
    except KeyboardInterrupt:
        _err(t("interrupted"))
        return EXIT_INTERRUPTED
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
    else:
        _print_stats(stats, t)
    return EXIT_OK
